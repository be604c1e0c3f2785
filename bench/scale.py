"""Benchmark: noncoop at scale, 100,000 cases and 1,000,000 events, on SQLite and PostgreSQL.

Each database is built the same way: ten cases made through the services as users make them
(five walked through the formal procedure, four through good offices, one referred to the
Security Council only: eleven, eleven and one events), swept, then cloned with new numbers to
the full count, their events re-chained (audit.py) so the record verifies as a real one would.
On each database, with the same app and client as bench/web.py:
- the case list (first page, a page deep in it, a region's page) and a case page with a long
  timeline, as the President's office sees them, and the case list (first page, a page deep
  in it) and a case page as a Bureau member and a focal point see them; each reader's
  dashboard, inbox (its first page and the hundredth, or the last) and Bureau review (its
  first page of fifty cases and the tenth); the public page (its first page and the 250th),
  each asked many times: the median against a static page of the same app, the 95th
  percentile against the 50 ms a page may take (target: at most 1x);
- a sweep with nothing due, against the bare SQL of its four questions, and its peak memory;
- an export of the whole database: its time against reading every row with bare SQL, and the
  peak memory of the `noncoop export` process (VmHWM, Linux) against the same command exporting
  a database built the same way a tenth the size: an export streams, so its memory does not
  grow with the database.

PostgreSQL: a scratch database is made beside NONCOOP_BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and dropped afterwards; when the server
cannot be reached its rows say so.

    python bench/scale.py [--quick] [--json]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from common import kept_environ, timed  # beside this file

from noncoop import accounts, audit, clock, services
from noncoop.demo import load_calendar, load_people
from noncoop.errors import BadInput
from noncoop.store import db as store
from noncoop.store import journal
from noncoop.sweep import sweep, sweep_instant

try:
    from fastapi.testclient import TestClient
except RuntimeError:  # Starlette's TestClient is built on httpx2, which a plain install lacks
    raise BadInput("the scale benchmark needs httpx2: pip install 'noncoop[bench]'",
                   code="bench_unavailable") from None

D = dt.date
PASSWORD = "benchmark password"
PRESIDENT = "president@example.org"  # the demo directory's President's office: sees every case
# A Bureau member (the formal record, of a restricted case only once good offices are
# activated) and the African States' focal point (that region's cases): their lists are found
# by who may see each case (access.sees_where), not by the case list's filters.
BUREAU, FOCAL_POINT = "bureau.member@example.org", "focal.african@example.org"
READERS = {"": PRESIDENT, "bureau_": BUREAU, "focal_point_": FOCAL_POINT}
POSTGRES = os.environ.get("NONCOOP_BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PAGE_BUDGET_MS = 50.0
CHUNK = 2_000  # cases cloned a statement

# The ten cases every database starts from: (state, walk), the walk's steps as a user takes them.
_PLACE = {"place": "New York"}
FORMAL = [("forward_decision", D(2025, 10, 24), {}), ("press_release", D(2025, 10, 24), {}),
          ("open_letter", D(2025, 10, 27), {"action": "send", "reply_days": "30"}),
          ("emergency_bureau_meeting", D(2025, 10, 29), {"action": "convene", **_PLACE}),
          ("emergency_bureau_meeting", D(2025, 10, 30), {"action": "announce"}),
          ("bureau_hearing", D(2025, 11, 4), {"action": "done", **_PLACE}),
          ("open_letter", D(2025, 11, 20), {"action": "reply"}),
          ("bureau_report", D(2025, 11, 25), {}),
          ("plenary_discussion", D(2025, 12, 4), {}),
          ("omnibus_notation", D(2025, 12, 5), {})]
GOOD_OFFICES = [
    ("good_offices_activate", D(2025, 8, 20), {"court_consulted": "2025-08-19"}),
    ("notify_bureau", D(2025, 8, 20), {}),
    ("consult_court", D(2025, 8, 21), {}),
    ("engage_state", D(2025, 8, 22), {"with": "the Permanent Representative", "channel": "meeting",
                                      "summary": "reminded of the obligation to arrest"}),
    ("request_assistance", D(2025, 8, 22), {"task": "Contact the authorities before the visit",
                                            "due": "2025-09-01"}),
    ("travel_alert", D(2025, 8, 25), {"person": "a person subject to a warrant",
                                      "from": "2025-09-03", "source": "press",
                                      "reliability": "likely"}),
    ("share_travel_information", D(2025, 8, 25), {}),
    ("focal_point_engagement", D(2025, 8, 28), {"with": "the foreign ministry",
                                                "summary": "call with the legal adviser"}),
    ("report_to_bureau", D(2025, 9, 1), {}),
    ("travel_outcome", D(2025, 9, 4), {"outcome": "no_visit"})]
FORMAL_STATES = ["Mongolia", "South Africa", "Jordan", "Hungary", "Tajikistan"]
GOOD_OFFICES_STATES = ["Mongolia", "Chad", "Kenya", "Brazil"]


def _templates(db: Any) -> list[str]:
    """The ten cases, made through the services; their numbers."""
    ids = []
    for n, state in enumerate(FORMAL_STATES):
        case = services.open_case(db, state=state, scenario="7a", decision_ref=f"ICC-01/25-{n}",
                                  decision_date=D(2025, 10, 23), chamber="Pre-Trial Chamber II",
                                  referred_to=["assembly"], request="art89",
                                  person="a person subject to a warrant")
        ids.append(case["id"])
        for step, on, params in FORMAL:
            services.act(db, case["id"], step, on=on, params=params)
    for state in GOOD_OFFICES_STATES:
        case = services.open_case(db, state=state, scenario="7b", summary="visit announced",
                                  person="a person subject to a warrant",
                                  travel_date=D(2025, 9, 3))
        ids.append(case["id"])
        for step, on, params in GOOD_OFFICES:
            services.act(db, case["id"], step, on=on, params=params)
    ids.append(services.open_case(db, state="Sudan", scenario="7a", decision_ref="ICC-02/05-01/09",
                                  decision_date=D(2016, 7, 11),
                                  referred_to=["security-council"])["id"])
    return ids


def build(url: str, n_cases: int, as_of: dt.date) -> list[str]:
    """A database of `n_cases` cases at `url` (empty), swept as of `as_of`; the ten cases'
    numbers, those of the formal ones first."""
    store.upgrade(url)
    with store.session(url) as db:
        load_calendar(db)
        load_people(db)
        services.add_bureau_meeting(db, D(2025, 11, 4), "New York")
        for role, email in (("president_office", PRESIDENT), ("bureau", BUREAU),
                            ("focal_point", FOCAL_POINT)):
            accounts.add_user(db, email, role, PASSWORD)
        ids = _templates(db)
        sweep(db, as_of)
    engine = store.get_engine(url)
    with engine.begin() as conn:
        _clone(conn, ids, n_cases)
    # The planner's statistics, and on PostgreSQL the visibility map that lets an index answer
    # alone: what autovacuum gives a database in use.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE")
    return ids


_CASE_COLS = [c.name for c in journal.CASES.columns]
_EVENT_COLS = [c.name for c in journal.EVENTS.columns if c.name != "id"]
_DEADLINE_COLS = [c.name for c in journal.DEADLINES.columns if c.name != "id"]
_TASK_COLS = [c.name for c in journal.TASKS.columns if c.name != "id"]
_ASSISTANT_COLS = [c.name for c in journal.ASSISTANTS.columns]
_JSON = {"snapshot", "data"}
_MARK = "<case number>"  # where a copy's number goes in a template's text


def _raw(conn: sa.Connection, table: str, cols: list[str], key: str, ids: list[str],
         order: str) -> dict[str, list[list[Any]]]:
    """The template rows as the driver gives them, by case, JSON as text."""
    quoted = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in ids)
    rows: dict[str, list[list[Any]]] = {i: [] for i in ids}
    for r in conn.exec_driver_sql(f"SELECT {quoted} FROM {table} WHERE {key} IN ({marks}) "
                                  f"ORDER BY {order}", tuple(ids)):
        row = [v if c not in _JSON or isinstance(v, str) else json.dumps(v)
               for c, v in zip(cols, r, strict=True)]
        rows[r[cols.index(key)]].append(row)
    return rows


def _clone(conn: sa.Connection, ids: list[str], n_cases: int) -> None:
    """Cases len(ids)..n_cases as copies of the ten, in turn, each numbered on from the last
    case of its template's year as services.steps numbers them (audit.py finds no gap)."""
    cases = _raw(conn, "cases", _CASE_COLS, "id", ids, "id")
    events = _raw(conn, "events", _EVENT_COLS, "case_id", ids, "case_id, seq")
    deadlines = _raw(conn, "deadlines", _DEADLINE_COLS, "case_id", ids, "case_id, position")
    tasks = _raw(conn, "tasks", _TASK_COLS, "case_id", ids, "case_id, id")
    assistants = _raw(conn, "case_assistants", _ASSISTANT_COLS, "case_id", ids, "case_id, email")
    # Each event's canonical text around its case number: a copy's hash is one sha256.
    canon: dict[str, list[tuple[str, str]]] = {}
    for i in ids:
        stored = conn.execute(sa.select(journal.EVENTS).where(journal.EVENTS.c.case_id == i)
                              .order_by(journal.EVENTS.c.seq)).mappings().all()
        canon[i] = [tuple(audit.canonical({**e, "case_id": _MARK}).split(_MARK))  # type: ignore[misc]
                    for e in stored]
    col = {name: k for k, name in enumerate(_CASE_COLS)}
    ev_case, ev_prev, ev_hash = (_EVENT_COLS.index(c) for c in ("case_id", "prev_hash", "hash"))
    dl_case, task_case = _DEADLINE_COLS.index("case_id"), _TASK_COLS.index("case_id")
    asked_case = _ASSISTANT_COLS.index("case_id")
    snapshot = {i: json.dumps({**json.loads(cases[i][0][col["snapshot"]]), "id": _MARK})
                .split(_MARK) for i in ids}
    last = {}
    for i in ids:
        year, _, number = i.rpartition("-")
        last[year] = max(last.get(year, 0), int(number))
    write = _writer(conn)
    for start in range(len(ids), n_cases, CHUNK):
        out: dict[str, list[list[Any]]] = {"cases": [], "events": [], "deadlines": [], "tasks": [],
                                           "case_assistants": []}
        for n in range(start, min(start + CHUNK, n_cases)):
            t = ids[n % len(ids)]
            year = t.rpartition("-")[0]
            last[year] += 1
            new = f"{year}-{last[year]:03d}"
            prev = audit.GENESIS
            for row, (before, after) in zip(events[t], canon[t], strict=True):
                row = row.copy()
                h = hashlib.sha256(f"{prev}\n{before}{new}{after}".encode()).hexdigest()
                row[ev_case], row[ev_prev], row[ev_hash], prev = new, prev, h, h
                out["events"].append(row)
            case = cases[t][0].copy()
            case[col["id"]], case[col["last_hash"]] = new, prev
            case[col["snapshot"]] = new.join(snapshot[t])
            case[col["head_mac"]] = audit.head_mac(new, case[col["last_seq"]], prev)
            out["cases"].append(case)
            for table, rows, k in (("deadlines", deadlines[t], dl_case),
                                   ("tasks", tasks[t], task_case),
                                   ("case_assistants", assistants[t], asked_case)):
                for row in rows:
                    row = row.copy()
                    row[k] = new
                    out[table].append(row)
        write("cases", _CASE_COLS, out["cases"])
        for table, cols in (("events", _EVENT_COLS), ("deadlines", _DEADLINE_COLS),
                            ("tasks", _TASK_COLS), ("case_assistants", _ASSISTANT_COLS)):
            write(table, cols, out[table])


