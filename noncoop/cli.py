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

from noncoop.errors import BadInput, NoncoopError
from noncoop.identity import ADMIN, WAY_IN
from noncoop.lazy import Lazy


def _commands(**options: Any) -> typer.Typer:
    """A group of commands whose help is plain text: rendering it with rich would import rich's
    markdown and syntax modules, a quarter of a second, for every --help."""
    return typer.Typer(rich_markup_mode=None, **options)


# Imported by the commands that use them, not by `noncoop --help` (noncoop/lazy.py).
access, services, store = Lazy("noncoop.access"), Lazy("noncoop.services"), Lazy("noncoop.store.db")

app = _commands(help="Case tracker for the Assembly procedures relating to non-cooperation.",
               no_args_is_help=True, pretty_exceptions_enable=False)
calendar_app = _commands(help="Assembly sessions and Bureau meetings.", no_args_is_help=True)
case_app = _commands(help="Open, list, show and advance cases.", no_args_is_help=True)
letters_app = _commands(help="Letters of the procedure: draft, issue, register.", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
app.add_typer(case_app, name="case")
app.add_typer(letters_app, name="letters")
people_app = _commands(help="The people noncoop tells things to.", no_args_is_help=True)
tasks_app = _commands(help="What each person has to do.", invoke_without_command=True)
outbox_app = _commands(help="E-mails to send, sent, and dead letters.", no_args_is_help=True)
app.add_typer(people_app, name="people")
app.add_typer(tasks_app, name="tasks")
app.add_typer(outbox_app, name="outbox")

PEOPLE_KEEPERS = ("secretariat", "president_office")  # contact points and the outbox (para 23)
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


def _write(output: Path, data: bytes) -> None:
    """Write a file the user named (-o): a path that cannot be written is bad input."""
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise BadInput(f"cannot write {output}: {exc.strerror or exc}; check that the folder "
                       "exists and may be written to", code="cannot_write") from None


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
        elif type(exc).__name__ == "OperationalError" and "sqlalchemy" in type(exc).__module__:
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
def init(as_json: Json = False, as_: As = ADMIN) -> None:
    """Create or migrate the database (idempotent)."""
    def work() -> dict[str, Any]:
        store.upgrade()
        return {"database": store.database_url().split("@")[-1], "schema": "head"}
    _run(as_json, work, lambda r: f"database ready: {r['database']}")


@app.command()
def demo(as_json: Json = False, as_: As = ADMIN) -> None:
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
                as_json: Json = False, as_: As = ADMIN) -> None:
    """Record (or correct) a session of the Assembly."""
    def work() -> dict[str, Any]:
        with store.session() as db:
            return services.add_session(db, number, _date(start, "--start"),  # type: ignore[arg-type]
                                        _date(end, "--end"), venue, kind, by=as_)  # type: ignore[arg-type]
    _run(as_json, work, lambda r: f"session {r['number']} ({r['kind']}): {r['start']} to {r['end']}")


@calendar_app.command("add-bureau-meeting")
def add_bureau_meeting(date: Annotated[str, typer.Option()],
                       place: Annotated[str, typer.Option()] = "",
                       as_json: Json = False, as_: As = ADMIN) -> None:
    """Record a meeting of the Bureau."""
    def work() -> dict[str, Any]:
        with store.session() as db:
            return services.add_bureau_meeting(db, _date(date, "--date"), place, by=as_)  # type: ignore[arg-type]
    _run(as_json, work, lambda r: f"Bureau meeting on {r['date']}")


@calendar_app.command("list")
def calendar_list(as_json: Json = False, as_: As = ADMIN) -> None:
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
                    as_json: Json = False, as_: As = ADMIN) -> None:
    """Sessions, Bureau meetings and open deadlines as an iCalendar file."""
    from noncoop import clock
    from noncoop.ics import calendar_file

    def work() -> dict[str, Any]:
        with store.session() as db:
            data = calendar_file(db, as_, clock.now())
        if output is None:
            sys.stdout.write(data.decode("utf-8"))
            raise typer.Exit(0)
        _write(output, data)
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
    duplicate_reason: Annotated[str | None, typer.Option(
        help="Open a second case on a decision another case holds, saying why.")] = None,
    as_json: Json = False, as_: As = ADMIN,
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
                ad_hoc_arrangement=ad_hoc_arrangement, duplicate_reason=duplicate_reason)
    _run(as_json, work, lambda r: f"opened {r['id']} ({r['state']}, {r['scenario']})")


