"""Benchmark: how long a person waits for the command line.

- cli_help: `noncoop --help` against `python -c pass` in the same run: target at most 5x.
- cli_case_show: `noncoop case show ID` on the demo database against `python -c pass`: target at
  most 25x (importing SQLModel alone costs about 18x; nothing beyond the ORM should be added).
- cli_import_sqlmodel: `python -c "import sqlmodel"`, for reference: the floor of any command
  that reads the database.

Each is the median of several runs of a fresh process. The commands take turns, round after
round, so that a machine busy with something else slows each of them alike; one round first,
not counted, reads the files into the disk cache. Python writes the modules' bytecode as it
would for a person (a wheel's is compiled at install): with PYTHONDONTWRITEBYTECODE set, every
command would compile the package again, which no installed noncoop does.

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


def _medians(commands: dict[str, list[str]], env: dict[str, str], repeat: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat + 1):
        for name, argv in commands.items():
            began = time.perf_counter()
            subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
            if round_:  # the first round only warms the caches
                times[name].append(time.perf_counter() - began)
    return {name: statistics.median(t) for name, t in times.items()}


def run(quick: bool = False) -> list[dict[str, Any]]:
    repeat = 5 if quick else 15
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NONCOOP_DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.db'}"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        noncoop = [sys.executable, "-m", "noncoop.cli"]
        subprocess.run([*noncoop, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        listed = subprocess.run([*noncoop, "case", "list", "--json"], env=env, check=True,
                                capture_output=True, text=True).stdout
        case_id = listed.split('"id": "', 1)[1].split('"', 1)[0]
        seconds = _medians({"floor": [sys.executable, "-c", "pass"],
                            "cli_help": [*noncoop, "--help"],
                            "cli_case_show": [*noncoop, "case", "show", case_id],
                            "cli_import_sqlmodel": [sys.executable, "-c", "import sqlmodel"]},
                           env, repeat)
    floor = seconds["floor"]
    return [{"name": name, "value": seconds[name] * 1000, "unit": "ms", "baseline": floor * 1000,
             "ratio": seconds[name] / floor, "target": target, "against": "python -c pass"}
            for name, target in (("cli_help", 5), ("cli_case_show", 25),
                                 ("cli_import_sqlmodel", None))]


if __name__ == "__main__":
    from common import main

    main(run, __doc__, "Five runs of each instead of fifteen.")
