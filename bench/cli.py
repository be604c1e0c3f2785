"""Benchmark: how long a person waits for the command line.

- cli_help: `noncoop --help` against `python -c pass` in the same run: target at most 5x.
- cli_case_show: `noncoop case show ID` on the demo database against `python -c pass`: target at
  most 25x (importing SQLModel alone costs about 18x; nothing beyond the ORM should be added).
- cli_import_sqlmodel: `python -c "import sqlmodel"`, for reference: the floor of any command
  that reads the database.

Each is the median of several runs of a fresh process.

    python bench/cli.py [--quick] [--json]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _median(argv: list[str], env: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def run(quick: bool = False) -> list[dict[str, Any]]:
    repeat = 5 if quick else 15
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NONCOOP_DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.db'}"}
        noncoop = [sys.executable, "-m", "noncoop.cli"]
        subprocess.run([*noncoop, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        listed = subprocess.run([*noncoop, "case", "list", "--json"], env=env, check=True,
                                capture_output=True, text=True).stdout
        case_id = listed.split('"id": "', 1)[1].split('"', 1)[0]
        floor = _median([sys.executable, "-c", "pass"], env, repeat)
        rows = []
        for name, argv, target in (
                ("cli_help", [*noncoop, "--help"], 5),
                ("cli_case_show", [*noncoop, "case", "show", case_id], 25),
                ("cli_import_sqlmodel", [sys.executable, "-c", "import sqlmodel"], None)):
            value = _median(argv, env, repeat)
            rows.append({"name": name, "value": value * 1000, "unit": "ms",
                         "baseline": floor * 1000, "ratio": value / floor, "target": target,
                         "against": "python -c pass"})
    return rows


if __name__ == "__main__":
    from common import main

    main(run, __doc__, "Five runs of each instead of fifteen.")
