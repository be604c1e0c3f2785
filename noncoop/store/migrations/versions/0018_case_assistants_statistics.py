"""case assistants statistics

PostgreSQL only: statistics of the address and region of case_assistants together. A focal
point asked on many cases of his or her own region and few elsewhere has many rows with the
one and few with the other; taken apart, the planner multiplies their shares, expects
thousands of rows where there are none, and reads the whole table instead of two seeks of its
key (a focal point's case list, a region in a filter's choices: 3 to 10 ms each at 100,000
cases). ANALYZE (autovacuum) fills them. SQLite has no such statistics: it seeks the key.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 14:00:00
"""
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

NAME = 'case_assistants_email_region'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'CREATE STATISTICS IF NOT EXISTS {NAME} (mcv) ON email, region '
                   'FROM case_assistants')
        op.execute('ANALYZE case_assistants')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP STATISTICS IF EXISTS {NAME}')