@case_app.command("list")
def case_list(status: Annotated[str | None, typer.Option()] = None,
              as_json: Json = False, as_: As = ADMIN) -> None:
    """The cases, by number."""
    def work() -> list[dict[str, Any]]:
        with store.session() as db:
            return services.list_cases(db, status, by=as_)
    _run(as_json, work, lambda rows: "\n".join(
        f"{r['id']}  {r['status']:<6} {r['scenario']:<10} {r['state']}" + _countdown(r)
        for r in rows) or "no cases")


def _countdown(r: dict[str, Any]) -> str:
    travel = r.get("travel")
    if not travel:
        return ""
    days = travel["days_left"]
    return (f"  travel {travel['date']}: in {days} day(s)" if days >= 0
            else f"  travel {travel['date']}: {-days} day(s) ago")


def _human_case(r: dict[str, Any]) -> str:
    lines = [f"{r['id']}  {r['state']} ({r['region']})  scenario {r['scenario']}  {r['status']}",
             f"decision: {r['decision']['ref'] or '-'} ({r['decision']['date'] or 'no date'}); "
             f"referred to: {', '.join(r['referred_to']) or 'nobody'}", "steps:"]
    first: dict[tuple[str, str], str] = {}  # a reason of several steps is written once
    for s in r["steps"]:
        extra = f" {s['date']}" if s.get("date") else ""
        if s.get("rule"):
            why = (s["rule"], s["reason"])
            extra += (f" ({s['rule']}: same reason as {first[why]})" if why in first
                      else f" ({s['rule']}: {s['reason']})")
            first.setdefault(why, s["step"])
        lines.append(f"  {s['step']:<26} {s['status']}{extra}")
    for d in r["deadlines"]:
        lines.append(f"deadline: {d['step']} ({d['kind']}) {d['due']}, {d['status']}")
    if r.get("travel"):
        lines.append(_countdown(r).strip() + (f" (outcome: {r['travel']['outcome']})"
                                              if r["travel"].get("outcome") else ""))
        if r["travel"].get("next"):
            lines.append(f"next: {r['travel']['next']}")
    lines.append(f"allowed now: {', '.join(r['allowed_actions']) or 'none'}")
    return "\n".join(lines)


@case_app.command("show")
def case_show(case_id: str, as_json: Json = False, as_: As = ADMIN) -> None:
    """One case: steps, deadlines, allowed actions, history."""
    def work() -> dict[str, Any]:
        with store.session() as db:
            return services.show_case(db, case_id, by=as_)
    _run(as_json, work, _human_case)


@case_app.command("act")
def case_act(
    case_id: str, step: str,
    on: Annotated[str | None, typer.Option(help="When it happened (default today).")] = None,
    skip: Annotated[bool, typer.Option(help="Record the step as skipped.")] = False,
    reason: Annotated[str | None, typer.Option()] = None,
    param: Annotated[list[str] | None, typer.Option(help="KEY=VALUE, repeatable.")] = None,
    as_json: Json = False, as_: As = ADMIN,
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
              who: Annotated[str | None, typer.Option("--who", help="Only those this role holds.")] = None,
              as_json: Json = False, as_: As = ADMIN) -> None:
    """What is due, by date, per case and per person."""
    def work() -> list[dict[str, Any]]:
        with store.session() as db:
            return services.list_deadlines(db, _date(as_of, "--as-of"), case_id=case, who=who,
                                           by=as_)

    def when(days_left: int) -> str:
        days = abs(days_left)
        counted = f"{days} day" if days == 1 else f"{days} days"
        return "today" if not days else f"in {counted}" if days_left > 0 else f"{counted} late"

    def human(rows: list[dict[str, Any]]) -> str:
        return "\n".join(
            f"{r['due']}  {r['status']:<6} {r['case_id']}  {r['step']} ({r['kind']})  "
            f"{r['who']}, {when(r['days_left'])}" for r in rows) or "nothing due"
    _run(as_json, work, human)


