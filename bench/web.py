"""Benchmark: the web app with 10,000 cases.

The case list and a case page, each as a ratio to a static page (the stylesheet) served by the
same app, in the same run, through the same client (httpx via FastAPI's TestClient, no network).

    python bench/web.py [--quick] [--json]
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sweep import populate  # beside this file: the same 5-deadline cases

from noncoop import accounts, people, services
from noncoop.errors import BadInput
from noncoop.store import db as store

try:
    from fastapi.testclient import TestClient
except RuntimeError:  # Starlette's TestClient is built on httpx2, which a plain install lacks
    raise BadInput("the web benchmark needs httpx2: pip install 'noncoop[bench]'",
                   code="bench_unavailable") from None

PASSWORD = "benchmark password"


def timed(get: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = get()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text[:200]
    return statistics.median(times)


def run(quick: bool = False) -> list[dict[str, Any]]:
    n_cases = 1_000 if quick else 10_000
    repeat = 5 if quick else 10
    work = Path(tempfile.mkdtemp(prefix="noncoop-bench-web-"))
    url = f"sqlite:///{work / 'web.db'}"
    os.environ["NONCOOP_DATABASE_URL"] = url
    os.environ.setdefault("NONCOOP_SECRET_KEY", "benchmark")
    try:
        populate(url, n_cases)
        with store.session(url) as db:
            people.add_person(db, name="President's office", email="president@example.org",
                              role="president_office", active_from=dt.date(2024, 1, 1))
            accounts.add_user(db, "president@example.org", "president_office", PASSWORD)
            case_id = services.list_cases(db)[n_cases // 2]["id"]
        from noncoop.web.app import create_app

        client = TestClient(create_app())
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"email": "president@example.org", "password": PASSWORD,
                                    "csrf": csrf})
        pages = {"static": lambda: client.get("/static/style.css"),
                 "case_list": lambda: client.get("/cases"),
                 "case_page": lambda: client.get(f"/cases/{case_id}")}
        for get in pages.values():
            get()  # warm: templates compiled, caches filled
        seconds = {name: timed(get, repeat) for name, get in pages.items()}
    finally:
        store.get_engine.cache_clear()
        shutil.rmtree(work, ignore_errors=True)
    base = seconds["static"]
    return [{"name": name, "value": seconds[name] * 1000, "unit": "ms", "baseline": base * 1000,
             "ratio": seconds[name] / base, "target": None,
             "against": f"a static page of the same app ({n_cases:,} cases)"}
            for name in ("case_list", "case_page")]


if __name__ == "__main__":
    from common import main  # beside this file

    main(run, __doc__, "1,000 cases instead of 10,000")
