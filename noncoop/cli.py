"""The command line (INTERFACE.md). Thin: parse, call a service, print. Errors exit 1 (refused)
or 2 (bad input) with a message saying what to do; no traceback reaches a user."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import OperationalError

from noncoop import services
from noncoop.errors import BadInput, NoncoopError
from noncoop.store import db as store

app = typer.Typer(help="Case tracker for the Assembly procedures relating to non-cooperation.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
calendar_app = typer.Typer(help="Assembly sessions and Bureau meetings.", no_args_is_help=True)
case_app = typer.Typer(help="Open, list, show and advance cases.", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
app.add_typer(case_app, name="case")

Json = Annotated[bool, typer.Option("--json", help="Machine output on stdout.")]
As = Annotated[str, typer.Option("--as", help="Act as this person (e-mail).")]


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"bad date {value!r} for {option}: write it as YYYY-MM-DD, "
                       "e.g. 2024-10-24", code="bad_date") from None


def _run(as_json: bool, work: Callable[[], Any], human: Callable[[Any], str] | None = None) -> None:
    try:
        result = work()
    except typer.Exit:
        raise
    except NoncoopError as exc:
        if as_json:
            typer.echo(json.dumps(exc.to_json(), ensure_ascii=False))
        else:
            typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except Exception as exc:  # the last guard: a message, never a traceback
        message = f"internal error ({type(exc).__name__}): {exc}. Nothing was saved by this command."
        text = str(exc)
        if "no such table" in text or "does not exist" in text and "relation" in text:
            message = (f"the database {store.database_url().split('@')[-1]} has no noncoop "
                       "tables yet: run `noncoop init` (or `noncoop demo`) first")
        elif isinstance(exc, OperationalError):
            message = (f"cannot use the database {store.database_url().split('@')[-1]}: "
                       f"{text.splitlines()[0]}. Check NONCOOP_DATABASE_URL and that the server runs.")
        if as_json:
            typer.echo(json.dumps({"error": {"code": "internal", "message": message}}))
        else:
            typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        typer.echo(human(result) if human else json.dumps(result, ensure_ascii=False, indent=1))


@app.command()
def init(as_json: Json = False, as_: As = services.ADMIN) -> None:
    """Create or migrate the database (idempotent)."""
    def work() -> dict[str, Any]:
        store.upgrade()
        return {"database": store.database_url().split("@")[-1], "schema": "head"}
    _run(as_json, work, lambda r: f"database ready: {r['database']}")


@app.command()
def demo(as_json: Json = False, as_: As = services.ADMIN) -> None:
    """init, then load the example calendar and cases (config/data/)."""
    from noncoop.demo import load_demo

    def work() -> dict[str, Any]:
        store.upgrade()
        with store.session() as db:
            return load_demo(db, by=as_)
    _run(as_json, work, lambda r: f"demo loaded: {r['cases']} cases, {r['sessions']} sessions")


# -- calendar ------------------------------------------------------------------------------

@calendar_app.command("add-session")
def add_session(number: Annotated[int, typer.Option()], start: Annotated[str, typer.Option()],
                end: Annotated[str, typer.Option()], venue: Annotated[str, typer.Option()] = "",
                kind: Annotated[str, typer.Option()] = "regular",
                as_json: Json = False, as_: As = services.ADMIN) -> None:
    """Record (or correct) a session of the Assembly."""
    def work() -> dict[str, Any]:
        with store.session() as db:
            return services.add_session(db, number, _date(start, "--start"),  # type: ignore[arg-type]
                                        _date(end, "--end"), venue, kind)  # type: ignore[arg-type]
    _run(as_json, work, lambda r: f"session {r['number']} ({r['kind']}): {r['start']} to {r['end']}")


@calendar_app.command("add-bureau-meeting")
def add_bureau_meeting(date: Annotated[str, typer.Option()],
                       place: Annotated[str, typer.Option()] = "",
                       as_json: Json = False, as_: As = services.ADMIN) -> None:
    """Record a meeting of the Bureau."""
    def work() -> dict[str, Any]:
        with store.session() as db:
            return services.add_bureau_meeting(db, _date(date, "--date"), place)  # type: ignore[arg-type]
    _run(as_json, work, lambda r: f"Bureau meeting on {r['date']}")


@calendar_app.command("list")
def calendar_list(as_json: Json = False, as_: As = services.ADMIN) -> None:
    """Sessions and Bureau meetings."""
    def work() -> dict[str, Any]:
        with store.session() as db:
            return services.list_calendar(db)

    def human(r: dict[str, Any]) -> str:
        lines = [f"session {s['number']:>3} {s['kind']:<8} {s['start']} to {s['end']}  {s['venue']}"
                 for s in r["sessions"]]
        lines += [f"Bureau meeting {m['date']}  {m['place']}" for m in r["bureau_meetings"]]
        return "\n".join(lines) or "the calendar is empty"
    _run(as_json, work, human)


@calendar_app.command("export")
def calendar_export(ics: Annotated[bool, typer.Option("--ics", help="iCalendar (the only format).")] = True,
                    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
                    as_json: Json = False, as_: As = services.ADMIN) -> None:
    """Sessions, Bureau meetings and open deadlines as an iCalendar file."""
    from noncoop import clock
    from noncoop.ics import export

    def work() -> dict[str, Any]:
        with store.session() as db:
            data = export(services.list_calendar(db), services.list_deadlines(db), clock.now())
        if output is None:
            sys.stdout.write(data.decode("utf-8"))
            raise typer.Exit(0)
        output.write_bytes(data)
        return {"written": str(output), "bytes": len(data)}
    _run(as_json, work, lambda r: f"written {r['written']}")


# -- cases ---------------------------------------------------------------------------------

@case_app.command("open")
def case_open(
    state: Annotated[str, typer.Option(help="The requested State.")],
    scenario: Annotated[str, typer.Option(help="7a or 7b (Annex II para 7).")],
    decision_ref: Annotated[str | None, typer.Option()] = None,
    decision_date: Annotated[str | None, typer.Option()] = None,
    chamber: Annotated[str | None, typer.Option()] = None,
    referred_to: Annotated[str | None, typer.Option(help="assembly[,security-council] or none")] = None,
    request: Annotated[str | None, typer.Option(help="art89 or art93")] = None,
    person: Annotated[str | None, typer.Option()] = None,
    summary: Annotated[str | None, typer.Option()] = None,
    travel_date: Annotated[str | None, typer.Option()] = None,
    ad_hoc_arrangement: Annotated[str | None, typer.Option(help="For a State not party (87(5)(b)).")] = None,
    as_json: Json = False, as_: As = services.ADMIN,
) -> None:
    """Open a case: a Court finding (7a) or an urgent incident (7b)."""
    def work() -> dict[str, Any]:
        referred = [r.strip() for r in (referred_to or "").split(",") if r.strip()]
        if scenario == "7a" and not referred:
            raise BadInput("a 7(a) case needs --referred-to: assembly, security-council, both "
                           "(comma-separated) or none")
        with store.session() as db:
            return services.open_case(
                db, state=state, scenario=scenario, by=as_, decision_ref=decision_ref,
                decision_date=_date(decision_date, "--decision-date"), chamber=chamber,
                referred_to=referred, request=request, person=person, summary=summary,
                travel_date=_date(travel_date, "--travel-date"),
                ad_hoc_arrangement=ad_hoc_arrangement)
    _run(as_json, work, lambda r: f"opened {r['id']} ({r['state']}, {r['scenario']})")


@case_app.command("list")
def case_list(status: Annotated[str | None, typer.Option()] = None,
              as_json: Json = False, as_: As = services.ADMIN) -> None:
    """The cases, by number."""
    def work() -> list[dict[str, Any]]:
        with store.session() as db:
            return services.list_cases(db, status)
    _run(as_json, work, lambda rows: "\n".join(
        f"{r['id']}  {r['status']:<6} {r['scenario']:<10} {r['state']}" for r in rows)
        or "no cases")


def _human_case(r: dict[str, Any]) -> str:
    lines = [f"{r['id']}  {r['state']} ({r['region']})  scenario {r['scenario']}  {r['status']}",
             f"decision: {r['decision']['ref'] or '-'} ({r['decision']['date'] or 'no date'}); "
             f"referred to: {', '.join(r['referred_to']) or 'nobody'}", "steps:"]
    for s in r["steps"]:
        extra = f" {s['date']}" if s.get("date") else ""
        extra += f" ({s['rule']}: {s['reason']})" if s.get("rule") else ""
        lines.append(f"  {s['step']:<26} {s['status']}{extra}")
    for d in r["deadlines"]:
        lines.append(f"deadline: {d['step']} {d['kind']} due {d['due']} ({d['status']})")
    lines.append(f"allowed now: {', '.join(r['allowed_actions']) or 'none'}")
    return "\n".join(lines)


@case_app.command("show")
def case_show(case_id: str, as_json: Json = False, as_: As = services.ADMIN) -> None:
    """One case: steps, deadlines, allowed actions, history."""
    def work() -> dict[str, Any]:
        with store.session() as db:
            return services.show_case(db, case_id)
    _run(as_json, work, _human_case)


@case_app.command("act")
def case_act(
    case_id: str, step: str,
    on: Annotated[str | None, typer.Option(help="When it happened (default today).")] = None,
    skip: Annotated[bool, typer.Option(help="Record the step as skipped.")] = False,
    reason: Annotated[str | None, typer.Option()] = None,
    param: Annotated[list[str] | None, typer.Option(help="KEY=VALUE, repeatable.")] = None,
    as_json: Json = False, as_: As = services.ADMIN,
) -> None:
    """Take, or skip with a reason, a step of the procedure."""
    def work() -> dict[str, Any]:
        params: dict[str, str] = {}
        for item in param or []:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise BadInput(f"bad --param {item!r}: write KEY=VALUE, e.g. action=send")
            params[key.strip()] = value.strip()
        with store.session() as db:
            return services.act(db, case_id, step, on=_date(on, "--on"), skip=skip,
                                reason=reason, params=params, by=as_)
    _run(as_json, work, _human_case)


@app.command()
def deadlines(as_of: Annotated[str | None, typer.Option(help="Count days left from this date.")] = None,
              case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
              who: Annotated[str | None, typer.Option("--who", help="Only this role or person.")] = None,
              as_json: Json = False, as_: As = services.ADMIN) -> None:
    """What is due, by date, per case and per person."""
    def work() -> list[dict[str, Any]]:
        with store.session() as db:
            return services.list_deadlines(db, _date(as_of, "--as-of"), case_id=case, who=who)

    def human(rows: list[dict[str, Any]]) -> str:
        return "\n".join(
            f"{r['due']}  {r['status']:<6} {r['case_id']}  {r['step']} {r['kind']}  "
            f"({r['who']}; {r['days_left']:+d} days)" for r in rows) or "nothing due"
    _run(as_json, work, human)


@app.command()
def sweep(as_of: Annotated[str | None, typer.Option(help="Sweep as on this date.")] = None,
          as_json: Json = False, as_: As = services.ADMIN) -> None:
    """One deadline and notice sweep, as the scheduler runs it."""
    from noncoop.sweep import sweep as run_sweep

    def work() -> dict[str, Any]:
        with store.session() as db:
            return run_sweep(db, _date(as_of, "--as-of"))
    _run(as_json, work, lambda r: f"sweep as of {r['as_of']}: {len(r['changed'])} deadline(s) "
         f"changed, {len(r['notices'])} notice(s) queued")


@app.command()
def worker(as_: As = services.ADMIN) -> None:
    """The scheduler alone: a catch-up sweep at start, then one sweep every few minutes."""
    from noncoop.scheduler import run_worker

    store.upgrade()
    run_worker()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
