"""session generations and token limits

A login's sessions carry the generation they were signed in at: signing out, disabling the
login or changing its password moves it on, and every older session ends at once. An API token
may expire and may be limited to reading.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 21:15:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from noncoop.store.models import UTCDateTime


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('session_gen', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('api_tokens', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('expires_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=False, server_default='act'))


def downgrade() -> None:
    # In place (SQLite 3.35+): copying a table breaks the foreign keys to it.
    with op.batch_alter_table('api_tokens', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('scope')
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('session_gen')