@app.command()
def sweep(as_of: Annotated[str | None, typer.Option(help="Sweep as on this date.")] = None,
          as_json: Json = False, as_: As = ADMIN) -> None:
    """One deadline and notice sweep, as the scheduler runs it."""
    from noncoop.sweep import sweep as run_sweep

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), access.FORMAL_ACTORS, "a sweep")
            return run_sweep(db, _date(as_of, "--as-of"))
    _run(as_json, work, lambda r: f"sweep as of {r['as_of']}: {len(r['changed'])} deadline(s) "
         f"changed, {len(r['notices'])} notice(s) queued, {len(r['skipped'])} case(s) skipped")


# -- letters -------------------------------------------------------------------------------

Lang = Annotated[str, typer.Option("--lang", help="en or fr.")]
Format = Annotated[str, typer.Option("--format", help="html, docx or pdf.")]
Output = Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")]


def _deliver(content: bytes, fmt: str, output: Path | None, extra: dict[str, Any]) -> dict[str, Any]:
    """Write the document to -o, or HTML to stdout; binary formats need a file."""
    import hashlib

    if output is None:
        if fmt != "html":
            raise BadInput(f"a {fmt} document is written to a file: add -o FILE.{fmt}")
        sys.stdout.write(content.decode("utf-8"))
        raise typer.Exit(0)
    _write(output, content)
    return {**extra, "written": str(output), "bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest()}


@letters_app.command("render")
def letters_render(case_id: str, template: str, lang: Lang = "en", fmt: Format = "html",
                   output: Output = None, as_json: Json = False, as_: As = ADMIN) -> None:
    """Draft a letter of a case (marked DRAFT, not numbered, not stored)."""
    from noncoop.letters import register

    def work() -> dict[str, Any]:
        with store.session() as db:
            content = register.render(db, case_id, template, lang, fmt, by=as_)
        return _deliver(content, fmt, output, {"case_id": case_id, "template": template})
    _run(as_json, work, lambda r: f"written {r['written']} ({r['bytes']} bytes)")


@letters_app.command("issue")
def letters_issue(case_id: str, template: str, lang: Lang = "en", fmt: Format = "html",
                  corrects: Annotated[str | None, typer.Option(help="The letter it corrects.")] = None,
                  on: Annotated[str | None, typer.Option(help="Date of the letter (default today).")] = None,
                  as_json: Json = False, as_: As = ADMIN) -> None:
    """Issue a letter: the next register number; stored exactly as issued."""
    from noncoop.letters import register

    def work() -> dict[str, Any]:
        with store.session() as db:
            return register.issue(db, case_id, template, lang=lang, fmt=fmt, by=as_,
                                  on=_date(on, "--on"), corrects=corrects)
    _run(as_json, work, lambda r: f"issued {r['reference']} ({r['template']}, {r['lang']}) to "
         f"{len(r['recipients'])} recipient(s)")


@letters_app.command("list")
def letters_list(case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
                 as_json: Json = False, as_: As = ADMIN) -> None:
    """The register of issued letters."""
    from noncoop.letters import register

    def work() -> list[dict[str, Any]]:
        with store.session() as db:
            return register.list_letters(db, case, by=as_)
    _run(as_json, work, lambda rows: "\n".join(
        f"{r['reference']:<20} {r['issued_on']}  {r['case_id'] or '-':<12} {r['template']} "
        f"({r['lang']})" + (f"  corrected by {r['corrected_by']}" if r["corrected_by"] else "")
        for r in rows) or "no letters issued")


@letters_app.command("show")
def letters_show(reference: str, output: Output = None, as_json: Json = False,
                 as_: As = ADMIN) -> None:
    """A letter of the register; with -o, its bytes exactly as issued."""
    from noncoop.letters import register

    def work() -> dict[str, Any]:
        with store.session() as db:
            entry, content = register.show(db, reference, by=as_)
        if output is not None:
            _write(output, content)
            entry["written"] = str(output)
        return entry
    _run(as_json, work, lambda r: "\n".join(f"{k}: {v}" for k, v in r.items() if k != "recipients")
         + f"\nrecipients: {len(r['recipients'])}")


@letters_app.command("templates")
def letters_templates(as_json: Json = False, as_: As = ADMIN) -> None:
    """The letters of the procedure, with their step and Annex II paragraph."""
    from noncoop.letters.render import catalogue

    def work() -> list[dict[str, Any]]:
        return [{"template": d.name, "step": d.step, "paragraph": d.paragraph, "form": d.form,
                 "to": list(d.to)} for d in catalogue().values()]
    _run(as_json, work, lambda rows: "\n".join(
        f"{r['template']:<30} para {r['paragraph']:<7} {r['form']:<13} to {', '.join(r['to'])}"
        for r in rows))


@letters_app.command("report")
def letters_report(session: Annotated[int | None, typer.Option(help="Default: the next.")] = None,
                   period_from: Annotated[str | None, typer.Option("--from")] = None,
                   period_to: Annotated[str | None, typer.Option("--to")] = None,
                   lang: Lang = "en", fmt: Format = "html", output: Output = None,
                   as_json: Json = False, as_: As = ADMIN) -> None:
    """Draft the Bureau's report on non-cooperation to a session (Annex II para 15)."""
    from noncoop.letters import register

    def work() -> dict[str, Any]:
        with store.session() as db:
            content = register.report(db, session, lang, fmt, _date(period_from, "--from"),
                                      _date(period_to, "--to"), by=as_)
        return _deliver(content, fmt, output, {"report": "bureau_report", "session": session})
    _run(as_json, work, lambda r: f"written {r['written']} ({r['bytes']} bytes)")


# -- people, tasks, outbox ---------------------------------------------------------------

@people_app.command("add")
def people_add(name: Annotated[str, typer.Option()], email: Annotated[str, typer.Option()],
               role: Annotated[str, typer.Option(help="president_office, secretariat, focal_point, "
                                                       "bureau or admin")],
               region: Annotated[str | None, typer.Option(help="A focal point's region.")] = None,
               lang: Lang = "en",
               president: Annotated[bool, typer.Option(help="The President (ex officio).")] = False,
               president_asked: Annotated[bool, typer.Option(help="A fifth focal point (para 17).")] = False,
               active_from: Annotated[str | None, typer.Option("--from")] = None,
               active_until: Annotated[str | None, typer.Option("--until")] = None,
               as_json: Json = False, as_: As = ADMIN) -> None:
    """Add a person to the directory."""
    from noncoop import people

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), PEOPLE_KEEPERS, "the directory")
            return people.add_person(db, name=name, email=email, role=role, region=region,
                                     lang=lang, president=president,
                                     president_asked=president_asked,
                                     active_from=_date(active_from, "--from"),
                                     active_until=_date(active_until, "--until"))
    _run(as_json, work, lambda r: f"added {r['name']} <{r['email']}> ({r['role']})")


