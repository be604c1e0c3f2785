"""sign-in delays

Failed sign-ins are counted per client address and account, and per client address alone:
each failure past the first few makes that address wait longer before its next try (kept in
the database, so that a restart or a second server does not reset it). No account is locked:
a guesser at one address cannot keep its owner out.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 21:20:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from noncoop.store.models import UTCDateTime


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in_failures',
        sa.Column('client', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('wait_until', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('client', 'email'),
    )


def downgrade() -> None:
    op.drop_table('sign_in_failures')
