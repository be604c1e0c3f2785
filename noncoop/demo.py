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


def load_demo(db: Session, by: str = services.ADMIN) -> dict[str, Any]:
    n_sessions = load_calendar(db)
    load_people(db)
    if db.exec(select(CaseRow)).first() is not None:
        return {"cases": len(services.list_cases(db)), "sessions": n_sessions,
                "note": "cases already present: none added"}
    opened = []
    for r in _rows("findings.csv"):
        referred = [x for x in r["referred_to"].split(",") if x and x != "none"]
        case = services.open_case(
            db, state=r["state"], scenario="7a", by=by, decision_ref=r["document"] or
            f"{r['chamber']} decision of {r['decision_date']} (document number not recorded)",
            decision_date=dt.date.fromisoformat(r["decision_date"]), chamber=r["chamber"],
            referred_to=referred or ["none"], request="art93" if "art. 93" in r[
                "person_or_situation"] else "art89", person=r["person_or_situation"])
        opened.append((case["id"], r))
    for case_id, r in opened:
        _walk(db, case_id, r, by)
    return {"cases": len(opened), "sessions": n_sessions}


def _walk(db: Session, case_id: str, r: dict[str, str], by: str) -> None:
    """The steps the public record shows for a finding referred to the Assembly."""
    if "assembly" not in r["referred_to"]:
        return
    decided = dt.date.fromisoformat(r["decision_date"])
    day = dt.timedelta(days=1)
    services.act(db, case_id, "forward_decision", on=decided + day, by=by)
    services.act(db, case_id, "press_release", on=decided + day, by=by)
    if decided.year >= 2016:
        services.act(db, case_id, "open_letter", on=decided + 4 * day,
                     params={"action": "send", "reply_days": "30"}, by=by)
    services.act(db, case_id, "omnibus_notation", on=decided + 60 * day, by=by)
    if "Referral reversed on appeal" in r["outcome_note"]:
        services.act(db, case_id, "close", on=dt.date(2019, 5, 6),
                     params={"outcome": "reversed_on_appeal"}, by=by)
