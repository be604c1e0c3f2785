"""signed chain heads

Each case row keeps its chain's head (last_seq, last_hash) signed with an HMAC whose key
(NONCOOP_AUDIT_KEY) is kept outside the database; rows of before have none ('') and are signed
by `noncoop audit sign` once the key is set.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('head_mac', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=False, server_default=''))


def downgrade() -> None:
    # In place (SQLite 3.35+): copying the table would break the events' foreign keys to it.
    with op.batch_alter_table('cases', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('head_mac')
