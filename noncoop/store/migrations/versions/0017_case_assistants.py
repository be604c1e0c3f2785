"""case assistants

The people asked to assist on a case (para 20), one row each, keyed by address and the case's
region: whether a focal point or a Bureau member was asked on a case of a region is one seek,
where the case row's comma-separated `assisting` was read case by case (at 100,000 cases, 4 ms
for each region a focal point's list offers). The two indexes of who may see a case no longer
hold `assisting`.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 09:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


# The indexes of who may see a case as 0016 made them.
_SIGHT_INDEXES = {'ix_cases_sight': ['id', 'region', 'hidden_from_bureau', 'assisting'],
                  'ix_cases_region_sight': ['region', 'assisting', 'hidden_from_bureau']}


def upgrade() -> None:
    op.create_table(
        'case_assistants',
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('region', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.PrimaryKeyConstraint('email', 'region', 'case_id'))
    op.create_index('ix_case_assistants_case_id', 'case_assistants', ['case_id'], unique=False)
    _fill_from_case_rows()
    for name, columns in _SIGHT_INDEXES.items():
        op.drop_index(name, table_name='cases')
        op.create_index(name, 'cases', [c for c in columns if c != 'assisting'], unique=False)


def _fill_from_case_rows() -> None:
    from noncoop.store.journal import assistant_rows  # the one definition of the rows

    bind = op.get_bind()
    cases = sa.table('cases', sa.column('id'), sa.column('region'), sa.column('assisting'))
    assistants = sa.table('case_assistants', sa.column('email'), sa.column('region'),
                          sa.column('case_id'))
    rows = [row for case_id, region, assisting in bind.execute(
                sa.select(cases.c.id, cases.c.region, cases.c.assisting)
                .where(cases.c.assisting > ''))
            for row in assistant_rows(case_id, region, assisting)]
    for at in range(0, len(rows), 1000):
        bind.execute(assistants.insert(), rows[at:at + 1000])


def downgrade() -> None:
    for name, columns in _SIGHT_INDEXES.items():
        op.drop_index(name, table_name='cases')
        op.create_index(name, 'cases', columns, unique=False)
    op.drop_index('ix_case_assistants_case_id', table_name='case_assistants')
    op.drop_table('case_assistants')
