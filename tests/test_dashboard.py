"""The dashboard (services/dashboard.py) asks the database for each part, a few items and the
number of the rest. It must show what `agenda.sort_work` makes of the same work read item by
item, as the dashboard read it before: here that reading is the oracle, for every reader of
the demo directory, on days before, inside and after reporting cycles, in two languages, with
parts cut short and whole."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from noncoop import access, config, services, tasks, vocabulary
from noncoop.domain import load_procedure
from noncoop.domain.agenda import PARTS, awaits_addressee, cycle_start, sort_work
from noncoop.domain.deadlines import ends_at
from noncoop.services import dashboard
from noncoop.services.calendars import sessions
from noncoop.services.lists import list_deadlines
from noncoop.services.views import utc_text

D = dt.date
READERS = ("president@example.org", "secretariat@example.org", "focal.asia-pacific@example.org",
           "focal.african@example.org", "bureau.member@example.org", access.ADMIN,
           "nobody@example.org")
# Before the procedures, between sessions, at the steps of the walks of `walked` (conftest.py),
# the day a session opens (a new reporting cycle) and after.
DAYS = (D(2012, 6, 1), D(2017, 12, 20), D(2024, 9, 1), D(2025, 8, 21), D(2025, 8, 22),
        D(2025, 8, 25), D(2025, 9, 1), D(2025, 10, 24), D(2025, 10, 28), D(2025, 11, 4),
        D(2025, 11, 26), D(2025, 12, 1), D(2025, 12, 3), D(2026, 2, 1), D(2026, 12, 1))


def item_by_item(db, by: str, today: dt.date, lang: str) -> dict[str, Any]:
    """The dashboard as it was read before: every task and deadline of the reader, sorted in
    Python (sort_work), nothing cut."""
    v = access.viewer(db, by)
    procedure = load_procedure("formal")
    titles = procedure.titles(lang)
    deadlines = list_deadlines(db, today, by=by)
    kinds = {(d["case_id"], d["step"], d["due"]): d["kind"] for d in deadlines}
    # An hour limit's instant (paras 18, omnibus 35), where it is not the end of its day.
    hours = {(d["case_id"], d["step"], d["due"]): {"due_at": d["due_at"]} for d in deadlines
             if d["due_at"] != utc_text(ends_at(D.fromisoformat(d["due"])))}

    def title(t):
        if lang != "en" and (t["case_id"], t["step"], t["due"]) in kinds:
            return titles.get(t["step"], t["title"])
        return t["title"]

    def item(t, who, **more):
        return {"case_id": t["case_id"], "step": t["step"], "due": t["due"], "title": title(t),
                "who": who, **hours.get((t["case_id"], t["step"], t["due"]), {}), **more}

    own = tasks.list_tasks(db, None if v.role == "admin" else v.email, by=by)
    mine, others = [], []
    for t in own:
        kind = kinds.get((t["case_id"], t["step"], t["due"]))
        if kind is not None and awaits_addressee(procedure, t["step"], kind):
            others.append(item(t, dashboard.REQUESTED_STATE))
        else:
            mine.append(item(t, t["assignee"], task_id=t["id"]))
    if v.sees_all and v.role != "admin":
        ids = {t["id"] for t in own}
        others += [item(t, t["assignee"]) for t in tasks.list_tasks(db, None, by=by)
                   if t["id"] not in ids]
    elif not v.sees_all:
        others += [{"case_id": d["case_id"], "step": d["step"], "due": d["due"],
                    "title": f"{titles.get(d['step'], d['step'])} "
                             f"({vocabulary.word('deadline_kind', d['kind'], lang)})",
                    "who": dashboard.REQUESTED_STATE
                    if awaits_addressee(procedure, d["step"], d["kind"]) else d["who"],
                    **hours.get((d["case_id"], d["step"], d["due"]), {})}
                   for d in deadlines if d["who"] != v.role]
    return sort_work(mine, others, today, cycle_start(sessions(db), config.deadlines(), today))


def in_order(i: dict[str, Any]) -> tuple:
    # The dashboard's order: by due date (undated last), case, task, step and who.
    return (i["due"] is None, i["due"] or "", i["case_id"], i.get("task_id") or 0, i["step"],
            i["who"])


def plain(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The State's name is read for the items shown only, after the parts.
    return [{k: x for k, x in i.items() if k != "state"} for i in items]


def test_each_part_is_what_sort_work_makes_of_the_same_work(walked, monkeypatch):
    held = {part: 0 for part in PARTS}
    shown_all = []
    for by, today, lang, shown in itertools.product(READERS, DAYS, ("en", "fr"), (2, 100)):
        monkeypatch.setattr(dashboard, "SHOWN", shown)
        whole = item_by_item(walked, by, today, lang)
        got = dashboard.work(walked, by, today, lang)
        for part in PARTS:
            items = whole[part] if part == "older" else sorted(whole[part], key=in_order)
            assert plain(got[part]) == plain(items[:shown]), (by, today, lang, part)
            assert got["more"][part] == max(len(items) - shown, 0), (by, today, lang, part)
            held[part] += len(items)
            shown_all += got[part] if part != "older" else []
    # Every part held something; replies awaited of a State and undated tasks were among them.
    assert all(held.values()), held
    assert {i["who"] for i in shown_all} >= {dashboard.REQUESTED_STATE, "secretariat",
                                             "president_office", "focal.african@example.org"}
    assert [i for i in shown_all if i["due"] is None]


def test_the_bureau_sees_no_good_offices_work_of_a_case_it_sees_formally(demo):
    bureau = dashboard.work(demo, "bureau.member@example.org", D(2024, 9, 1))
    shown = [i for part in PARTS if part != "older" for i in bureau[part]]
    assert shown and not [i for i in shown if i["step"] in access.INFORMAL_STEPS]
    focal = dashboard.work(demo, "focal.asia-pacific@example.org", D(2024, 9, 1))
    asked = [i for i in focal["now"] + focal["week"] if i["step"] == "request_assistance"]
    assert [i["title"] for i in asked] == ["Contact the authorities before the visit"]


def test_an_hour_limit_running_out_tomorrow_needs_its_person_now(demo, freezer):
    # Activated at 10:00 on 20 August (Amsterdam), as it happens: the Bureau is to be told
    # within 24 hours (para 18, "immediately"), by 10:00 on the 21st.
    freezer.move_to("2025-08-20 08:00:00")
    case = services.open_case(demo, state="Chad", scenario="7b", summary="a visit",
                              person="a person subject to a warrant")
    services.act(demo, case["id"], "good_offices_activate",
                 params={"court_consulted": "2025-08-19"})
    president = dashboard.work(demo, "president@example.org", D(2025, 8, 20))
    now = [i for i in president["now"] if i["case_id"] == case["id"]]
    assert [(i["step"], i["due"], i["due_at"]) for i in now] == [
        ("notify_bureau", "2025-08-21", "2025-08-21T08:00:00Z")]
    # A limit of days due tomorrow waits for tomorrow.
    day_limit = {**now[0], "due_at": None}
    assert sort_work([day_limit], [], D(2025, 8, 20), None)["week"] == [{**day_limit,
                                                                        "late": False}]
    # What sort_work makes of the same work, read item by item.
    whole = item_by_item(demo, "president@example.org", D(2025, 8, 20), "en")
    for part in ("now", "week", "later", "waiting"):
        assert plain(president[part]) == sorted(whole[part], key=in_order)[:dashboard.SHOWN]