def _writer(conn: sa.Connection) -> Callable[[str, list[str], list[list[Any]]], None]:
    """Rows in the driver's own values, written as fast as the database takes them: COPY on
    PostgreSQL, one prepared INSERT on SQLite."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    if conn.dialect.name == "postgresql":
        def copy(table: str, cols: list[str], rows: list[list[Any]]) -> None:
            quoted = ", ".join(f'"{c}"' for c in cols)
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
        return copy

    def insert(table: str, cols: list[str], rows: list[list[Any]]) -> None:
        quoted = ", ".join(f'"{c}"' for c in cols)
        raw.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(cols))})",
                        rows)
    return insert


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def pages(url: str, repeat: int) -> dict[str, tuple[float, float]]:
    """Each page's (median, 95th percentile) in seconds, asked `repeat` times in turn: the
    President's office's (who sees every case), and a Bureau member's and a focal point's
    (prefixed `bureau_`, `focal_point_`)."""
    os.environ["NONCOOP_DATABASE_URL"] = url
    os.environ.setdefault("NONCOOP_SECRET_KEY", "benchmark")
    store.get_engine.cache_clear()  # the app's engine (no URL given) is this database's
    with store.get_engine(url).connect() as conn:
        c = journal.CASES.c

        def middle(*where: Any) -> str:
            count = conn.execute(sa.select(sa.func.count()).where(*where)).scalar_one()
            return conn.execute(sa.select(c.id).where(*where).order_by(c.id)
                                .offset(count // 2).limit(1)).scalar_one()
        # A formal case in the middle of the list: eleven events, its timeline in full; and
        # the pages just after the middle case of the list and of a region's.
        african = c.region == "African States"
        case_id, african_case = middle(c.stage == "formal"), middle(c.stage == "formal", african)
        deep, deep_region = middle(sa.true()), middle(african)
    from noncoop.web.app import create_app

    app = create_app()
    # Each reader's dashboard, inbox and Bureau review too (a page of fifty cases drawn on one
    # axis), and the public page (no sign-in needed; asked as
    # the President's office, it is the same page), its first and a deep page.
    own = {"dashboard": "/", "inbox": "/tasks", "inbox_deep": "/tasks?page=100",
           "review": "/review", "review_deep": "/review?page=10"}
    paths = {"": {"static": "/static/style.css", "case_list": "/cases",
                  "case_list_deep": f"/cases?after={deep}",
                  "case_list_region": f"/cases?region=African+States&after={deep_region}",
                  "case_page": f"/cases/{case_id}", **own, "public": "/public",
                  "public_deep": "/public?page=250"},
             "bureau_": {"case_list": "/cases", "case_list_deep": f"/cases?after={deep}",
                         "case_page": f"/cases/{case_id}", **own},
             "focal_point_": {"case_list": "/cases", "case_list_deep": f"/cases?after={deep_region}",
                              "case_page": f"/cases/{african_case}", **own}}
    clients = {prefix: _signed_in(app, email) for prefix, email in READERS.items()}
    times: dict[str, list[float]] = {prefix + name: [] for prefix, named in paths.items()
                                     for name in named}
    for n in range(repeat + 2):
        for prefix, named in paths.items():
            for name, path in named.items():
                start = time.perf_counter()
                response = clients[prefix].get(path)
                elapsed = time.perf_counter() - start
                assert response.status_code == 200, (prefix, path, response.text[:300])
                if n >= 2:  # the first two warm: templates compiled, caches filled
                    times[prefix + name].append(elapsed)
    store.get_engine().dispose()
    return {name: (statistics.median(t), _p95(t)) for name, t in times.items()}


def _signed_in(app: Any, email: str) -> TestClient:
    client = TestClient(app)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert csrf is not None
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf": csrf.group(1)})
    return client


def pending(dialect: str) -> sa.TextClause:
    """The four questions of a sweep with nothing due, as bare SQL (sweep._PENDING), with the
    conditions of their partial indexes as the dialect writes them."""
    no, yes = ("0", "1") if dialect == "sqlite" else ("false", "true")
    return sa.text(
        "SELECT EXISTS (SELECT id FROM deadlines WHERE status = 'open' AND due_at <= :now), "
        f"EXISTS (SELECT id FROM deadlines WHERE status = 'missed' AND missed_queued = {no}), "
        "EXISTS (SELECT id FROM deadlines WHERE status = 'open' "
        f"AND reminder_queued = {no} AND remind_from <= :as_of), "
        f"EXISTS (SELECT id FROM deadlines WHERE status = 'missed' AND outstanding = {yes} "
        "AND missed_on < :as_of)").bindparams(
            sa.bindparam("now", type_=journal.DEADLINES.c.due_at.type),
            sa.bindparam("as_of", type_=sa.Date))


def sweeps(url: str, as_of: dt.date, repeat: int) -> tuple[float, float, float]:
    """A sweep with nothing due: its median time, that of its questions in bare SQL (seconds),
    and its peak memory (KiB, traced in a run of its own)."""
    with store.session(url) as db:
        result = sweep(db, as_of)
        assert not (result["changed"] or result["notices"]), result
        took = timed(lambda: sweep(db, as_of), repeat)
        tracemalloc.start()
        sweep(db, as_of)
        peak = tracemalloc.get_traced_memory()[1] / 2**10
        tracemalloc.stop()
    params = {"now": sweep_instant(as_of, clock.now()), "as_of": as_of}
    with store.get_engine(url).connect() as conn:
        bare_sql = pending(conn.dialect.name)
        assert tuple(map(bool, conn.execute(bare_sql, params).one())) == (False,) * 4
        bare = timed(lambda: conn.execute(bare_sql, params).one(), repeat)
    return took, bare, peak


# `noncoop export` run so that it says its own peak memory last on stderr: the high-water mark
# of the program itself (VmHWM), not ru_maxrss, which Linux carries over an exec from the
# process it was started from (this one, a database build bigger).
_EXPORT = """import atexit, sys
def peak():
    with open("/proc/self/status") as status:
        print(next(line.split()[1] for line in status if line.startswith("VmHWM:")),
              file=sys.stderr)
