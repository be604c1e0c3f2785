"""What every benchmark shares: its command line and the table it prints (value, baseline,
ratio, target, or why it was skipped); `--json` prints {"benchmarks": [...]} instead."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any


def main(run: Callable[[bool], list[dict[str, Any]]], doc: str, quick: str,
         argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = run(args.quick)
    print(json.dumps({"benchmarks": rows}, indent=1) if args.json else table(rows))


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'benchmark':<32} {'value':>12} {'baseline':>12} {'ratio':>8} {'target':>7}  against"]
    for r in rows:
        if r.get("skipped"):  # a benchmark that could not run here, and why
            lines.append(f"{r['name']:<32} skipped: {r['skipped']}")
            continue
        base = f"{r['baseline']:.2f}" if r["baseline"] is not None else "-"
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-"
        target = f"{r['target']:g}x" if r["target"] else "-"
        lines.append(f"{r['name']:<32} {r['value']:>9.2f} {r['unit']:<2} {base:>12} {ratio:>8} "
                     f"{target:>7}  {r.get('against', '')}")
    return "\n".join(lines)
