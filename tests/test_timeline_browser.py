"""The timelines in a real browser (Debian's chromium via Playwright) on the demo data: on every
case page and in the Bureau review, the labels are measured as the browser lays them out and no
two overlap, none leaves the drawing; every mark can be focused and says what it is; printed,
the page keeps the timeline and drops the navigation; the review filters, puts the cases that
need action first, shows a restricted case to the Bureau only as access allows, and exports the
view as PDF. Screenshots go to test-output/timeline/ to be looked at."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from live import PASSWORD, needs_chromium, serving

from noncoop import accounts, clock, i18n, people, services
from noncoop.domain import load_procedure
from noncoop.letters import register
from noncoop.services.review import year_of

D = dt.date
OUT = Path(__file__).resolve().parents[1] / "test-output" / "timeline"
PRESIDENT, BUREAU = "tl.president@example.org", "tl.bureau@example.org"

pytestmark = [pytest.mark.slow, pytest.mark.one_database, needs_chromium]

# The boxes of every label of a drawing, as laid out: the text's own box, not its tooltip's.
BOXES = """svg => {
  const b = svg.getBoundingClientRect();
  return {svg: {x: b.left, y: b.top, r: b.right, b: b.bottom},
          labels: [...svg.querySelectorAll('text')].map(t => {
            const r = t.getBoundingClientRect();
            const words = [...t.childNodes].filter(n => n.nodeType === 3)
                                           .map(n => n.data).join('');
            return {x: r.left, y: r.top, r: r.right, b: r.bottom, text: words};
          })};
}"""


def assert_labels_apart(page, selector: str) -> int:
    """No two labels of the drawing overlap and none leaves it; returns how many there are."""
    found = page.locator(selector).evaluate(BOXES)
    box, labels = found["svg"], found["labels"]
    assert labels, "a drawing without labels"
    for t in labels:
        assert t["r"] > t["x"] and t["text"].strip(), t
        assert (t["x"] >= box["x"] - 0.5 and t["r"] <= box["r"] + 0.5
                and t["y"] >= box["y"] - 0.5 and t["b"] <= box["b"] + 0.5), (t, box)
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            apart = (a["r"] <= b["x"] + 0.5 or b["r"] <= a["x"] + 0.5
                     or a["b"] <= b["y"] + 0.5 or b["b"] <= a["y"] + 0.5)
            assert apart, f"labels overlap: {a} and {b}"
    return len(labels)


def assert_marks_focusable(page, selector: str) -> int:
    marks = page.locator(f"{selector} .tl-mark")
    count = marks.count()
    described = page.locator(selector).evaluate(
        "svg => [...svg.querySelectorAll('.tl-mark')].filter(m => m.getAttribute('tabindex') "
        "=== '0' && m.getAttribute('aria-label') && m.querySelector('title') && "
        "m.querySelector('title').textContent === m.getAttribute('aria-label')).length")
    assert count and described == count
    first = marks.first
    first.focus()
    assert page.evaluate("document.activeElement.classList.contains('tl-mark')")
    return count


def shot(page, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


@pytest.fixture
def demo_server(demo, database_url, monkeypatch):
    """The demo data, a skipped step and an issued letter beside it, two logins, and the app
    served on loopback."""
    from noncoop.web.app import create_app

    db = demo
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "timeline-test")
    for email, role in ((PRESIDENT, "president_office"), (BUREAU, "bureau")):
        people.add_person(db, name=email, email=email, role=role, active_from=D(2010, 1, 1))
        accounts.add_user(db, email, role, PASSWORD)
    # The newest open finding of the demo gets a skipped step and a letter: whatever the
    # demo holds, these are drawn too.
    target = max((c for c in services.list_cases(db) if c["scenario"] == "7a"
                  and c["status"] == "open" and c["decision"]["date"]),
                 key=lambda c: c["decision"]["date"])["id"]
    shown = services.show_case(db, target)
    decided = D.fromisoformat(shown["decision"]["date"])
    formal = set(load_procedure().lane_steps("formal"))
    skip = next(a for a in shown["allowed_actions"] if a in formal and any(
        s["step"] == a and s["status"] == "pending" for s in shown["steps"]))
    services.act(db, target, skip, on=decided + dt.timedelta(days=6), skip=True,
                 reason="the Bureau met in its regular meeting instead")
    letters = register.letters_allowed(db, target)
    letter = register.issue(db, target, "reminder" if "reminder" in letters else letters[0],
                            on=decided + dt.timedelta(days=27))["reference"]
    urgent = next(c["id"] for c in services.list_cases(db) if c["scenario"] == "7b")
    cases = [c["id"] for c in services.list_cases(db)]
    with serving(create_app()) as url:
        yield {"url": url, "db": db, "target": target, "skipped": skip, "letter": letter,
               "urgent": urgent, "cases": cases}


def sign_in(browser, url: str, email: str, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def test_every_case_timeline_of_the_demo_has_its_labels_apart(demo_server, browser):
    url, db = demo_server["url"], demo_server["db"]
    page = sign_in(browser, url, PRESIDENT)
    for lang in ("en", "fr"):
        for case_id in demo_server["cases"]:
            page.goto(f"{url}/cases/{case_id}?lang={lang}")
            shown = services.show_case(db, case_id, by=PRESIDENT)
            # One row per step the reader may see, in both lanes, in the workflow's order.
            rows = page.locator("svg.case-timeline g.step-row")
            assert rows.evaluate_all("gs => gs.map(g => g.dataset.step)") == [
                s["step"] for s in shown["steps"]]
            assert_labels_apart(page, "svg.case-timeline")
            if case_id == demo_server["target"]:
                shot(page, f"case-{case_id}-{lang}")
            assert_marks_focusable(page, "svg.case-timeline")
    page.goto(f"{url}/cases/{demo_server['target']}?lang=en")
    svg = "svg.case-timeline"
    skipped = page.locator(f'{svg} g.step-row[data-step="{demo_server["skipped"]}"]')
    assert skipped.get_attribute("data-status") == "skipped"
    assert skipped.locator(".tl-mark.skipped").count() == 1
    assert "skipped" in skipped.locator("text.done-date").text_content()
    na = page.locator(f'{svg} g.step-row[data-status="not_applicable"]')
    assert na.count() >= 1 and na.first.locator(".tl-mark.not-applicable").count() == 1
    assert page.locator(f"{svg} .tl-mark.letter").get_attribute("aria-label").startswith(
        demo_server["letter"])
    # Every deadline still outstanding past its day is a bar to today, saying how late.
    today = clock.today()
    late = [d for d in services.show_case(db, demo_server["target"])["deadlines"]
            if d["status"] in ("open", "missed") and D.fromisoformat(d["due"]) < today]
    assert late, "the demo's newest finding has no deadline past its day"
    for d in late:
        row = page.locator(f'{svg} g.step-row[data-step="{d["step"]}"]')
        said = row.locator(".tl-mark.lateness.overdue").evaluate_all(
            "ms => ms.map(m => m.getAttribute('aria-label'))")
        days = (today - D.fromisoformat(d["due"])).days
        assert any(f"{days} day(s) late" in x for x in said), (d, said)
    assert page.locator(f"{svg} line.today").count() == 1
    assert page.locator(f"{svg} text.today-label").text_content().endswith(
        i18n.format_date(clock.today(), "en"))
    assert page.locator(f"{svg} rect.session").count() >= 1
    # Keyboard: a tab reaches the marks, each saying what it is.
    page.locator(f"{svg} .tl-mark").first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')")
    # Printed: no navigation nor forms, the whole timeline, the labels still apart.
    page.evaluate("document.activeElement.blur()")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator("form.act").is_visible()
    assert page.locator(svg).is_visible()
    assert_labels_apart(page, svg)
    shot(page, "case-print")
    (OUT / "case-print.pdf").write_bytes(page.pdf(format="A4", landscape=True))
    page.emulate_media(media="screen")


def test_the_bureau_review_puts_every_case_on_one_axis(demo_server, browser):
    url = demo_server["url"]
    page = sign_in(browser, url, BUREAU)
    page.goto(f"{url}/review")
    svg = "svg.review-timeline"
    rows = page.locator(f"{svg} g.case-row")
    seen = {c["id"] for c in services.list_cases(demo_server["db"], by=BUREAU)}
    listed = rows.evaluate_all("gs => gs.map(g => [g.dataset.case, g.dataset.status, "
                               "g.dataset.needsAction])")
    assert {c for c, _, _ in listed} == seen and len(listed) == len(seen)
    flags = [n == "true" for _, _, n in listed]
    assert any(flags) and not all(flags)
    assert flags == sorted(flags, reverse=True)  # those needing action first
    for case_id, status, needs in listed:  # a closed case is never overdue
        if status == "closed":
            row = page.locator(f'{svg} g.case-row[data-case="{case_id}"]')
            assert needs == "false" and row.locator(".lateness.overdue").count() == 0
    assert_labels_apart(page, svg)
    shot(page, "review")
    assert_marks_focusable(page, svg)
    # The urgent 7(b) case: the Bureau learns that good offices were activated, and no more.
    urgent = page.locator(f'{svg} g.case-row[data-case="{demo_server["urgent"]}"]')
    said = " ".join(urgent.locator(".tl-mark").evaluate_all(
        "ms => ms.map(m => m.getAttribute('aria-label'))"))
    assert "good offices" in said.lower() or "2024-08-30" in said
    for secret in ("visit announced", "2024-08-31", "2024-09-02", "Contact the authorities"):
        assert secret not in page.content(), secret
    # Filters: needs action, then a region and a year.
    page.check("input[name=action]")
    with page.expect_navigation():  # the rows read are the filtered page's, not the last
        page.click("form.review-filters button[type=submit]")
    needing = rows.evaluate_all("gs => gs.map(g => g.dataset.needsAction)")
    assert needing and set(needing) == {"true"}
    assert_labels_apart(page, svg)
    page.goto(f"{url}/review?status=closed")
    assert set(rows.evaluate_all("gs => gs.map(g => g.dataset.status)")) == {"closed"}
    target = services.show_case(demo_server["db"], demo_server["target"], by=BUREAU)
    def year(c: dict) -> int | None:
        return year_of(dt.date.fromisoformat(c["decision"]["date"]) if c["decision"]["date"]
                       else None, c["id"])

    expected = {c["id"] for c in services.list_cases(demo_server["db"], by=BUREAU)
                if c["region"] == target["region"] and year(c) == year(target)}
    page.goto(f"{url}/review")
    page.select_option("select[name=region]", target["region"])
    page.select_option("select[name=year]", str(year(target)))
    page.uncheck("input[name=action]")
    with page.expect_navigation():
        page.click("form.review-filters button[type=submit]")
    assert set(rows.evaluate_all("gs => gs.map(g => g.dataset.case)")) == expected
    assert demo_server["target"] in expected
    shot(page, "review-filtered")
    page.goto(f"{url}/review?lang=fr")
    assert_labels_apart(page, svg)
    shot(page, "review-fr")
    assert not page.locator("p.print-only").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator("form.review-filters").is_visible()
    assert page.locator("p.print-only").is_visible()  # the filters, said in words
    assert_labels_apart(page, svg)
    shot(page, "review-print")


def test_the_review_exports_as_pdf_what_the_reader_may_see(demo_server, browser):
    pypdf = pytest.importorskip("pypdf")
    url = demo_server["url"]
    page = sign_in(browser, url, BUREAU)
    page.goto(f"{url}/review?action=1")
    with page.expect_download() as download:
        page.click("a.export")
    path = download.value.path()
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF")
    (OUT).mkdir(parents=True, exist_ok=True)
    (OUT / "review.pdf").write_bytes(data)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    needing = page.locator("svg.review-timeline g.case-row").evaluate_all(
        "gs => gs.map(g => g.dataset.case)")
    assert needing and all(case_id in text for case_id in needing)
    others = set(demo_server["cases"]) - set(needing)
    assert others and not any(case_id in text for case_id in others)
    assert "visit announced" not in text and "Contact the authorities" not in text
