"""dashboard indexes

The dashboard shows a hundred items of each part and the number of the rest, asked of the
database (services/dashboard.py). Its rows are open tasks and outstanding deadlines, by due
date; at 100,000 cases (550,000 tasks, 510,000 deadlines) each part read the whole table for
want of an index on them: 90 ms a part. `(status, due, case_id)` on the tasks and
`(outstanding, due, case_id)` on the deadlines give each part's range of dates in order.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 18:30:00
"""
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tasks_open_due', 'tasks', ['status', 'due', 'case_id'])
    op.create_index('ix_deadlines_outstanding_due', 'deadlines', ['outstanding', 'due', 'case_id'])


def downgrade() -> None:
    op.drop_index('ix_deadlines_outstanding_due', table_name='deadlines')
    op.drop_index('ix_tasks_open_due', table_name='tasks')
