"""access log: the way in

Each access-log row says through which way in (cli, api, web, or a service called directly)
the read or the refused attempt came; rows of before say nothing ('').

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('access_log', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('way', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    # In place (SQLite 3.35+): copying a table breaks the foreign keys to it.
    with op.batch_alter_table('access_log', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('way')
