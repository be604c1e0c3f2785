"""tasks assignee open index

An inbox reads its person's (and his or her role's) open tasks by due date, a page at a time
(tasks.inbox). `(assignee, status)` found them but not in order: each page decided who may see
every one of them and sorted them all, 150 ms for a focal point with 20,000 open tasks at
100,000 cases. `(assignee, status, due, id)` gives them in order, and still serves every
question the old index answered (its first two columns).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 16:20:00
"""
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tasks_assignee_open', 'tasks', ['assignee', 'status', 'due', 'id'])
    op.drop_index('ix_tasks_assignee_status', table_name='tasks')


def downgrade() -> None:
    op.create_index('ix_tasks_assignee_status', 'tasks', ['assignee', 'status'])
    op.drop_index('ix_tasks_assignee_open', table_name='tasks')
