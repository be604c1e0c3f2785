"""case list columns

The case list reads these columns instead of parsing every case's snapshot.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:40:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', _TEXT(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('scenario', _TEXT(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('confidentiality', _TEXT(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('decision_ref', _TEXT(), nullable=True))
        batch_op.add_column(sa.Column('decision_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('travel_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('assisting', _TEXT(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_cases_region'), ['region'], unique=False)
    _fill_from_snapshots()


def _fill_from_snapshots() -> None:
    """Cases written before the columns existed get them from their snapshot."""
    from noncoop.store.codec import from_snapshot
    from noncoop.store.journal import columns  # the one definition of what they hold

    bind = op.get_bind()
    cases = sa.table('cases', sa.column('id'), sa.column('snapshot', sa.JSON()),
                     *(sa.column(name) for name in ('region', 'scenario', 'confidentiality',
                                                    'decision_ref', 'assisting')),
                     sa.column('decision_date', sa.Date()), sa.column('travel_date', sa.Date()))
    for case_id, snapshot in bind.execute(sa.select(cases.c.id, cases.c.snapshot)).all():
        values = columns(from_snapshot(snapshot))
        bind.execute(cases.update().where(cases.c.id == case_id).values(
            **{k: values[k] for k in ('region', 'scenario', 'confidentiality', 'decision_ref',
                                      'decision_date', 'travel_date', 'assisting')}))


def downgrade() -> None:
    # SQLite drops columns in place since 3.35: copying the table would break the events'
    # foreign keys to it.
    with op.batch_alter_table('cases', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_region'))
        for name in ('assisting', 'travel_date', 'decision_date', 'decision_ref',
                     'confidentiality', 'scenario', 'region'):
            batch_op.drop_column(name)
