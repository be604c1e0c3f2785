"""notice attempts

A notice that cannot be expanded into its messages (composed) is kept queued with its error,
the attempts made and when to try again, and is dead after `max_attempts`, as a message is.
Rows of before have made no attempt.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import noncoop.store.models  # noqa: F401 - UTCDateTime
from noncoop.store.models import UTCDateTime


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notices', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