@people_app.command("list")
def people_list(role: Annotated[str | None, typer.Option()] = None,
                active_on: Annotated[str | None, typer.Option("--active-on")] = None,
                as_json: Json = False, as_: As = ADMIN) -> None:
    """The directory (everyone, or those active on a date)."""
    from noncoop import people

    def work() -> list[dict[str, Any]]:
        with store.session() as db:
            return people.list_people(db, role, _date(active_on, "--active-on"), by=as_)
    _run(as_json, work, lambda rows: "\n".join(
        f"{r['email']:<32} {r['role']:<16} {r['region'] or '':<36} {r['lang']} "
        f"{r['active_from']}..{r['active_until'] or ''}" for r in rows) or "nobody")


@people_app.command("end")
def people_end(email: str, on: Annotated[str | None, typer.Option()] = None,
               as_json: Json = False, as_: As = ADMIN) -> None:
    """End a person's active period (kept on record)."""
    from noncoop import people

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), PEOPLE_KEEPERS, "the directory")
            return people.end_person(db, email, _date(on, "--on"))
    _run(as_json, work, lambda r: f"{r['email']} active until {r['active_until']}")


@tasks_app.callback()
def tasks_list(ctx: typer.Context,
               for_: Annotated[str | None, typer.Option("--for", help="This person's tasks.")] = None,
               all_: Annotated[bool, typer.Option("--all", help="Closed ones too.")] = False,
               as_json: Json = False, as_: As = ADMIN) -> None:
    """Open tasks by due date (`noncoop tasks --for EMAIL`)."""
    from noncoop import tasks

    if ctx.invoked_subcommand is not None:
        return

    def work() -> list[dict[str, Any]]:
        with store.session() as db:
            return tasks.list_tasks(db, for_, None if all_ else "open", by=as_)
    _run(as_json, work, lambda rows: "\n".join(
        f"#{r['id']:<5} {r['due'] or '-':<10} {r['status']:<9} {r['case_id']:<12} {r['assignee']:<24} "
        f"{r['title']}" for r in rows) or "no tasks")


