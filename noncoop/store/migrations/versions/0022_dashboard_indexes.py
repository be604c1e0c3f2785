"""dashboard indexes

The dashboard shows a hundred items of each part and the number of the rest, asked of the
database (services/dashboard.py). Its rows are the open tasks and the outstanding deadlines,
by due date; at 100,000 cases (550,000 tasks, 510,000 deadlines) each part read the whole
table for want of an index on them: 90 ms a part. Each index holds only the rows the
dashboard asks about, so that it stays small as steps are done, and so that the planner,
knowing how few they are, prefers it (with full indexes and fresh statistics, SQLite read every
task in case order to group the older misses by case, ten times slower).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 18:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

# Written out here, not imported from the models: a migration keeps the schema of its day.
PARTIAL = (
    ('ix_tasks_open_due', 'tasks', ['due', 'case_id'],
     sa.column('status') == sa.literal_column("'open'")),
    ('ix_deadlines_outstanding_due', 'deadlines', ['due', 'case_id'],
     sa.column('outstanding') == sa.true()),
)


def upgrade() -> None:
    for name, table, columns, where in PARTIAL:
        op.create_index(name, table, columns, unique=False, sqlite_where=where,
                        postgresql_where=where)


def downgrade() -> None:
    for name, table, _columns, _where in PARTIAL:
        op.drop_index(name, table_name=table)
