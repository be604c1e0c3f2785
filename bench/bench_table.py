"""The table every benchmark prints: value, baseline, ratio and target."""

from __future__ import annotations

from typing import Any


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'benchmark':<32} {'value':>12} {'baseline':>12} {'ratio':>8} {'target':>7}  against"]
    for r in rows:
        base = f"{r['baseline']:.2f}" if r["baseline"] is not None else "-"
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-"
        target = f"{r['target']:.0f}x" if r["target"] else "-"
        lines.append(f"{r['name']:<32} {r['value']:>9.2f} {r['unit']:<2} {base:>12} {ratio:>8} "
                     f"{target:>7}  {r.get('against', '')}")
    return "\n".join(lines)