def _close_task(task_id: int, outcome: str, note: str | None, as_json: bool, by: str) -> None:
    from noncoop import tasks

    def work() -> dict[str, Any]:
        with store.session() as db:
            return tasks.close(db, task_id, outcome, note, by)
    _run(as_json, work, lambda r: f"task #{r['id']} {r['status']}")


@tasks_app.command("done")
def tasks_done(task_id: int, note: Annotated[str | None, typer.Option()] = None,
               as_json: Json = False, as_: As = ADMIN) -> None:
    """Mark a request for assistance done, with a note."""
    _close_task(task_id, "done", note, as_json, as_)


@tasks_app.command("decline")
def tasks_decline(task_id: int, note: Annotated[str, typer.Option()] = "",
                  as_json: Json = False, as_: As = ADMIN) -> None:
    """Decline a task, with a note saying why."""
    _close_task(task_id, "declined", note, as_json, as_)


@outbox_app.command("list")
def outbox_list(status: Annotated[str | None, typer.Option(help="pending, sent or dead")] = None,
                as_json: Json = False, as_: As = ADMIN) -> None:
    """The outbox: messages and notices that reached nobody."""
    from noncoop.notify.outbox import list_outbox

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), PEOPLE_KEEPERS, "the outbox")
            return list_outbox(db, status)

    def human(r: dict[str, Any]) -> str:
        # Everything the JSON holds, one line each: messages, then the notices not (yet) sent.
        lines = [f"#{m['id']:<5} {m['status']:<8} {m['attempts']} {m['to']:<30} {m['subject']}"
                 + (f"  [{m['last_error']}]" if m["last_error"] else "") for m in r["messages"]]
        lines += [_notice_line(n) for n in r["notices"]]
        return "\n".join(lines) or "the outbox is empty"
    _run(as_json, work, human)


def _notice_line(n: dict[str, Any]) -> str:
    about = f"notice {n['id']} ({n['kind']}, {n['case_id'] or 'no case'})"
    error = f"  [{n['last_error']}]" if n["last_error"] else ""
    if n["status"] == "no_recipient":
        return f"{about} reached nobody: no active {', '.join(n['to'])}"
    if n["status"] == "dead":
        return (f"{about} dead after {n['attempts']} attempt(s), never sent: noncoop outbox "
                f"retry --notice {n['id']}{error}")
    tried = f", {n['attempts']} attempt(s) failed" if n["attempts"] else ""
    return f"{about} {n['status']}: to be written as e-mails by the next dispatch{tried}{error}"


@outbox_app.command("dispatch")
def outbox_dispatch(as_json: Json = False, as_: As = ADMIN) -> None:
    """Send what is due now."""
    from noncoop.notify.dispatch import dispatch

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), PEOPLE_KEEPERS, "the outbox")
            return dispatch(db)
    _run(as_json, work, lambda r: f"{r['expanded']} notice(s) expanded; {len(r['sent'])} sent, "
         f"{len(r['failed'])} to retry, {len(r['dead'])} dead")


@outbox_app.command("retry")
def outbox_retry(ids: Annotated[list[int] | None, typer.Argument(
                     help="Messages (default: every dead letter and every dead notice).")] = None,
                 notices: Annotated[list[int] | None, typer.Option(
                     "--notice", help="A dead notice to compose again (repeatable).")] = None,
                 as_json: Json = False, as_: As = ADMIN) -> None:
    """Send dead letters again, and compose dead notices again (never about a closed case)."""
    from noncoop.notify.outbox import retry

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), PEOPLE_KEEPERS, "the outbox")
            return retry(db, ids, notices)

    def human(r: dict[str, Any]) -> str:
        lines = [f"{len(r['messages'])} message(s) to send again, {len(r['notices'])} "
                 "notice(s) to compose again"]
        lines += [f"skipped {'message' if 'message' in s else 'notice'} "
                  f"{s.get('message', s.get('notice'))}: {s['reason']}" for s in r["skipped"]]
        return "\n".join(lines)
    _run(as_json, work, human)


