"""deadlines and notices

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:16:27.495856
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401 - autogenerate writes AutoString
import noncoop.store.models  # noqa: F401 - UTCDateTime


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('remind_from', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('who', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('basis', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('missed_on', sa.Date(), nullable=True),
    sa.Column('outstanding', sa.Boolean(), nullable=False),
    sa.Column('reminder_queued', sa.Boolean(), nullable=False),
    sa.Column('missed_queued', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'position', name='uq_deadlines_case_position')
    )
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_deadlines_status_due', ['status', 'due'], unique=False)
        batch_op.create_index('ix_deadlines_reminder', ['status', 'reminder_queued', 'remind_from'],
                              unique=False)
        batch_op.create_index('ix_deadlines_untold', ['status', 'missed_queued'], unique=False)
        batch_op.create_index('ix_deadlines_outstanding', ['status', 'outstanding', 'missed_on'],
                              unique=False)

    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('deadline_id', sa.Integer(), nullable=True),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('digest_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('created_at', noncoop.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('deadline_id', 'kind', name='uq_notices_deadline_kind'),
    sa.UniqueConstraint('digest_key', name='uq_notices_digest_key')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_status'))
        batch_op.drop_index(batch_op.f('ix_notices_case_id'))

    op.drop_table('notices')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_outstanding')
        batch_op.drop_index('ix_deadlines_untold')
        batch_op.drop_index('ix_deadlines_reminder')
        batch_op.drop_index('ix_deadlines_status_due')

    op.drop_table('deadlines')