atexit.register(peak)
from noncoop.cli import main
sys.argv[0] = "noncoop"
main()
"""


def export(url: str, path: Path) -> tuple[float, float]:
    """`noncoop export` of the database at `url`, in a process of its own: its wall time
    (seconds) and its peak resident memory (MiB)."""
    env = {**os.environ, "NONCOOP_DATABASE_URL": url}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _EXPORT, "export", "-o", str(path)], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    return took, int(done.stderr.split()[-1]) / 1024  # kB


def read_everything(url: str) -> float:
    """Seconds to read every row of every table, in an export's order, with bare SQL."""
    from sqlmodel import SQLModel

    start = time.perf_counter()
    with store.get_engine(url).connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            result = conn.execution_options(stream_results=True, yield_per=10_000) \
                .exec_driver_sql(f'SELECT * FROM "{table.name}" ORDER BY {order}')
            for _ in result:
                pass
    return time.perf_counter() - start


@contextlib.contextmanager
def sqlite_database(work: Path, name: str) -> Iterator[str]:
    yield f"sqlite:///{work / name}.db"


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A scratch database on the server of POSTGRES, dropped afterwards."""
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    scratch = f"noncoop_scale_{name}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
        yield POSTGRES.rsplit("/", 1)[0] + f"/{scratch}"
    finally:
        store.get_engine.cache_clear()
        with contextlib.suppress(sa.exc.OperationalError), admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


def postgres_missing() -> str | None:
    """Why PostgreSQL cannot be used, or None."""
    try:
        engine = sa.create_engine(POSTGRES)
        with engine.connect():
            pass
        engine.dispose()
    except (sa.exc.SQLAlchemyError, ImportError) as exc:
        return f"PostgreSQL at {POSTGRES.split('@')[-1]} cannot be reached " \
               f"({str(exc).splitlines()[0]}); set NONCOOP_BENCH_POSTGRES_URL"
    return None


def measure(database: Callable[[str], contextlib.AbstractContextManager[str]], work: Path,
            n_cases: int, repeat: int) -> dict[str, Any]:
    """Build the database and one a tenth its size, and measure them."""
    as_of = clock.today()
    with database("tenth") as tenth:
        build(tenth, n_cases // 10, as_of)
        _, tenth_peak = export(tenth, work / "tenth.jsonl")
        (work / "tenth.jsonl").unlink()
        store.get_engine(tenth).dispose()
    with database("full") as url:
        start = time.perf_counter()
        build(url, n_cases, as_of)
        built = time.perf_counter() - start
        seen = pages(url, repeat)
        sweep_time, sweep_bare, sweep_peak = sweeps(url, as_of, repeat)
        export_time, export_peak = export(url, work / "full.jsonl")
        (work / "full.jsonl").unlink()
        bare_read = read_everything(url)
        store.get_engine(url).dispose()
    return {"built": built, "pages": seen, "sweep": (sweep_time, sweep_bare, sweep_peak),
            "export": (export_time, bare_read, export_peak, tenth_peak)}


def rows(db: str, m: dict[str, Any], scale: str) -> list[dict[str, Any]]:
    static = m["pages"]["static"][0]
    out = []
    for name in (n for n in m["pages"] if n != "static"):
        median, p95 = m["pages"][name]
        out += [{"name": f"{db}_{name}_median", "value": median * 1000, "unit": "ms",
                 "baseline": static * 1000, "ratio": median / static, "target": None,
                 "against": "a static page of the same app", "scale": scale},
                {"name": f"{db}_{name}_p95", "value": p95 * 1000, "unit": "ms",
                 "baseline": PAGE_BUDGET_MS, "ratio": p95 * 1000 / PAGE_BUDGET_MS, "target": 1.0,
                 "against": "the 50 ms a page may take", "scale": scale}]
    took, bare, peak = m["sweep"]
    export_time, bare_read, export_peak, tenth_peak = m["export"]
    return out + [
        {"name": f"{db}_sweep_nothing_due", "value": took * 1000, "unit": "ms",
         "baseline": bare * 1000, "ratio": took / bare, "target": 3.0,
         "against": "its four questions in bare SQL", "scale": scale},
        {"name": f"{db}_sweep_peak_memory", "value": peak, "unit": "KiB", "baseline": None,
         "ratio": None, "target": None, "scale": scale},
        {"name": f"{db}_export", "value": export_time, "unit": "s", "baseline": bare_read,
         "ratio": export_time / bare_read, "target": None,
         "against": "reading every row with bare SQL", "scale": scale},
        {"name": f"{db}_export_peak_memory", "value": export_peak, "unit": "MiB",
         "baseline": tenth_peak, "ratio": export_peak / tenth_peak, "target": 1.1,
         "against": "the same command exporting a database a tenth the size", "scale": scale},
        {"name": f"{db}_build", "value": m["built"], "unit": "s", "baseline": None,
         "ratio": None, "target": None, "scale": scale}]


def skipped(db: str, why: str) -> list[dict[str, Any]]:
    return [{"name": f"{db}_scale", "value": None, "unit": "", "baseline": None, "ratio": None,
             "target": None, "skipped": why}]


def run(quick: bool = False) -> list[dict[str, Any]]:
    n_cases = 10_000 if quick else 100_000
    repeat = 40 if quick else 100
    scale = f"{n_cases:,} cases, {n_cases * 10:,} events"
    work = Path(tempfile.mkdtemp(prefix="noncoop-bench-scale-"))
    out: list[dict[str, Any]] = []
    with kept_environ("NONCOOP_DATABASE_URL", "NONCOOP_SECRET_KEY"):
        try:
            out += rows("sqlite", measure(lambda name: sqlite_database(work, name), work,
                                          n_cases, repeat), scale)
            why = postgres_missing()
            out += skipped("postgres", why) if why else rows(
                "postgres", measure(postgres_database, work, n_cases, repeat), scale)
        finally:
            store.get_engine.cache_clear()
            shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    from common import main  # beside this file

    main(run, __doc__, "10,000 cases and 100,000 events instead of 100,000 and 1,000,000")
