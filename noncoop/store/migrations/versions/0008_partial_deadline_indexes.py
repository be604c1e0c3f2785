"""partial deadline indexes

Each index a sweep asks holds only the deadlines its question is about (open; open and not
yet reminded; missed and not yet told; missed and outstanding) instead of every deadline
ever set: a deadline met leaves two small indexes instead of moving within four large ones.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Written out here, not imported from the models: a migration keeps the schema of its day.
_status, _reminded, _told, _outstanding = (
    sa.column(c) for c in ('status', 'reminder_queued', 'missed_queued', 'outstanding'))
_OPEN = _status == sa.literal_column("'open'")
_MISSED = _status == sa.literal_column("'missed'")
PARTIAL = (
    ('ix_deadlines_open_due', ['due', 'id'], _OPEN),
    ('ix_deadlines_reminder', ['remind_from', 'id'], sa.and_(_OPEN, _reminded == sa.false())),
    ('ix_deadlines_untold', ['id'], sa.and_(_MISSED, _told == sa.false())),
    ('ix_deadlines_outstanding', ['missed_on'], sa.and_(_MISSED, _outstanding == sa.true())),
)
FULL = (
    ('ix_deadlines_status_due', ['status', 'due']),
    ('ix_deadlines_reminder', ['status', 'reminder_queued', 'remind_from']),
    ('ix_deadlines_untold', ['status', 'missed_queued']),
    ('ix_deadlines_outstanding', ['status', 'outstanding', 'missed_on']),
)


def upgrade() -> None:
    for name, _columns in FULL:
        op.drop_index(name, table_name='deadlines')
    for name, columns, where in PARTIAL:
        op.create_index(name, 'deadlines', columns, unique=False, sqlite_where=where,
                        postgresql_where=where)


def downgrade() -> None:
    for name, _columns, _where in PARTIAL:
        op.drop_index(name, table_name='deadlines')
    for name, columns in FULL:
        op.create_index(name, 'deadlines', columns, unique=False)