user_app = _commands(help="Logins for the web app, and API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _password(from_stdin: bool) -> str:
    """A password from standard input (one line), or asked for twice on the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():  # a pipe or a file: no one to ask, nor to type it twice
        raise BadInput("no terminal to ask the password on: give it on standard input with "
                       "--password-stdin", code="no_terminal")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def user_add(email: Annotated[str, typer.Option()],
             role: Annotated[str, typer.Option(help="The person's role in the directory, or admin.")],
             password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
             as_json: Json = False, as_: As = ADMIN) -> None:
    """A login for the web app (the password is asked for, or read from standard input with
    --password-stdin)."""
    from noncoop import accounts

    def work() -> dict[str, Any]:
        password = _password(password_stdin)
        with store.session() as db:
            access.require(access.viewer(db, as_), ("admin",), "logins")
            return accounts.add_user(db, email, role, password)
    _run(as_json, work, lambda r: f"login added for {r['email']} ({r['role']})")


@user_app.command("token")
def user_token(email: str, name: Annotated[str, typer.Option(help="What the token is for.")] = "script",
               days: Annotated[int, typer.Option(help="Days until it expires.")] = 365,
               scope: Annotated[str, typer.Option(help="read (GET only) or act.")] = "act",
               as_json: Json = False, as_: As = ADMIN) -> None:
    """A new API token for scripts (shown once)."""
    from noncoop import accounts

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), ("admin",), "API tokens")
            return {"email": email, "name": name, "scope": scope, "days": days,
                    "token": accounts.new_token(db, email, name, days, scope)}
    _run(as_json, work, lambda r: r["token"])


@user_app.command("revoke-token")
def user_revoke_token(email: str,
                      name: Annotated[str | None, typer.Option(help="The token's name; "
                                                               "without it, all of them.")] = None,
                      as_json: Json = False, as_: As = ADMIN) -> None:
    """Revoke a login's API tokens: the one named, or all."""
    from noncoop import accounts

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), ("admin",), "API tokens")
            return {"email": email, "revoked": accounts.revoke_tokens(db, email, name)}
    _run(as_json, work, lambda r: f"revoked {r['revoked']} token(s) of {r['email']}")


@user_app.command("disable")
def user_disable(email: str, as_json: Json = False, as_: As = ADMIN) -> None:
    """The login can no longer sign in; its open sessions end and its tokens stop working."""
    from noncoop import accounts

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), ("admin",), "logins")
            return accounts.disable(db, email)
    _run(as_json, work, lambda r: f"{r['email']} disabled: its sessions ended")


@user_app.command("password")
def user_password(email: str,
                  password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
                  as_json: Json = False, as_: As = ADMIN) -> None:
    """A new password for a login; every session signed in before it ends."""
    from noncoop import accounts

    def work() -> dict[str, Any]:
        password = _password(password_stdin)
        with store.session() as db:
            access.require(access.viewer(db, as_), ("admin",), "logins")
            return accounts.set_password(db, email, password)
    _run(as_json, work, lambda r: f"password changed for {r['email']}: its sessions ended")


@app.command()
def serve(host: Annotated[str, typer.Option()] = "127.0.0.1",
          port: Annotated[int, typer.Option()] = 8000,
          scheduler: Annotated[bool, typer.Option(help="Run the sweeps and the outbox here.")] = True,
          as_: As = ADMIN) -> None:
    """The web app and the API, with the scheduler in the same process."""
    import uvicorn

    from noncoop.web.app import create_app

    store.upgrade()
    uvicorn.run(create_app(scheduler=scheduler), host=host, port=port, proxy_headers=True)


audit_app = _commands(help="The tamper-evident event log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(as_json: Json = False, as_: As = ADMIN) -> None:
    """Check the hash chain of every case's events; name the first broken link."""
    from noncoop import audit
    from noncoop.errors import Refused

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), access.FORMAL_ACTORS, "the audit")
            result = audit.verify(db)
        if not result["ok"]:
            broken = result["first_broken"]
            raise Refused(f"the event log was altered: the first broken link is event "
                          f"{broken['seq']} of {broken['case_id']}: {broken['reason']}",
                          code="audit_broken", first_broken=broken)
        return result
    _run(as_json, work, lambda r: f"the event log holds: {r['events']} events of {r['cases']} cases")


