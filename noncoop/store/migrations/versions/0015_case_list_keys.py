"""case list keys

The case list's filters (status, region, scenario) each indexed with the case number after
them, in place of the status and region indexes alone: a page of a filtered list is then a
walk of one index from a case number, however many cases there are.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 03:00:00
"""
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

KEYED = ('status', 'region', 'scenario')
ALONE = ('status', 'region')


def upgrade() -> None:
    for column in ALONE:
        op.drop_index(f'ix_cases_{column}', table_name='cases')
    for column in KEYED:
        op.create_index(f'ix_cases_{column}_id', 'cases', [column, 'id'], unique=False)


def downgrade() -> None:
    for column in KEYED:
        op.drop_index(f'ix_cases_{column}_id', table_name='cases')
    for column in ALONE:
        op.create_index(f'ix_cases_{column}', 'cases', [column], unique=False)
