"""hidden from bureau

Whether a Bureau member may see a case yet (a restricted case before good offices are
activated, para 18) as a column of the case row, and two indexes of who may see each case: a
focal point's or a Bureau member's case list is then a walk of the first by case number, and
the regions of his or her cases probes of the second, not a read of every case's record.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('hidden_from_bureau', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    _fill_from_snapshots()
    op.create_index('ix_cases_sight', 'cases', ['id', 'region', 'hidden_from_bureau',
                                                'assisting'], unique=False)
    op.create_index('ix_cases_region_sight', 'cases', ['region', 'assisting',
                                                       'hidden_from_bureau'], unique=False)


def _fill_from_snapshots() -> None:
    """Only a restricted case can be hidden: those are read, from their snapshot."""
    from noncoop.store.codec import from_snapshot
    from noncoop.store.journal import columns  # the one definition of what the row holds

    bind = op.get_bind()
    cases = sa.table('cases', sa.column('id'), sa.column('snapshot', sa.JSON()),
                     sa.column('confidentiality'), sa.column('hidden_from_bureau', sa.Boolean()))
    restricted = bind.execute(sa.select(cases.c.id, cases.c.snapshot)
                              .where(cases.c.confidentiality == 'restricted')).all()
    for case_id, snapshot in restricted:
        hidden = columns(from_snapshot(snapshot))['hidden_from_bureau']
        if hidden:
            bind.execute(cases.update().where(cases.c.id == case_id)
                         .values(hidden_from_bureau=True))


def downgrade() -> None:
    op.drop_index('ix_cases_region_sight', table_name='cases')
    op.drop_index('ix_cases_sight', table_name='cases')
    with op.batch_alter_table('cases', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('hidden_from_bureau')