@audit_app.command("sign")
def audit_sign(as_json: Json = False, as_: As = ADMIN) -> None:
    """Sign every chain's head with NONCOOP_AUDIT_KEY, once the chains are found whole (a
    database from before the heads were signed, or a new key)."""
    from noncoop import audit

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), ("admin",), "signing the audit heads")
            return {"signed": audit.sign_heads(db)}
    _run(as_json, work, lambda r: f"signed the heads of {r['signed']} cases")


@app.command("export")
def export_cmd(output: Annotated[Path, typer.Option("-o", "--output", help="FILE.jsonl")],
               as_json: Json = False, as_: As = ADMIN) -> None:
    """Everything, losslessly, as JSON lines (import it into an empty database)."""
    from noncoop import backup

    def work() -> dict[str, Any]:
        with store.session() as db:
            access.require(access.viewer(db, as_), ("admin",), "export")
            return backup.export(db, output)
    _run(as_json, work, lambda r: f"written {r['written']}: {r['lines']} lines")


@app.command("import")
def import_cmd(path: Path, as_json: Json = False, as_: As = ADMIN) -> None:
    """Load an export into an empty database (it is created or migrated first)."""
    from noncoop import backup

    def work() -> dict[str, Any]:
        store.upgrade()
        with store.session() as db:
            access.require(access.viewer(db, as_), ("admin",), "import")
            return backup.import_(db, path)
    _run(as_json, work, lambda r: f"imported {sum(r['rows'].values())} rows from {r['imported']}")


BENCHMARKS = ("cli", "transition", "sweep", "letters", "web", "scale")  # bench/<name>.py


@app.command()
def bench(quick: Annotated[bool, typer.Option(help="Smaller data: well under a minute each.")] = False,
          only: Annotated[list[str] | None, typer.Option(help=", ".join(BENCHMARKS))] = None,
          as_json: Json = False, as_: As = ADMIN) -> None:
    """Run the benchmarks of bench/ and print each as a ratio to its baseline in the same run."""
    import importlib

    from noncoop import resources

    bench_dir = resources.BENCH

    def work() -> dict[str, Any]:
        if not bench_dir.is_dir():
            raise BadInput(f"no bench/ folder in the package or the checkout ({bench_dir})")
        sys.path.insert(0, str(bench_dir))
        names = only or list(BENCHMARKS)
        for name in names:
            if name not in BENCHMARKS:
                raise BadInput(f"unknown benchmark {name!r}: use {', '.join(BENCHMARKS)}")
        # All imported before any runs: one that cannot run (web without the [bench] extra)
        # says so at once, not after the others' minutes.
        modules = [importlib.import_module(name) for name in names]
        # bench/common.py: the environment kept, each target's bound and whether it was met.
        from common import judged, kept_environ

        rows: list[dict[str, Any]] = []
        # The benchmarks point the app at databases and settings of their own.
        with kept_environ("NONCOOP_DATABASE_URL", "NONCOOP_SECRET_KEY"):
            for module in modules:
                rows += module.run(quick)

        return {"benchmarks": judged(rows)}

    def human(r: dict[str, Any]) -> str:
        from common import table  # bench/common.py

        return table(r["benchmarks"])
    _run(as_json, work, human)


@app.command()
def worker(as_: As = ADMIN) -> None:
    """The scheduler alone: a catch-up sweep at start, then one sweep every few minutes."""
    from noncoop.scheduler import run_worker

    store.upgrade()
    run_worker()


def main() -> None:
    WAY_IN.set("cli")  # for the access log
    for number, arg in enumerate(sys.argv[1:], start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # bytes the shell passed that are not UTF-8
            message = (f"argument {number} is not UTF-8 text ({arg.encode('utf-8', 'replace')!r}): "
                       "write it in UTF-8")
            if "--json" in sys.argv:
                print(json.dumps({"error": {"code": "bad_text", "message": message}}))
            else:
                print(f"error: {message}", file=sys.stderr)
            raise SystemExit(2) from None
    app()


if __name__ == "__main__":
    main()
