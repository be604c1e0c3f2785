"""cases decided index

The Bureau review offers the years of the cases its reader may see (services/review.py): the
dated cases' by decision date, the others' by case number. Read from every case, that took a
second at 100,000 cases for a Bureau member. `(decision_date, id)` lets each year be found
from the one before: the first dated case of a later year, and among the cases without a
decision date (NULL, which both servers keep in the index) the first of a later number.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 18:40:00
"""
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cases_decided', 'cases', ['decision_date', 'id'])


def downgrade() -> None:
    op.drop_index('ix_cases_decided', table_name='cases')
