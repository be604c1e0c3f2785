"""deadline instants

Each deadline row gets the instant it runs out (`due_at`, UTC): an hour limit's own (paras 18,
omnibus 35: 24 hours after the instant it runs from), else the end of its due day in
Europe/Amsterdam. The sweep compares instants, so its overdue index moves to `due_at`. Rows
of before are filled with the end of their due day (hour limits recorded as dates included:
they keep the day they were given).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00
"""
import datetime as dt
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
import noncoop.store.models  # noqa: F401 - UTCDateTime
from noncoop.store.models import UTCDateTime


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Written out here, not imported from the models: a migration keeps the schema of its day.
_OPEN = sa.column('status') == sa.literal_column("'open'")
AMSTERDAM = ZoneInfo('Europe/Amsterdam')


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), AMSTERDAM).astimezone(dt.UTC)


def upgrade() -> None:
    # Nullable: SQLite adds a NOT NULL column only with a default, or by copying the table,
    # which the notices' foreign keys to it forbid. Every row written has it (store/journal.py).
    with op.batch_alter_table('deadlines', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('due_at', UTCDateTime(), nullable=True))
    deadlines = sa.table('deadlines', sa.column('due', sa.Date()), sa.column('due_at', UTCDateTime()))
    bind = op.get_bind()
    for (due,) in bind.execute(sa.select(deadlines.c.due).distinct()).all():
        bind.execute(deadlines.update().where(deadlines.c.due == due).values(due_at=_end_of(due)))
    op.drop_index('ix_deadlines_open_due', table_name='deadlines')
    op.create_index('ix_deadlines_open_due', 'deadlines', ['due_at', 'id'], unique=False,
                    sqlite_where=_OPEN, postgresql_where=_OPEN)


def downgrade() -> None:
    op.drop_index('ix_deadlines_open_due', table_name='deadlines')
    op.create_index('ix_deadlines_open_due', 'deadlines', ['due', 'id'], unique=False,
                    sqlite_where=_OPEN, postgresql_where=_OPEN)
    with op.batch_alter_table('deadlines', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('due_at')
