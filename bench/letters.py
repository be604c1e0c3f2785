"""Benchmark: letters rendered to HTML and DOCX.

- letter_html: 1,000 open letters drafted the way `noncoop letters render` drafts them (the
  sandboxed environment, StrictUndefined, the context built from the case and the calendar),
  against bare Jinja2 rendering of the same template with the same context in the same run
  (a plain Environment, the context built once): target at most 2x.
- letter_docx: DOCX letters a second (HTML rendered, then turned into a Word document).

    python bench/letters.py [--quick] [--json]
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from noncoop.domain.case import Case, Deadline, StepRecord
from noncoop.letters import context
from noncoop.letters.docx import to_docx
from noncoop.letters.render import catalogue, environment, long_date, render_html, search_path

D = dt.date


def sample_case() -> Case:
    return Case(id="NC-2024-001", requested_state="Mongolia", region="Asia-Pacific States",
                scenario="7a", stage="formal", confidentiality="bureau", referred_to=["assembly"],
                workflow="formal", workflow_version="2018", decision_ref="ICC-01/22-90",
                decision_date=D(2024, 10, 24), chamber="Pre-Trial Chamber II", request="art89",
                person="Vladimir Vladimirovich Putin",
                steps={"open_letter": StepRecord("in_progress", D(2024, 10, 28))},
                deadlines=[Deadline("open_letter", "reply", D(2024, 11, 27))])


def run(quick: bool = False) -> list[dict[str, Any]]:
    n = 200 if quick else 1000
    case, letter = sample_case(), catalogue()["open_letter"]
    from noncoop.calendar import Session
    sessions = (Session(23, "regular", D(2024, 12, 2), D(2024, 12, 7), "The Hague"),)

    def ours() -> None:
        for _ in range(n):
            ctx = context.build(letter, case, "en", on=D(2024, 10, 28), sessions=sessions)
            render_html("open_letter", "en", ctx)

    bare_env = Environment(loader=FileSystemLoader(search_path("en")),
                           autoescape=select_autoescape(["html"]))
    bare_env.filters["date"] = lambda day: long_date(day, "en")
    bare_env.globals.update(environment("en").globals)  # the same workflow facts, read once
    bare_ctx = context.build(letter, case, "en", on=D(2024, 10, 28), sessions=sessions)
    template = bare_env.get_template("open_letter.html")

    def bare() -> None:
        for _ in range(n):
            template.render(**bare_ctx)

    ours(), bare()  # warm: templates compiled and cached in both
    timings = {}
    for name, work in (("ours", ours), ("bare", bare)):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            work()
            best = min(best, time.perf_counter() - start)
        timings[name] = best
    html = render_html("open_letter", "en", bare_ctx)
    docs = max(20, n // 20)
    start = time.perf_counter()
    for _ in range(docs):
        to_docx(html)
    docx_rate = docs / (time.perf_counter() - start)
    return [
        {"name": "letter_html", "value": timings["ours"] * 1000, "unit": f"ms/{n} letters",
         "baseline": timings["bare"] * 1000, "ratio": timings["ours"] / timings["bare"],
         "target": 2.0, "against": "bare Jinja2 rendering of the same template"},
        {"name": "letter_docx", "value": docx_rate, "unit": "letters/s", "baseline": None,
         "ratio": None, "target": None},
    ]


if __name__ == "__main__":
    from common import main  # beside this file

    main(run, __doc__, "200 letters instead of 1,000")
