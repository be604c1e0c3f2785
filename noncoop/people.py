"""The directory of people noncoop tells things to (SPEC "Who uses it"), who among them a notice
goes to, and who may receive what about a case (SPEC "Confidentiality")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlmodel import Session, col, or_, select

from noncoop import clock, states
from noncoop.domain.case import Case
from noncoop.errors import BadInput
from noncoop.store.models import PersonRow

ROLES = ("president_office", "secretariat", "focal_point", "bureau", "admin")
LANGS = ("en", "fr")
# Short names people use for the regional groups (SPEC "Who uses it").
REGION_ALIASES = {"african": "African States", "africa": "African States",
                  "asia-pacific": "Asia-Pacific States", "asia": "Asia-Pacific States",
                  "eastern european": "Eastern European States", "eeg": "Eastern European States",
                  "grulac": "Latin American and Caribbean States",
                  "weog": "Western European and other States"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def region_of(name: str) -> str:
    """A regional group by its name or a usual short name (GRULAC, WEOG, ...)."""
    for group in states.groups():
        if name.strip().casefold() in (group.casefold(), group.casefold().removesuffix(" states")):
            return group
    found = REGION_ALIASES.get(name.strip().casefold())
    if found is None:
        raise BadInput(f"unknown regional group {name!r}: use one of {', '.join(states.groups())} "
                       "(or GRULAC, WEOG)", code="unknown_region")
    return found


def add_person(db: Session, *, name: str, email: str, role: str, region: str | None = None,
               lang: str = "en", president: bool = False, active_from: dt.date | None = None,
               active_until: dt.date | None = None) -> dict[str, Any]:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise BadInput(f"bad e-mail address {email!r}: write it as name@example.org")
    if role not in ROLES:
        raise BadInput(f"unknown role {role!r}: use one of {', '.join(ROLES)}", code="unknown_role")
    if lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}: use en or fr")
    if role == "focal_point" and not region:
        raise BadInput("a focal point is appointed for a regional group (para 17): add --region")
    if president and role != "president_office":
        raise BadInput("--president goes with --role president_office")
    if not name.strip():
        raise BadInput("a person needs a --name")
    if db.exec(select(PersonRow).where(PersonRow.email == email)).first() is not None:
        raise BadInput(f"{email} is already in the directory: see noncoop people list",
                       code="person_exists")
    start = active_from or clock.today()
    if active_until is not None and active_until < start:
        raise BadInput(f"the active period ends ({active_until}) before it starts ({start})")
    row = PersonRow(email=email, name=name.strip(), role=role,
                    region=region_of(region) if region else None, lang=lang,
                    president=president, active_from=start, active_until=active_until)
    db.add(row)
    db.commit()
    return person_json(row)


def end_person(db: Session, email: str, on: dt.date | None = None) -> dict[str, Any]:
    """End a person's active period (a term ends, someone leaves): nothing is deleted."""
    row = find(db, email)
    on = on or clock.today()
    if on < row.active_from:
        raise BadInput(f"{row.email} became active on {row.active_from}: the end cannot be before it")
    row.active_until = on
    db.add(row)
    db.commit()
    return person_json(row)


def find(db: Session, email: str) -> PersonRow:
    row = db.exec(select(PersonRow).where(PersonRow.email == email.strip().lower())).first()
    if row is None:
        raise BadInput(f"nobody with the e-mail {email!r} in the directory: see noncoop people "
                       "list, or add them with noncoop people add", code="unknown_person")
    return row


def person_json(r: PersonRow) -> dict[str, Any]:
    return {"name": r.name, "email": r.email, "role": r.role, "region": r.region, "lang": r.lang,
            "president": r.president, "active_from": r.active_from.isoformat(),
            "active_until": r.active_until.isoformat() if r.active_until else None}


def active(on: dt.date) -> Any:
    return select(PersonRow).where(col(PersonRow.active_from) <= on, or_(
        col(PersonRow.active_until).is_(None), col(PersonRow.active_until) >= on))


def list_people(db: Session, role: str | None = None, on: dt.date | None = None) -> list[dict[str, Any]]:
    query = active(on) if on else select(PersonRow)
    if role:
        query = query.where(PersonRow.role == role)
    return [person_json(r) for r in db.exec(query.order_by(col(PersonRow.role), col(PersonRow.email))).all()]


def resolve(db: Session, recipient: str, case: Case | None, on: dt.date) -> list[PersonRow]:
    """The people a notice addressed to `recipient` reaches on `on`: a role, `focal_point` (the
    focal points of the case's region, and the President ex officio for his or her own region,
    omnibus para 31), `focal_points` (all of them), or one person's e-mail."""
    query = active(on)
    if "@" in recipient:
        return list(db.exec(query.where(PersonRow.email == recipient.lower())).all())
    if recipient == "focal_point":
        region = case.region if case else None
        return list(db.exec(query.where(PersonRow.region == region, or_(
            PersonRow.role == "focal_point", PersonRow.president == True))).all())  # noqa: E712
    role = "focal_point" if recipient == "focal_points" else recipient
    return list(db.exec(query.where(PersonRow.role == role)).all())


def assisting(case: Case) -> set[str]:
    """The people the President asked to assist on the case (para 20, 22)."""
    rec = case.steps.get("request_assistance")
    to = rec.data.get("to", "") if rec else ""
    return {e.strip().lower() for e in to.split(",") if e.strip()}


def may_receive(person: PersonRow, case: Case | None) -> bool:
    """Whether a notice about `case` may reach `person`. Formal records (`bureau`) reach every
    official; restricted matters (good offices, travel information, 7(b) cases: para 11) reach
    the President's office, the Secretariat, the focal points of the case's region and those
    asked to assist; Bureau members learn that good offices were activated, not their details
    (the caller redacts)."""
    if case is None or case.confidentiality != "restricted":
        return True
    if person.role in ("president_office", "secretariat", "admin", "bureau"):
        return True
    if person.role == "focal_point":
        return person.region == case.region or person.email in assisting(case)
    return False
