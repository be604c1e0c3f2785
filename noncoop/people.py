"""The directory of people noncoop tells things to (SPEC "Who uses it"), who among them a notice
goes to, and who may receive what about a case (SPEC "Confidentiality")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlmodel import Session, col, or_, select

from noncoop import clock, states
from noncoop.domain.case import Case
from noncoop.errors import BadInput, Refused
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
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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


def not_reserved(email: str) -> None:
    from noncoop.access import reserved

    why = reserved(email)
    if why:
        raise BadInput(f"{why}: it cannot be given to anyone; use the person's own address",
                       code="reserved_identity")


def add_person(db: Session, *, name: str, email: str, role: str, region: str | None = None,
               lang: str = "en", president: bool = False, active_from: dt.date | None = None,
               active_until: dt.date | None = None, president_asked: bool = False) -> dict[str, Any]:
    # A name or an address goes into the headers of every e-mail the person is sent: a line
    # break there would start another header, a NUL is refused by mail servers.
    for option, value in (("--name", name), ("--email", email)):
        if CONTROL.search(value.strip()):
            raise BadInput(f"{option} {value!r} holds a line break or another control character: "
                           "write it on one line, with no control characters",
                           code="bad_characters", field=option.removeprefix("--"))
    email = email.strip().lower()
    not_reserved(email)
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
                    president=president, active_from=start, active_until=active_until,
                    president_asked=president_asked)
    if role == "focal_point":
        check_appointment(db, row)
    db.add(row)
    db.commit()
    return person_json(row)


def _overlapping(db: Session, row: PersonRow) -> list[PersonRow]:
    """The people whose active period overlaps `row`'s."""
    until = row.active_until or dt.date.max
    return [p for p in db.exec(select(PersonRow).where(col(PersonRow.active_from) <= until)).all()
            if (p.active_until or dt.date.max) >= row.active_from]


def check_appointment(db: Session, row: PersonRow) -> None:
    """Para 17: the Bureau appoints four focal points, or five if the President so requests, on
    the basis of equitable geographical representation: one a regional group at a time; the
    President is ex officio focal point for his or her own region (omnibus para 31), so a focal
    point for it is the fifth, appointed only at the President's request."""
    others = _overlapping(db, row)
    same = [p for p in others if p.role == "focal_point" and p.region == row.region]
    if same:
        raise Refused(
            f"refused by rule one_focal_point_per_region (Annex II para 17): {same[0].email} is "
            f"the focal point of the {row.region} from {same[0].active_from} to "
            f"{same[0].active_until or 'no end date'}; end that term first (noncoop people end) "
            "or start this one after it", code="focal_point_appointment",
            rule="one_focal_point_per_region", paragraph="17")
    presidents = [p for p in others if p.president and p.region == row.region]
    if presidents and not row.president_asked:
        raise Refused(
            f"refused by rule president_ex_officio (Annex II para 17; omnibus para 31): the "
            f"President ({presidents[0].email}) is ex officio focal point for the {row.region}; "
            "a focal point for that region is a fifth one, appointed only if the President asks: "
            "add --president-asked", code="focal_point_appointment", rule="president_ex_officio",
            paragraph="17")
    regions = {p.region for p in others if p.role == "focal_point"} | {row.region}
    asked = row.president_asked or any(p.president_asked for p in others if p.role == "focal_point")
    if len(regions) > (5 if asked else 4):
        raise Refused(
            f"refused by rule four_focal_points (Annex II para 17): the Bureau appoints four "
            f"focal points, or five if the President so requests; {len(regions) - 1} are already "
            "appointed for this period: add --president-asked for a fifth",
            code="focal_point_appointment", rule="four_focal_points", paragraph="17")


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
            "president": r.president, "president_asked": r.president_asked,
            "active_from": r.active_from.isoformat(),
            "active_until": r.active_until.isoformat() if r.active_until else None}


def active(on: dt.date) -> Any:
    return select(PersonRow).where(col(PersonRow.active_from) <= on, or_(
        col(PersonRow.active_until).is_(None), col(PersonRow.active_until) >= on))


def language_of(db: Session, email: str, on: dt.date) -> str | None:
    """The language the directory gives the person of `email` on `on` (en or fr), or None."""
    person = db.exec(active(on).where(PersonRow.email == email.strip().lower())).first()
    return person.lang if person is not None else None


DIRECTORY_KEEPERS = ("admin", "president_office", "secretariat")


def list_people(db: Session, role: str | None = None, on: dt.date | None = None,
                by: str | None = None) -> list[dict[str, Any]]:
    """The directory, for those who keep it or need it to assign work (the President's office,
    the Secretariat); anyone else in his or her term sees his or her own entry, nobody else."""
    from noncoop.access import viewer

    query = active(on) if on else select(PersonRow)
    if by is not None:
        v = viewer(db, by)
        if v.role not in DIRECTORY_KEEPERS:
            query = query.where(PersonRow.email == (v.email if v.role != "none" else ""))
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


def may_receive(person: PersonRow, case: Case | None) -> bool:
    """Whether a notice about `case` may reach `person`: whoever may see the case (access.py);
    a Bureau member sees only its formal record, and the notice is redacted to that."""
    from noncoop.access import Viewer, sight

    if case is None:
        return True
    return sight(Viewer(person.email, person.role, person.region, person.president), case) is not None
