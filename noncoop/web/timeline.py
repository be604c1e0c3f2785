"""A case's timeline as SVG: one lane for the formal procedure and one for the good offices,
the steps taken, the deadlines (met, missed, open), the Assembly sessions and Bureau meetings
on the time axis, and a line for today. Pure: the case (as `show_case` gives it), the
calendar and the day are passed in."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape

from noncoop.access import INFORMAL_STEPS
from noncoop.i18n import N_, format_date, tr
from noncoop.vocabulary import word

WIDTH, HEIGHT, LEFT, RIGHT = 960, 230, 160, 20  # LEFT: room for "Procédure officielle"
LANES = {"formal": 80, "informal": 150}
AXIS = 195
COLOURS = {"met": "#2e7d32", "late": "#ef6c00", "missed": "#c62828", "open": "#1565c0",
           "waived": "#757575", "closed": "#757575", "not_applicable": "#9e9e9e"}


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


LABELS = {"timeline": N_("Timeline"), "session": N_("Session"), "asp": N_("ASP"),
          "bureau_meeting": N_("Bureau meeting"), "formal": N_("Formal procedure"),
          "informal": N_("Good offices"), "today": N_("today")}


def svg(case: dict[str, Any], calendar: dict[str, Any], today: dt.date, lang: str,
        titles: dict[str, str]) -> str:
    """The timeline in `lang`; `titles` names the steps (Procedure.titles)."""
    labels = {key: tr(lang, text) for key, text in LABELS.items()}
    day_of = lambda d: format_date(d, lang)  # noqa: E731
    steps = [(s, _d(s.get("date"))) for s in case["steps"] if s.get("date")]
    deadlines = [(d, _d(d["due"])) for d in case["deadlines"]]
    days = [x for _, x in steps + deadlines if x] + [today]
    decided = _d(case["decision"]["date"])
    if decided:
        days.append(decided)
    start = min(days) - dt.timedelta(days=10)
    end = max(days) + dt.timedelta(days=20)
    sessions = [s for s in calendar["sessions"]
                if _d(s["end"]) >= start and _d(s["start"]) <= end + dt.timedelta(days=120)]
    if sessions:  # show the next session even if it is a little ahead
        end = max(end, min(max(_d(s["end"]) for s in sessions) + dt.timedelta(days=5),
                           end + dt.timedelta(days=120)))
    span = (end - start).days or 1

    def x(day: dt.date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'role="img" class="timeline" aria-labelledby="tl-title">',
           f'<title id="tl-title">{escape(labels["timeline"])} {escape(case["id"])}</title>']
    for s in sessions:
        x0, x1 = max(x(_d(s["start"])), LEFT), min(x(_d(s["end"])), WIDTH - RIGHT)
        if x1 < LEFT or x0 > WIDTH - RIGHT:
            continue
        out.append(f'<rect class="session" x="{x0:.1f}" y="30" width="{max(x1 - x0, 3):.1f}" '
                   f'height="{AXIS - 30}"><title>{escape(labels["session"])} {s["number"]}: '
                   f'{day_of(s["start"])} – {day_of(s["end"])}</title></rect>')
        out.append(f'<text class="small" x="{x0:.1f}" y="26">{escape(labels["asp"])} {s["number"]}</text>')
    for m in calendar["bureau_meetings"]:
        day = _d(m["date"])
        if start <= day <= end:
            out.append(f'<line class="meeting" x1="{x(day):.1f}" x2="{x(day):.1f}" y1="40" '
                       f'y2="{AXIS}"><title>{escape(labels["bureau_meeting"])} '
                       f'{day_of(m["date"])}</title></line>')
    for lane, y in LANES.items():
        out.append(f'<line class="lane" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>')
        out.append(f'<text class="lane-label" x="8" y="{y + 4}">{escape(labels[lane])}</text>')
    out.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{AXIS}" y2="{AXIS}"/>')
    # A tick each month on a short case, each quarter or year on a long one: labels never collide.
    every = 1 if span <= 150 else 3 if span <= 750 else 12
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        if month >= start and (month.month - 1) % every == 0:
            out.append(f'<line class="tick" x1="{x(month):.1f}" x2="{x(month):.1f}" y1="{AXIS}" '
                       f'y2="{AXIS + 5}"/><text class="small" x="{x(month) + 2:.1f}" '
                       f'y="{AXIS + 16}">{escape(format_date(month, lang, "MMM y"))}</text>')
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    last_label: dict[int, float] = {}
    for step, day in sorted(steps, key=lambda sd: sd[1]):
        y = LANES["informal" if step["step"] in INFORMAL_STEPS else "formal"]
        cls = f'step {step["status"]}'
        label = titles.get(step["step"], step["step"])
        out.append(f'<circle class="{cls}" cx="{x(day):.1f}" cy="{y}" r="6"><title>{escape(label)}: '
                   f'{escape(word("step_status", step["status"], lang))}, {day_of(day)}</title></circle>')
        # A label where there is room for it; crowded markers keep theirs in the tooltip.
        if x(day) - last_label.get(y, -1e9) >= 90:
            last_label[y] = x(day)
            out.append(f'<text class="small" x="{x(day):.1f}" y="{y - 12}" '
                       f'text-anchor="middle">{escape(label[:24])}</text>')
    for d, day in deadlines:
        y = LANES["informal" if d["step"] in INFORMAL_STEPS else "formal"] + 22
        cx = x(day)
        colour = COLOURS.get(d["status"], "#000")
        out.append(f'<path class="deadline {d["status"]}" d="M{cx:.1f} {y - 6} l6 6 l-6 6 l-6 -6 z" '
                   f'fill="{colour}"><title>{escape(titles.get(d["step"], d["step"]))} '
                   f'({escape(word("deadline_kind", d["kind"], lang))}): '
                   f'{escape(word("deadline_status", d["status"], lang))}, '
                   f'{day_of(d["due"])}</title></path>')
    if start <= today <= end:
        at = x(today)
        # Near the right edge the label reads leftwards from the line ("aujourd'hui" is long).
        near_end = at > WIDTH - RIGHT - 80
        anchor = ' text-anchor="end"' if near_end else ""
        out.append(f'<line class="today" x1="{at:.1f}" x2="{at:.1f}" y1="34" y2="{AXIS}"/>'
                   f'<text class="today-label" x="{at - 3 if near_end else at + 3:.1f}" y="44"'
                   f'{anchor}>{escape(labels["today"])}</text>')
    out.append("</svg>")
    return "\n".join(out)
