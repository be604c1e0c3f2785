"""SQLModel tables. The case row is a projection of the append-only event table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC; SQLite forgets the zone, so it is re-attached on load (PITFALLS)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


# One Column object shared by the field and the mapper, as SQLAlchemy's versioning needs.
_case_version = sa.Column("version", sa.Integer, nullable=False)


class CaseRow(SQLModel, table=True):
    __tablename__ = "cases"
    # The case list's filters, each with the case number after it: a page of a filtered list
    # is a walk of one index from a case number (services/lists.py), however long the list.
    __table_args__ = (*(sa.Index(f"ix_cases_{c}_id", c, "id")
                        for c in ("status", "region", "scenario")),
                      # Who may see a case, without its row (access.sees_where): a focal
                      # point's or a Bureau member's list walks the first by case number, and
                      # the regions of the cases he or she may see are asked of the second
                      # (and of case_assistants).
                      sa.Index("ix_cases_sight", "id", "region", "hidden_from_bureau"),
                      sa.Index("ix_cases_region_sight", "region", "hidden_from_bureau"),
                      # The public page's findings, newest decision first (services/public.py).
                      sa.Index("ix_cases_findings", "scenario", "decision_date", "id"),
                      # The years of the review's filter, one from the next (services/review.py).
                      sa.Index("ix_cases_decided", "decision_date", "id"))

    id: str = Field(primary_key=True, max_length=32)
    requested_state: str = Field(index=True)
    stage: str = Field(index=True)
    status: str
    # Read by lists without the snapshot; written with it by the journal (journal.columns).
    region: str = ""
    scenario: str = ""
    confidentiality: str = ""
    decision_ref: str | None = None
    decision_date: dt.date | None = None
    travel_date: dt.date | None = None
    assisting: str = ""  # the e-mails of the people asked to assist, comma-separated
    # A restricted case before good offices are activated: no Bureau member's to see
    # (access.hidden_from_bureau, para 18).
    hidden_from_bureau: bool = Field(default=False, sa_column=sa.Column(
        sa.Boolean, nullable=False, server_default=sa.false()))
    opened_at: dt.datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    last_seq: int = 0
    # The whole projection as JSON: rebuilt from events, never the source of truth.
    snapshot: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    last_hash: str = ""  # the hash of the case's last event (audit.py)
    # The head (last_seq, last_hash) signed with NONCOOP_AUDIT_KEY, kept outside the database:
    # a writer who recomputes the chain or cuts its end cannot sign the new head (audit.py).
    # No default on the column: the journal's prepared statements name every value they write.
    head_mac: str = Field(default="", sa_column=sa.Column(
        "head_mac", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
    version: int | None = Field(default=None, sa_column=_case_version)

    __mapper_args__ = {"version_id_col": _case_version}


class AssistantRow(SQLModel, table=True):
    """A person asked to assist on a case whose request is open (para 20): the case row's
    `assisting`, one address a row, with the case's region, so that whether a person was asked
    on a case of a region is one seek of the key (access.sees_in_region), not a read of every
    case's list of addresses. Written with the case row by the journal (journal.Batch), never
    on its own."""

    __tablename__ = "case_assistants"
    __table_args__ = (sa.Index("ix_case_assistants_case_id", "case_id"),)

    email: str = Field(primary_key=True, max_length=320)
    region: str = Field(primary_key=True)
    case_id: str = Field(primary_key=True, foreign_key="cases.id", max_length=32)


class EventRow(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True, max_length=32)
    seq: int
    kind: str
    at: dt.datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    by: str
    step: str | None = None
    on: dt.date | None = None
    reason: str | None = None
    data: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    prev_hash: str = ""  # the hash of the case's event before this one: a chain (audit.py)
    hash: str = ""


class SessionRow(SQLModel, table=True):
    __tablename__ = "assembly_sessions"
    __table_args__ = (sa.UniqueConstraint("number", "kind", name="uq_session_number_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    number: int
    kind: str
    start: dt.date = Field(index=True)
    end: dt.date
    venue: str = ""


class BureauMeetingRow(SQLModel, table=True):
    __tablename__ = "bureau_meetings"

    id: int | None = Field(default=None, primary_key=True)
    date: dt.date = Field(index=True, unique=True)
    place: str = ""


# A deadline's status as a constant of the SQL text, not a parameter (sweep.py): a plan made
# once for any values, as PostgreSQL keeps for a statement prepared, may then use the partial
# index whose condition names the same constant.
STATUS_OPEN, STATUS_MISSED = sa.literal_column("'open'"), sa.literal_column("'missed'")
_status, _reminded, _told, _outstanding = (
    sa.column(c) for c in ("status", "reminder_queued", "missed_queued", "outstanding"))
# The deadlines each question of a sweep is about.
OPEN = _status == STATUS_OPEN
UNREMINDED = sa.and_(OPEN, _reminded == sa.false())
UNTOLD = sa.and_(_status == STATUS_MISSED, _told == sa.false())
OUTSTANDING = sa.and_(_status == STATUS_MISSED, _outstanding == sa.true())


class DeadlineRow(SQLModel, table=True):
    """A deadline of a case, projected from its events so that sweeps ask the database what is
    due (DESIGN principle 3: deadlines are rows, not scheduler jobs)."""

    __tablename__ = "deadlines"
    # and the sweep's partial indexes: SWEEP_INDEXES, declared by schema()
    __table_args__ = (
        sa.UniqueConstraint("case_id", "position", name="uq_deadlines_case_position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", max_length=32)
    position: int  # index in the case's list of deadlines
    step: str
    kind: str
    due: dt.date  # the last day in time, in Europe/Amsterdam
    # The instant it runs out: an hour limit's own (paras 18, omnibus 35), else the end of its
    # due day. The sweep compares instants, so both kinds are missed at the right moment.
    # Always written (journal.py); nullable only as migration 0009 could add it on SQLite.
    due_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    remind_from: dt.date
    status: str  # open | met | late | missed | waived | closed | not_applicable
    who: str
    basis: str
    missed_on: dt.date | None = None  # the sweep day that found it missed and told of it
    outstanding: bool = True  # the step is not done yet (digests list missed, outstanding ones)
    reminder_queued: bool = False
    missed_queued: bool = False


class NoticeRow(SQLModel, table=True):
    """A notice to send (the outbox). One notice per deadline and kind, enforced by the
    database, so a repeated or concurrent sweep never queues the same notice twice."""

    __tablename__ = "notices"
    __table_args__ = (
        sa.UniqueConstraint("deadline_id", "kind", name="uq_notices_deadline_kind"),
        sa.UniqueConstraint("digest_key", name="uq_notices_digest_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: str | None = Field(default=None, foreign_key="cases.id", index=True, max_length=32)
    deadline_id: int | None = Field(default=None, foreign_key="deadlines.id")
    step: str | None = None
    kind: str  # reminder | missed | digest
    digest_key: str | None = None  # "WHO DATE": at most one digest a person a day
    body: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    recipients: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    created_at: dt.datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    # queued, then expanded into one message a recipient (outbox), or no_recipient when nobody
    # active may receive it (shown by `noncoop outbox list`, never dropped silently); dead when
    # it could not be expanded after `max_attempts` (config/notify.yaml).
    status: str = Field(default="queued", index=True)
    # A notice that could not be expanded stays queued with why, and waits as a message does
    # (notify/dispatch.backoff) before it is tried again: the other notices go on meanwhile.
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: dt.datetime | None = Field(default=None,
                                                sa_column=sa.Column(UTCDateTime, nullable=True))


class LetterRow(SQLModel, table=True):
    """An issued letter, stored exactly as issued (SPEC "Correspondence"). Never changed: a
    correction is a new letter that names the one it replaces."""

    __tablename__ = "letters"
    __table_args__ = (
        sa.UniqueConstraint("prefix", "seq", name="uq_letters_prefix_seq"),
        sa.UniqueConstraint("reference", name="uq_letters_reference"),
        sa.UniqueConstraint("corrects_id", name="uq_letters_corrects"),  # corrected once
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str  # the register number, e.g. ICC-ASP/23/S/12
    prefix: str  # the numbering pattern up to the number: ICC-ASP/23/S/
    seq: int
    case_id: str | None = Field(default=None, foreign_key="cases.id", index=True, max_length=32)
    template: str
    lang: str
    media_type: str
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    sha256: str
    recipients: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    issued_on: dt.date
    issued_at: dt.datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    issued_by: str
    corrects_id: int | None = Field(default=None, foreign_key="letters.id")


class PersonRow(SQLModel, table=True):
    """Someone noncoop tells things to: the President's office, the Secretariat, a regional
    focal point (para 17), a Bureau member. Never deleted: a person's active period ends."""

    __tablename__ = "people"
    __table_args__ = (sa.UniqueConstraint("email", name="uq_people_email"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str  # lower-case
    name: str
    role: str = Field(index=True)
    region: str | None = None  # a focal point's regional group; the President's own region
    lang: str = "en"
    president: bool = False  # the President: ex officio focal point for his or her region
    # A focal point for the President's own region: only when the President asked for a fifth
    # (para 17); recorded on the appointment.
    president_asked: bool = False
    active_from: dt.date
    active_until: dt.date | None = None


class TaskRow(SQLModel, table=True):
    """Something a person or a role has to do on a case: each deadline of the case (assigned to
    the role its rule names) and each request for assistance (assigned to the person asked)."""

    __tablename__ = "tasks"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "deadline_position", name="uq_tasks_deadline"),
        # An inbox's open tasks in the order it shows them (tasks.inbox).
        sa.Index("ix_tasks_assignee_open", "assignee", "status", "due", "id"),
        # An inbox's tasks closed last, walked back from the newest (tasks.inbox).
        sa.Index("ix_tasks_assignee_closed", "assignee", "closed_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", max_length=32)
    step: str
    title: str
    assignee: str  # a role (president_office) or a person's e-mail
    due: dt.date | None = None
    deadline_position: int | None = None  # the deadline it mirrors; None for a request
    status: str = "open"  # open | done | declined | cancelled
    note: str | None = None
    created_at: dt.datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    closed_on: dt.date | None = None
    closed_by: str | None = None


class MessageRow(SQLModel, table=True):
    """The outbox: one e-mail to one person, rendered in his or her language when its notice is
    expanded, then sent by the dispatcher with retries (DESIGN principle 4)."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.UniqueConstraint("notice_id", "to_email", name="uq_outbox_notice_recipient"),
        sa.UniqueConstraint("message_id", name="uq_outbox_message_id"),
        sa.Index("ix_outbox_status_next", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notices.id")
    message_id: str  # stable: a resend after a crash carries the same Message-ID
    to_email: str
    to_name: str
    subject: str
    text_body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    html_body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    ics: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    status: str = "pending"  # pending | sent | dead
    attempts: int = 0
    # When it may be tried next. A dispatcher claims a message by moving this past the time a
    # send takes (a lease), so a dispatcher that dies mid-send leaves it to be tried again.
    next_attempt_at: dt.datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    last_error: str | None = None
    sent_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))


class AccessLogRow(SQLModel, table=True):
    """Every read of a restricted case, every list that held one, and every refused attempt at a
    case: who, when, through which way in, what, and how much he or she saw."""

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    who: str
    role: str
    case_id: str = Field(index=True, max_length=32)
    action: str  # show | letter | list | act | ...
    sight: str  # full | formal | refused
    way: str = Field(default="", sa_column_kwargs={"server_default": ""})  # cli | api | web


class UserRow(SQLModel, table=True):
    """A login for the web app and the API. What a user may see and do comes from his or her
    role (and, but for administrators, from the directory of people: access.py)."""

    __tablename__ = "users"
    __table_args__ = (sa.UniqueConstraint("email", name="uq_users_email"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str  # lower-case
    role: str
    password_hash: str  # argon2
    created_at: dt.datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    disabled: bool = False
    failed_logins: int = 0  # since the last success: throttles guessing
    # Sessions carry the generation they began in; signing out, disabling or a new password
    # moves it on, and every older session ends at once.
    session_gen: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False,
                                                            server_default="0"))
    locked_until: dt.datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))


class SignInFailureRow(SQLModel, table=True):
    """Failed sign-ins from one client address, for one account (or for any: email "*"), and
    until when that address waits before its next try (accounts.py)."""

    __tablename__ = "sign_in_failures"

    client: str = Field(primary_key=True)
    email: str = Field(primary_key=True)
    failures: int
    wait_until: dt.datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime,
                                                                             nullable=True))


class ApiTokenRow(SQLModel, table=True):
    """A token for scripts (`Authorization: Bearer ...`); only its hash is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (sa.UniqueConstraint("token_hash", name="uq_api_tokens_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True)
    name: str
    token_hash: str  # sha256 of the token
    created_at: dt.datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    revoked: bool = False
    expires_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime,
                                                                             nullable=True))
    scope: str = Field(default="act", sa_column=sa.Column(  # read: GET only; act: everything
        sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="act"))


# One index for each question a sweep asks, so that a sweep with nothing due reads nothing but
# index pages however many deadlines are open (bench/sweep.py). Each holds only the deadlines
# its question is about: a deadline met leaves two of them, instead of moving within four
# indexes of every deadline ever set (bench/transition.py).
SWEEP_INDEXES = (("ix_deadlines_open_due", ("due_at", "id"), OPEN),
                 ("ix_deadlines_reminder", ("remind_from", "id"), UNREMINDED),
                 ("ix_deadlines_untold", ("id",), UNTOLD),
                 ("ix_deadlines_outstanding", ("missed_on",), OUTSTANDING))
# The dashboard's (services/dashboard.py): the open tasks and the outstanding deadlines, each by
# due date; their queries write the same constants (STATUS_OPEN, true).
OPEN_TASK = _status == STATUS_OPEN
DASHBOARD_INDEXES = (("tasks", "ix_tasks_open_due", ("due", "case_id"), OPEN_TASK),
                     ("deadlines", "ix_deadlines_outstanding_due", ("due", "case_id"),
                      _outstanding == sa.true()))


def schema() -> sa.MetaData:
    """Every table and index, as the migrations build them (for Alembic's comparison). The
    partial indexes (the sweep's, the dashboard's) are added to their tables here, not in
    their classes: their condition is written per server (sqlite_where, postgresql_where), and
    naming a server makes SQLAlchemy import its dialect, some 60 ms that every command would
    pay for a server it may not use. Queries need no Index object; only the comparison does."""
    tables = SQLModel.metadata.tables
    for table_name, name, columns, where in (*(("deadlines", *i) for i in SWEEP_INDEXES),
                                             *DASHBOARD_INDEXES):
        table = tables[table_name]
        if name not in {index.name for index in table.indexes}:
            sa.Index(name, *(table.c[c] for c in columns), sqlite_where=where,
                     postgresql_where=where)
    return SQLModel.metadata
