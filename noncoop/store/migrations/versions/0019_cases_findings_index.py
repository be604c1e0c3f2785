"""cases findings index

The public page lists the Court's findings referred to the Assembly (the 7(a) cases), newest
decision first, a page at a time (services/public.py). Without an index in that order each
page sorted every finding: 80 to 120 ms at 100,000 cases on SQLite. Read backwards, this one
gives them in order, and a page deep in the list is a walk of it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 16:10:00
"""
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cases_findings', 'cases', ['scenario', 'decision_date', 'id'])


def downgrade() -> None:
    op.drop_index('ix_cases_findings', table_name='cases')
