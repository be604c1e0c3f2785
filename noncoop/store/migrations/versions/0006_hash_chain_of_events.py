"""hash chain of events

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 18:31:27.046098
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401 - autogenerate writes AutoString
import noncoop.store.models  # noqa: F401 - UTCDateTime


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
    _chain_existing_events()


def _chain_existing_events() -> None:
    """Events written before the chain existed are chained now, case by case, in order."""
    from noncoop.audit import GENESIS, link  # the one definition of a link

    bind = op.get_bind()
    events = sa.table('events', sa.column('id'), sa.column('case_id'), sa.column('seq'),
                      sa.column('kind'), sa.column('at', noncoop.store.models.UTCDateTime()),
                      sa.column('by'), sa.column('step'), sa.column('on', sa.Date()),
                      sa.column('reason'), sa.column('data', sa.JSON()),
                      sa.column('prev_hash'), sa.column('hash'))
    cases = sa.table('cases', sa.column('id'), sa.column('last_hash'))
    prev, current = GENESIS, None
    for row in bind.execute(sa.select(events).order_by(events.c.case_id, events.c.seq)).mappings():
        if row['case_id'] != current:
            prev, current = GENESIS, row['case_id']
        digest = link(prev, dict(row))
        bind.execute(events.update().where(events.c.id == row['id'])
                     .values(prev_hash=prev, hash=digest))
        bind.execute(cases.update().where(cases.c.id == current).values(last_hash=digest))
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('last_hash')

