"""The Bureau review (services/review.py) finds its page in the database: the cases needing
action from their deadlines, the others walked by case number, counted up to COUNTED. It must
give the cases, in the order, that the review gave when it read every case it may show and
sorted them in Python (here the oracle), for every reader, filter and page."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter

import pytest

from noncoop import access
from noncoop.errors import BadInput
from noncoop.services import review
from noncoop.services.lists import rows_seen

D = dt.date
READERS = ("president@example.org", "focal.asia-pacific@example.org",
           "focal.african@example.org", "bureau.member@example.org", access.ADMIN,
           "nobody@example.org")
DAYS = (D(2017, 12, 20), D(2025, 8, 21), D(2025, 10, 28), D(2026, 12, 1))


def every_case(db, by: str, today: dt.date, status: str, region: str, year: str,
               action: bool) -> dict:
    """The review's list as it was made before: every case read, filtered and sorted."""
    v = access.viewer(db, by)
    rows = rows_seen(db, v, status or None)
    chosen = [(r, s) for r, s in rows if (not region or r.region == region)
              and (not year or review.year_of(r.decision_date, r.id) == int(year))]
    urgent = review.needing_action(db, {r.id: s for r, s in chosen if r.status != "closed"},
                                   today)
    if action:
        chosen = [(r, s) for r, s in chosen if r.id in urgent]
    # Needing action, the earliest due first; then open, then closed; each by number.
    chosen.sort(key=lambda rs: (rs[0].id not in urgent, rs[0].status == "closed",
                                urgent.get(rs[0].id, dt.date.max), rs[0].id))
    everyone = rows_seen(db, v)
    return {"ids": [r.id for r, _ in chosen], "urgent": urgent,
            "regions": sorted({r.region for r, _ in everyone}),
            "years": sorted({review.year_of(r.decision_date, r.id) for r, _ in everyone},
                            reverse=True)}


def test_each_page_is_the_page_of_every_case_sorted(walked, monkeypatch):
    monkeypatch.setattr(review, "COUNTED", 7)  # lists both shorter and longer than counted
    filters = [("", "", "", False), ("open", "", "", False), ("closed", "", "", False),
               ("", "", "", True), ("", "African States", "", False), ("", "", "2025", False),
               ("", "", "2012", False), ("open", "Asia-Pacific States", "2025", True)]
    held = urgent_seen = 0
    for by, today, (status, region, year, action) in itertools.product(READERS, DAYS, filters):
        whole = every_case(walked, by, today, status, region, year, action)
        ids, size = whole["ids"], 6
        for page in range(1, math.ceil(len(ids) / size) + 2):  # and one past the end
            got = review.review(walked, by, today, status=status, region=region, year=year,
                                action=action, page=page, size=size)
            at = got["page"]
            assert at == min(page, max(1, math.ceil(len(ids) / size)))
            where = (by, today, status, region, year, action, page)
            assert [c["id"] for c in got["cases"]] == ids[(at - 1) * size:at * size], where
            assert got["urgent"] == set(whole["urgent"]) & set(ids[(at - 1) * size:at * size])
            assert (got["count"], got["more"]) == ((7, True) if len(ids) > 7 else
                                                   (len(ids), False)), where
            assert got["pages"] == (None if len(ids) > 7 else max(1, math.ceil(len(ids) / size)))
            assert got["further"] == (len(ids) > at * size), where
            # The filters offer the regions and years of the cases one may see, and the year
            # asked, even if none of its cases is the reader's.
            years = sorted(set(whole["years"]) | ({int(year)} if year else set()), reverse=True)
            regions = sorted(set(whole["regions"]) | ({region} if region else set()))
            assert (got["regions"], got["years"]) == (regions, years), where
            held += len(got["cases"])
            urgent_seen += len(got["urgent"])
    assert held and urgent_seen


def test_a_bureau_member_counts_no_good_offices_deadline_of_a_case_seen_formally(walked):
    today = D(2025, 8, 21)
    formal = review.review(walked, "bureau.member@example.org", today, action=True)
    full = review.review(walked, "president@example.org", today, action=True)
    # Good offices activated on 20 August: the President's office has their deadlines due.
    assert full["urgent"] - formal["urgent"]


def test_a_filter_shows_the_region_asked_and_only_a_region(walked):
    asia = "focal.asia-pacific@example.org"
    asked = review.review(walked, asia, D(2025, 8, 21), region="African States")
    assert "African States" in asked["regions"] and not asked["cases"]
    made_up = review.review(walked, asia, D(2025, 8, 21), region="<b>Atlantis</b>")
    assert "<b>Atlantis</b>" not in made_up["regions"] and not made_up["cases"]


def test_a_bad_filter_is_named(walked):
    with pytest.raises(BadInput, match="unknown status 'shut': use open or closed"):
        review.review(walked, "president@example.org", D(2025, 8, 21), status="shut")
    with pytest.raises(BadInput, match="bad year '25': write it as YYYY"):
        review.review(walked, "president@example.org", D(2025, 8, 21), year="25")


def test_cases_shown_together_are_shown_as_each_alone_and_logged_alike(walked):
    from sqlmodel import select

    from noncoop import services
    from noncoop.errors import NotFound
    from noncoop.store.models import AccessLogRow

    def log() -> Counter:
        return Counter((r.who, r.case_id, r.action, r.sight)
                       for r in walked.exec(select(AccessLogRow).where(
                           AccessLogRow.action == "show")).all())

    everything = [c["id"] for c in services.list_cases(walked)]
    restricted = 0
    for by in READERS:
        ids = [c["id"] for c in services.list_cases(walked, by=by)]
        before = log()
        alone = [services.show_case(walked, case_id, by=by) for case_id in ids]
        after_alone = log()
        together = services.show_cases(walked, ids, by=by)
        assert together == alone, by
        assert log() - after_alone == after_alone - before, by  # the same rows logged
        restricted += sum((after_alone - before).values())
        # A case one may not see among them: not found, as alone, and the attempt logged.
        hidden = [case_id for case_id in everything if case_id not in ids]
        if hidden:
            with pytest.raises(NotFound):
                services.show_cases(walked, [*ids[:1], hidden[0]], by=by)
            assert log()[(by, hidden[0], "show", "refused")]
    assert restricted  # restricted cases were among those shown
