"""Example data: the real sessions and findings of config/data/, some walked through their
recorded steps, so a newcomer sees a realistic picture at once."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from sqlmodel import Session, select

from noncoop import resources, services
from noncoop.store.models import CaseRow

DATA = resources.CONFIG / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_calendar(db: Session) -> int:
    rows = _rows("sessions.csv")
    for r in rows:
        services.add_session(db, int(r["number"]), dt.date.fromisoformat(r["start"]),
                             dt.date.fromisoformat(r["end"]), r["venue"], r["kind"])
    return len(rows)


def load_people(db: Session) -> int:
    """The example directory; people already in it are left as they are."""
    from noncoop import people
    from noncoop.errors import BadInput

    added = 0
    for r in _rows("people.csv"):
        try:
            people.add_person(db, name=r["name"], email=r["email"], role=r["role"],
                              region=r["region"] or None, lang=r["lang"],
                              president=r["president"] == "true",
                              active_from=dt.date.fromisoformat(r["active_from"]))
            added += 1
        except BadInput as exc:
            if exc.code != "person_exists":
                raise
    return added


# The Assembly adopted its procedures on non-cooperation at its tenth session, 12-21 December
# 2011 (ICC-ASP/10/Res.5, annex; recalled in ICC-ASP/17/Res.5 para 29). A time limit of those
# procedures that fell before then never ran: the demo waives it, with that reason on the record.
PROCEDURES_ADOPTED = dt.date(2011, 12, 21)
BEFORE_PROCEDURES = ("the time limit fell before the Assembly adopted its procedures on "
                     "non-cooperation at its tenth session, 12-21 December 2011 "
                     "(ICC-ASP/10/Res.5, annex)")
# A decision whose reference the public record at hand does not give at all: said as such,
# never made up (findings.csv gives at least the situation number where the document's own
# number is not known).
NO_NUMBER = "document number to be added"


def load_demo(db: Session, by: str = services.ADMIN) -> dict[str, Any]:
    """The sessions, the directory and the real findings of config/data/, each with what the
    public record says the Assembly did on it, recorded through the services as a user would."""
    n_sessions = load_calendar(db)
    load_people(db)
    if db.exec(select(CaseRow)).first() is not None:
        return {"cases": len(services.list_cases(db)), "sessions": n_sessions,
                "note": "cases already present: none added"}
    opened = []
    for r in _rows("findings.csv"):
        referred = [x for x in r["referred_to"].split(",") if x and x != "none"]
        case = services.open_case(
            db, state=r["state"], scenario="7a", by=by, decision_ref=r["document"] or NO_NUMBER,
            decision_date=dt.date.fromisoformat(r["decision_date"]), chamber=r["chamber"],
            referred_to=referred or ["none"], request=r["request"], person=r["person"],
            summary=r["circumstances"])
        opened.append((case["id"], r))
    for case_id, r in opened:
        _walk(db, case_id, r, by)
    return {"cases": len(opened), "sessions": n_sessions}


def _walk(db: Session, case_id: str, r: dict[str, str], by: str) -> None:
    """What the public record shows of the Assembly's action on a finding referred to it: only
    that. A step it does not date is left unrecorded (its deadline shows as missed), rather
    than dated by guess."""
    if "assembly" not in r["referred_to"]:
        return
    for d in services.show_case(db, case_id, by=by)["deadlines"]:
        if d["status"] == "open" and dt.date.fromisoformat(d["due"]) < PROCEDURES_ADOPTED:
            services.act(db, case_id, "waive_deadline", reason=BEFORE_PROCEDURES,
                         params={"step": d["step"], "kind": d["kind"]}, by=by)
    for entry in r["assembly_steps"].split(";"):
        if entry.strip():  # "STEP YYYY-MM-DD": a step the public record dates
            step, day = entry.split()
            services.act(db, case_id, step, on=dt.date.fromisoformat(day), by=by)
    if r["closed_on"]:
        services.act(db, case_id, "close", on=dt.date.fromisoformat(r["closed_on"]),
                     params={"outcome": r["outcome"]}, reason=r["outcome_note"] or None, by=by)
