"""What every benchmark shares: its command line and the table it prints (value, baseline,
ratio, target, met); `--json` prints {"benchmarks": [...]} instead.

A target is the most a ratio may be (`bound: upper`, the default: so many times the baseline's
time) or the least (`bound: lower`: so many times faster than a peer); `met` says whether the
ratio is within it (None without a target or a ratio). A row that could not run has no value
and says why in `skipped`."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any


def main(run: Callable[[bool], list[dict[str, Any]]], doc: str, quick: str,
         argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = judged(run(args.quick))
    print(json.dumps({"benchmarks": rows}, indent=1) if args.json else table(rows))


def judged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows, each with its target's `bound` and whether it was `met`."""
    for r in rows:
        target, ratio = r.get("target"), r.get("ratio")
        r["bound"] = r.get("bound", "upper") if target else None
        if not target or ratio is None:
            r["met"] = None
        else:
            r["met"] = ratio <= target if r["bound"] == "upper" else ratio >= target
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'benchmark':<32} {'value':>12} {'baseline':>12} {'ratio':>8} {'target':>7} "
             f"{'met':>4}  against"]
    for r in judged(rows):
        value = f"{r['value']:>9.2f} {r['unit']:<2}" if r["value"] is not None else f"{'-':>12}"
        base = f"{r['baseline']:.2f}" if r["baseline"] is not None else "-"
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-"
        target = (("<=" if r["bound"] == "upper" else ">=") + f"{r['target']:g}x"
                  if r["target"] else "-")
        met = "-" if r["met"] is None else "yes" if r["met"] else "no"
        against = r.get("against", "")
        if r.get("skipped"):
            against = f"skipped: {r['skipped']} ({against})"
        lines.append(f"{r['name']:<32} {value} {base:>12} {ratio:>8} {target:>7} {met:>4}  "
                     f"{against}")
    return "\n".join(lines)


def timed(work: Callable[[], Any], repeat: int) -> float:
    """The median wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@contextlib.contextmanager
def kept_environ(*names: str) -> Iterator[None]:
    """The environment variables `names` as they were before, whatever the block sets: the
    benchmarks point the app at databases and settings of their own."""
    saved = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
