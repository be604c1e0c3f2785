"""Timelines as SVG, pure: data in (a case as `show_case` gives it, the calendar, today, the
words), SVG out. Two drawings share one layout:

- `svg`: one case, one row per step of the workflow in its lane (as the case dict lists them,
  so what access.py hides is never drawn), with its due date, the date done, lateness as a bar,
  skipped and not-applicable steps marked so, the letters issued, the Assembly sessions and
  Bureau meetings as bands, and today.
- `review_svg`: every case the reader may see on one time axis, one row each (the Bureau's
  review).

Layout, not luck, keeps the labels apart: the text of a row lives in columns on the left,
ellipsised to the column's width as measured with the font's own advance widths (DejaVu Sans,
the font the drawing asks for first; WeasyPrint uses it for the PDF too), the full text in a
<title>; labels in the plot (ticks, sessions, letters, today) are placed left to right and one
that would touch another is left out, its mark keeping the words in its tooltip. Every mark can
be focused (tabindex) and names what it is (aria-label and <title>)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from noncoop.i18n import format_date
from noncoop.vocabulary import place, word
from noncoop.web.said import rule as said_rule

FONT = "'DejaVu Sans', Verdana, sans-serif"
# Advance widths of DejaVu Sans (Book, Bold) for U+0020..U+007E, in thousandths of an em, read
# from the font files with fontTools. Verdana, the fallback, is no wider.
_BOOK = (318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636,
         636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684,
         686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695,
         635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550,
         635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392,
         634, 592, 818, 592, 592, 525, 636, 337, 636, 838)
_BOLD = (348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696,
         696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774,
         762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770,
         720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593,
         716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478,
         712, 652, 924, 645, 652, 582, 712, 365, 712, 838)
_OTHER = {"’": 318, "‘": 318, "–": 500, "—": 1000, "…": 1000, "·": 318, "«": 557, "»": 557,
          "\u00a0": 318}

INK, MUTED, LINE, ACCENT = "#1d2733", "#5b6672", "#cfd8dc", "#1f4e79"
OK, LATE, BAD, OPEN, GREY = "#2e7d32", "#b45309", "#c62828", "#1565c0", "#757575"
SESSION_FILL, MEETING = "#dcebf8", "#7b8a97"
DEADLINE_FILL = {"met": OK, "late": LATE, "missed": BAD, "open": OPEN}  # others: hollow grey


def text_width(text: str, size: float, bold: bool = False) -> float:
    """How wide `text` is drawn at `size` px: the sum of its advance widths (no kerning, which
    only narrows), with 3 % to spare."""
    table = _BOLD if bold else _BOOK
    total = 0
    for ch in text:
        if " " <= ch <= "~":
            total += table[ord(ch) - 32]
        elif ch in _OTHER:
            total += _OTHER[ch]
        else:  # an accented letter is as wide as its base letter; anything else, an em
            base = unicodedata.normalize("NFD", ch)[0]
            total += table[ord(base) - 32] if " " <= base <= "~" else 1000
    return total * size / 1000 * 1.03


def fit(text: str, width: float, size: float, bold: bool = False) -> str:
    """`text`, cut with an ellipsis so that it is no wider than `width`."""
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text.rstrip() + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass
class Axis:
    """Days onto the plot's x coordinates."""

    start: dt.date
    end: dt.date
    x0: float
    x1: float

    def x(self, day: dt.date) -> float:
        span = (self.end - self.start).days or 1
        return self.x0 + (self.x1 - self.x0) * (day - self.start).days / span

    def clamp(self, day: dt.date) -> float:
        return min(max(self.x(day), self.x0), self.x1)

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def ticks(self) -> tuple[list[dt.date], str]:
        """The first days of the months to mark, every 1, 2, 3, 6 months or 1, 2, 5 years: the
        fewest that leave each label room."""
        per_day = (self.x1 - self.x0) / ((self.end - self.start).days or 1)
        for months in (1, 2, 3, 6, 12, 24, 60, 120):
            fmt = "%Y-%m" if months < 12 else "%Y"
            if months * 30.4 * per_day >= text_width("2000-00" if months < 12 else "2000",
                                                     SMALL) + 10:
                break
        out = []
        month = dt.date(self.start.year, self.start.month, 1)
        while month <= self.end:
            if month >= self.start and (month.year * 12 + month.month - 1) % months == 0:
                out.append(month)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return out, fmt


@dataclass
class Lane:
    """The labels placed on one horizontal band of the plot: none may touch another."""

    taken: list[tuple[float, float]] = field(default_factory=list)

    def place(self, x: float, width: float, lo: float, hi: float) -> float | None:
        """Where a label `width` wide that belongs at `x` starts: at `x`, or moved left to stay
        within [lo, hi]; None if that spot touches a label already placed."""
        if width > hi - lo:
            return None
        left = min(max(x, lo), hi - width)
        if any(left < b + 4 and a < left + width + 4 for a, b in self.taken):
            return None
        self.taken.append((left, left + width))
        return left


# -- drawing primitives ---------------------------------------------------------------------

SMALL, TEXT, HEAD = 10, 12, 12  # font sizes, px
ROW = 22  # the height of a row


def _text(x: float, y: float, text: str, size: float = TEXT, fill: str = INK, cls: str = "",
          bold: bool = False, italic: bool = False, anchor: str = "start",
          full: str | None = None, strike: bool = False) -> str:
    extra = (' font-weight="bold"' if bold else "") + (' font-style="italic"' if italic else "")
    extra += ' text-decoration="line-through"' if strike else ""
    extra += f' text-anchor="{anchor}"' if anchor != "start" else ""
    tip = ""
    if full and full != text:  # cut to fit: the whole text on hover, and to a keyboard too
        tip = f"<title>{escape(full)}</title>"
        extra += f' tabindex="0" aria-label={quoteattr(full)}'
    return (f'<text class="tl-label{" " + cls if cls else ""}" x="{x:.1f}" y="{y:.1f}" '
            f'font-size="{size}" fill="{fill}"{extra}>{tip}{escape(text)}</text>')


def _mark(shape: str, detail: str, cls: str) -> str:
    """A mark that can be focused and says what it is."""
    return (f'<{shape} class="tl-mark {cls}" tabindex="0" role="img" '
            f'aria-label={quoteattr(detail)}><title>{escape(detail)}</title></{shape.split()[0]}>')


def _svg_open(width: float, height: float, title: str, cls: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
            f'class="timeline {cls}" role="group" aria-label={quoteattr(title)} '
            f'font-family="{FONT}">',
            f"<title>{escape(title)}</title>"]


def _calendar(axis: Axis, calendar: dict[str, Any], labels: dict[str, str], top: float,
              bottom: float, label_x: float, label_w: float) -> list[str]:
    """The sessions as bands and the Bureau meetings as lines from `top` to `bottom`, their
    names in two rows at the top (`top` .. `top` + 2 rows)."""
    out = [_text(label_x, top + 15, fit(labels["sessions"], label_w, SMALL), SMALL, MUTED,
                 full=labels["sessions"]),
           _text(label_x, top + ROW + 15, fit(labels["meetings"], label_w, SMALL), SMALL,
                 MUTED, full=labels["meetings"])]
    names, named, to_name = Lane(), [], []
    for s in calendar["sessions"]:
        first, last = _d(s["start"]), _d(s["end"])
        if last < axis.start or first > axis.end:
            continue
        x0, x1 = axis.clamp(first), axis.clamp(last)
        lang = labels.get("lang", "en")
        kind = (f" ({word('session_kind', s['kind'], lang)})"
                if s.get("kind") not in (None, "regular") else "")
        detail = (f"{labels['session']} {s['number']}{kind}: {format_date(s['start'], lang)} – "
                  f"{format_date(s['end'], lang)}"
                  f"{', ' + place(s['venue'], lang) if s.get('venue') else ''}")
        out.append(_mark(f'rect x="{x0:.1f}" y="{top + 2}" width="{max(x1 - x0, 3):.1f}" '
                         f'height="{bottom - top - 2:.1f}" fill="{SESSION_FILL}"', detail,
                         "session"))
        to_name.append((first, x0, f"{labels['asp']} {s['number']}"))
    # Named newest first: where names would touch, the older ones give way, so that the
    # sessions of the current reporting cycle are named on a timeline of many years.
    for _, x0, name in sorted(to_name, reverse=True):
        at = names.place(x0, text_width(name, SMALL), axis.x0, axis.x1)
        if at is not None:  # drawn after every band, so that no band covers it
            named.append(_text(at, top + 15, name, SMALL, ACCENT, "session-name"))
    for m in calendar["bureau_meetings"]:
        day = _d(m["date"])
        if day not in axis:
            continue
        x, y = axis.x(day), top + ROW + 11
        lang = labels.get("lang", "en")
        detail = (f"{labels['bureau_meeting']} {format_date(m['date'], lang)}"
                  f"{', ' + place(m['place'], lang) if m.get('place') else ''}")
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y:.1f}" y2="{bottom:.1f}" '
                   f'stroke="{MEETING}" stroke-dasharray="3 3" class="meeting"/>')
        out.append(_mark(f'path d="M{x - 5:.1f} {y - 6:.1f} h10 l-5 8 z" fill="{MEETING}"',
                         detail, "meeting"))
    return out + named


def _axis(axis: Axis, y: float) -> list[str]:
    """The ticks, their dates above the plot at `y`."""
    out = []
    ticks, fmt = axis.ticks()
    room = Lane()
    for day in ticks:
        x = axis.x(day)
        name = day.strftime(fmt)
        at = room.place(x + 2, text_width(name, SMALL), axis.x0, axis.x1)
        if at is None:
            continue
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y + 3:.1f}" y2="{y + 8:.1f}" '
                   f'stroke="{MUTED}" class="tick"/>')
        out.append(_text(at, y, name, SMALL, MUTED, "tick-label"))
    return out


def _grid(axis: Axis, top: float, bottom: float) -> list[str]:
    ticks, _ = axis.ticks()
    return [f'<line x1="{axis.x(d):.1f}" x2="{axis.x(d):.1f}" y1="{top:.1f}" y2="{bottom:.1f}" '
            f'stroke="#eceff1" class="grid"/>' for d in ticks]


def _today(axis: Axis, today: dt.date, labels: dict[str, str], top: float,
           bottom: float) -> list[str]:
    """A red line for today, its name under the plot, inside it whatever the day."""
    if today not in axis:
        return []
    x = axis.x(today)
    name = f"{labels['today']} {format_date(today, labels.get('lang', 'en'))}"
    width = text_width(name, SMALL)
    left = x + 4 if x + 4 + width <= axis.x1 else x - 4 - width
    return [f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{BAD}" '
            f'stroke-width="2" class="today"/>',
            _text(max(left, axis.x0), bottom + 14, name, SMALL, BAD, "today-label")]


def _diamond(x: float, y: float, status: str, overdue: bool, detail: str, r: float = 6) -> str:
    fill = BAD if overdue else DEADLINE_FILL.get(status)
    paint = f'fill="{fill}"' if fill else f'fill="#fff" stroke="{GREY}" stroke-width="1.5"'
    return _mark(f'path d="M{x:.1f} {y - r:.1f} l{r} {r} l{-r} {r} l{-r} {-r} z" {paint}',
                 detail, f"deadline {status}{' overdue' if overdue else ''}")


# -- what the marks say ---------------------------------------------------------------------

def lateness(d: dict[str, Any], today: dt.date, closed: bool) -> tuple[str, dt.date,
                                                                       dt.date] | None:
    """How late a deadline is, as a bar: ("late", due, done) for one met after its day,
    ("overdue", due, today) for one still outstanding past its day; None otherwise. A closed
    case is never overdue."""
    due, done = _d(d["due"]), _d(d.get("done_on"))
    if done and done > due:
        return "late", due, done
    if not closed and done is None and d["status"] in ("open", "missed") and due < today:
        return "overdue", due, today
    return None


def overdue(case: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    """The deadlines of an open case still outstanding past their day."""
    closed = case["status"] == "closed"
    return [d for d in case["deadlines"] if (lateness(d, today, closed) or ("",))[0] == "overdue"]


def needs_action(case: dict[str, Any], today: dt.date, within: int = 30) -> bool:
    """An open case with a deadline past its day or falling within `within` days."""
    if case["status"] == "closed":
        return False
    return bool(overdue(case, today)) or any(
        d["status"] == "open" and d.get("done_on") is None
        and 0 <= (_d(d["due"]) - today).days <= within for d in case["deadlines"])


def _deadline_detail(d: dict[str, Any], title: str, labels: dict[str, str],
                     bar: tuple[str, dt.date, dt.date] | None) -> str:
    lang = labels.get("lang", "en")
    text = f"{title} ({word('deadline_kind', d['kind'], lang)}): {labels['due'].lower()} " \
           f"{format_date(d['due'], lang)}, {word('deadline_status', d['status'], lang)}"
    if d.get("done_on"):
        text += f", {labels['done']} {format_date(d['done_on'], lang)}"
    if bar:
        text += f", {labels['days_late'].format(n=(bar[2] - bar[1]).days)}"
    return text


def _span(dates: Iterable[dt.date | None], pad_to: dt.date | None = None) -> tuple[dt.date,
                                                                                  dt.date]:
    days = [d for d in dates if d]
    if pad_to:
        days.append(pad_to)
    first, last = min(days), max(days)
    pad = dt.timedelta(days=max(7, (last - first).days // 30))
    return first - pad, last + pad


# -- one case -------------------------------------------------------------------------------

WIDTH = 1100
COL_TITLE, COL_DUE, COL_DONE = 8, 272, 352  # the x of the text columns
TITLE_W, DUE_W, DATE_W = 256, 74, 90
PLOT = (452.0, WIDTH - 12.0)


def svg(case: dict[str, Any], calendar: dict[str, Any], today: dt.date,
        labels: dict[str, str], lanes: dict[str, str] | None = None,
        letters: Iterable[dict[str, Any]] = ()) -> str:
    """The timeline of `case`. `labels` holds the words and each step's title; `lanes` each
    step's lane as the workflow gives it (formal, good_offices); `letters` the letters issued
    that the reader may see ({reference, template, issued_on})."""
    lanes = lanes or {}
    letters = list(letters)
    closed = case["status"] == "closed"
    decided = _d(case["decision"]["date"])
    by_step: dict[str, list[dict[str, Any]]] = {}
    for d in case["deadlines"]:
        by_step.setdefault(d["step"], []).append(d)
    dates = [decided, *(_d(s.get("date")) for s in case["steps"]),
             *(_d(d["due"]) for d in case["deadlines"]),
             *(_d(d.get("done_on")) for d in case["deadlines"]),
             *(_d(m["issued_on"]) for m in letters),
             # the day it closed: a case closed on appeal may have no step after its decision
             *(_d(h.get("on")) for h in case.get("history", ()) if h["event"] == "case_closed")]
    start, end = _span(dates, None if closed else today)
    axis = Axis(start, end, *PLOT)

    # The rows: the decision, then each lane's steps in the workflow's order, then the letters.
    rows: list[tuple[str, Any]] = []
    if decided:
        rows.append(("decision", None))
    for lane, name in (("formal", "formal"), ("good_offices", "informal")):
        steps = [s for s in case["steps"] if lanes.get(s["step"], "formal") == lane]
        if steps:
            rows.append(("lane", labels[name]))
            rows += [("step", s) for s in steps]
    if letters:
        rows.append(("letters", None))

    head = 20.0  # the tick labels
    top = head + 4
    body = top + 2 * ROW + 4  # below the sessions and meetings rows
    bottom = body + ROW * len(rows)
    height = bottom + 22
    title = f"{labels['timeline']} {case['id']}"
    out = _svg_open(WIDTH, height, title, "case-timeline")
    out.append(f'<rect x="0" y="0" width="{WIDTH}" height="{height:.0f}" fill="#fff"/>')
    # Stripes first, under everything: every other row shaded, the lane headers darker.
    for i, (kind, _) in enumerate(rows):
        y = body + i * ROW
        if kind == "lane":
            out.append(f'<rect x="0" y="{y:.1f}" width="{WIDTH}" height="{ROW}" fill="#eef2f5"/>')
        elif i % 2:
            out.append(f'<rect x="0" y="{y:.1f}" width="{WIDTH}" height="{ROW}" fill="#fafbfc"/>')
    out += _grid(axis, top, bottom)
    out += _calendar(axis, calendar, labels, top, bottom, COL_TITLE, PLOT[0] - COL_TITLE - 8)
    out.append(_text(COL_TITLE, head - 6, labels["step"], SMALL, MUTED, bold=True))
    out.append(_text(COL_DUE, head - 6, fit(labels["due"], DUE_W, SMALL, True), SMALL, MUTED,
                     bold=True, full=labels["due"]))
    done = labels["done"].capitalize()
    out.append(_text(COL_DONE, head - 6, fit(done, DATE_W, SMALL, True), SMALL, MUTED,
                     bold=True, full=done))
    out += _axis(axis, head - 6)
    out.append(f'<line x1="{PLOT[0]}" x2="{PLOT[1]}" y1="{head:.1f}" y2="{head:.1f}" '
               f'stroke="{MUTED}" class="axis"/>')
    for i, (kind, item) in enumerate(rows):
        y = body + i * ROW
        mid = y + ROW / 2
        base = y + 15
        if kind == "lane":
            out.append(_text(COL_TITLE, base, fit(item, TITLE_W, TEXT, True), TEXT, INK,
                             "lane-label", bold=True, full=item))
        elif kind == "decision":
            name = labels["decision"]
            out.append(_text(COL_TITLE, base, fit(name, TITLE_W, TEXT), TEXT, INK, full=name))
            out.append(_text(COL_DONE, base, decided.isoformat(), SMALL + 1, INK))
            x = axis.x(decided)
            out.append(_mark(f'rect x="{x - 5:.1f}" y="{mid - 5:.1f}" width="10" height="10" '
                             f'fill="{INK}"', f"{name} {case['decision'].get('ref') or ''} "
                             f"{decided.isoformat()}".replace("  ", " "), "decision"))
        elif kind == "letters":
            out += _letters_row(axis, letters, labels, y)
        else:
            out.append(f'<g class="step-row" data-step="{item["step"]}" '
                       f'data-status="{item["status"]}">')
            out += _step_row(axis, item, by_step.get(item["step"], []), labels, y, today,
                             closed)
            out.append("</g>")
    out += _today(axis, today, labels, top, bottom)
    out.append("</svg>")
    return "\n".join(out)


def _why(s: dict[str, Any], lang: str) -> str:
    """The reason a step gives (skipped, not applicable) as the page around it says it: a
    rule's words in the reader's language (web/said.py), a person's reason as written."""
    if not s.get("reason"):
        return ""
    return said_rule(s["rule"], s["reason"], lang) if s.get("rule") else s["reason"]


def _step_row(axis: Axis, s: dict[str, Any], deadlines: list[dict[str, Any]],
              labels: dict[str, str], y: float, today: dt.date, closed: bool) -> list[str]:
    step, status = s["step"], s["status"]
    name = labels.get(step, step)
    said = labels.get(status, status)
    mid, base = y + ROW / 2, y + 15
    muted = status in ("skipped", "not_applicable")
    why = _why(s, labels.get("lang", "en"))
    full = f"{name} ({step}): {said}" + (f" – {why}" if why else "")
    out = [_text(COL_TITLE, base, fit(name, TITLE_W, TEXT), TEXT, MUTED if muted else INK,
                 "step-label " + status, italic=muted, strike=status == "not_applicable",
                 full=full)]
    # The due column: the first deadline still outstanding, else the last one.
    if deadlines:
        waiting = [d for d in deadlines if d["status"] in ("open", "missed")]
        shown = min(waiting, key=lambda d: d["due"]) if waiting else max(
            deadlines, key=lambda d: d["due"])
        bar = lateness(shown, today, closed)
        colour = BAD if bar else {"met": OK, "late": LATE, "open": INK}.get(shown["status"],
                                                                          MUTED)
        out.append(_text(COL_DUE, base, shown["due"], SMALL + 1, colour, "due-date"))
    # The done column: the date, or what the step is instead.
    if status in ("done", "in_progress") and s.get("date"):
        text = s["date"] if status == "done" else f"{s['date']}…"
        out.append(_text(COL_DONE, base, fit(text, DATE_W, SMALL + 1), SMALL + 1,
                         INK if status == "done" else OPEN, "done-date",
                         full=f"{said} {s['date']}"))
    elif muted:
        out.append(_text(COL_DONE, base, fit(said, DATE_W, SMALL + 1), SMALL + 1, MUTED,
                         "done-date", italic=True, full=full))
    # The plot: not applicable struck through; bars of lateness under the marks.
    if status == "not_applicable":
        out.append(_mark(f'line x1="{axis.x0:.1f}" x2="{axis.x1:.1f}" y1="{mid:.1f}" '
                         f'y2="{mid:.1f}" stroke="#b0bec5" stroke-width="2" '
                         f'stroke-dasharray="2 6"', full, "not-applicable"))
    for d in deadlines:
        bar = lateness(d, today, closed)
        if bar:
            x0, x1 = axis.clamp(bar[1]), axis.clamp(bar[2])
            out.append(_mark(f'rect x="{x0:.1f}" y="{mid - 3:.1f}" width="{max(x1 - x0, 2):.1f}" '
                             f'height="6" fill="{BAD if bar[0] == "overdue" else LATE}" '
                             f'opacity="0.55"', _deadline_detail(d, name, labels, bar),
                             f"lateness {bar[0]}"))
    for d in deadlines:
        bar = lateness(d, today, closed)
        if _d(d["due"]) in axis:
            out.append(_diamond(axis.x(_d(d["due"])), mid, d["status"],
                                bool(bar and bar[0] == "overdue"),
                                _deadline_detail(d, name, labels, bar)))
    if s.get("date") and _d(s["date"]) in axis:
        x = axis.x(_d(s["date"]))
        detail = f"{name}: {said} {s['date']}" + (f" – {why}" if why else "")
        if status == "skipped":
            out.append(_mark(f'path d="M{x - 5.5:.1f} {mid:.1f} a5.5 5.5 0 1 0 11 0 '
                             f'a5.5 5.5 0 1 0 -11 0 m1.6 3.9 l7.8 -7.8" fill="#fff" '
                             f'stroke="{GREY}" stroke-width="2"', detail, "step skipped"))
        elif status == "in_progress":
            out.append(_mark(f'circle cx="{x:.1f}" cy="{mid:.1f}" r="5.5" fill="#bbdefb" '
                             f'stroke="{ACCENT}" stroke-width="2"', detail, "step in_progress"))
        else:
            out.append(_mark(f'circle cx="{x:.1f}" cy="{mid:.1f}" r="5.5" fill="{ACCENT}" '
                             f'stroke="#fff" stroke-width="1"', detail, "step done"))
    return out


def _letters_row(axis: Axis, letters: list[dict[str, Any]], labels: dict[str, str],
                 y: float) -> list[str]:
    name = labels["issued"]
    out = [_text(COL_TITLE, y + 15, fit(name, TITLE_W, TEXT), TEXT, INK, full=name)]
    mid = y + ROW / 2
    shown = sorted((m for m in letters if _d(m["issued_on"]) in axis),
                   key=lambda m: m["issued_on"])
    room = Lane()
    xs = [axis.x(_d(m["issued_on"])) for m in shown]
    room.taken += [(x - 6, x + 5) for x in xs]  # the marks: no label over one
    for m, x in zip(shown, xs, strict=True):
        lang = labels.get("lang", "en")
        detail = (f"{m['reference']}: {word('letter', m['template'], lang)}, "
                  f"{format_date(m['issued_on'], lang)}")
        out.append(_mark(f'path d="M{x - 6:.1f} {mid - 4:.1f} h12 v8 h-12 z m0 0 l6 5 l6 -5" '
                         f'fill="#fff" stroke="{ACCENT}" stroke-width="1.5"', detail, "letter"))
        width = text_width(m["reference"], SMALL)
        if x + 9 + width <= axis.x1:  # a label right of its mark, or none
            at = room.place(x + 9, width, x + 9, axis.x1)
            if at is not None:
                out.append(_text(at, y + 15, m["reference"], SMALL, ACCENT, "letter-label"))
    return out


# -- every case -----------------------------------------------------------------------------

# The case column's width, the next-deadline column's x: room for "Prochaine échéance".
R_TITLE_W, R_NEXT = 250, 264
R_PLOT = (392.0, WIDTH - 12.0)


def review_svg(cases: list[dict[str, Any]], calendar: dict[str, Any], today: dt.date,
               labels: dict[str, str]) -> str:
    """Every case of `cases` (as `show_case` gives each to the reader) on one time axis, one
    row each in the order given: its steps taken, its deadlines, lateness as bars."""
    dates = [today]
    for c in cases:
        dates += [_d(c["decision"]["date"]), *(_d(s.get("date")) for s in c["steps"]),
                  *(_d(d["due"]) for d in c["deadlines"])]
    start, end = _span(dates)
    axis = Axis(start, end, *R_PLOT)
    head = 20.0
    top = head + 4
    body = top + 2 * ROW + 4
    bottom = body + ROW * max(len(cases), 1)
    height = bottom + 22
    out = _svg_open(WIDTH, height, labels["review"], "review-timeline")
    out.append(f'<rect x="0" y="0" width="{WIDTH}" height="{height:.0f}" fill="#fff"/>')
    for i in range(1, len(cases), 2):
        out.append(f'<rect x="0" y="{body + i * ROW:.1f}" width="{WIDTH}" height="{ROW}" '
                   f'fill="#fafbfc"/>')
    out += _grid(axis, top, bottom)
    out += _calendar(axis, calendar, labels, top, bottom, 8, R_PLOT[0] - 16)
    out.append(_text(8, head - 6, labels["case"], SMALL, MUTED, bold=True))
    out.append(_text(R_NEXT, head - 6, fit(labels["next_deadline"], R_PLOT[0] - R_NEXT - 8,
                                           SMALL, True), SMALL, MUTED, bold=True,
                     full=labels["next_deadline"]))
    out += _axis(axis, head - 6)
    out.append(f'<line x1="{axis.x0}" x2="{axis.x1}" y1="{head:.1f}" y2="{head:.1f}" '
               f'stroke="{MUTED}" class="axis"/>')
    for i, c in enumerate(cases):
        out.append(f'<g class="case-row" data-case={quoteattr(c["id"])} '
                   f'data-status="{c["status"]}" data-needs-action='
                   f'"{str(needs_action(c, today)).lower()}">')
        out += _case_row(axis, c, labels, body + i * ROW, today)
        out.append("</g>")
    out += _today(axis, today, labels, top, bottom)
    out.append("</svg>")
    return "\n".join(out)


def _case_row(axis: Axis, c: dict[str, Any], labels: dict[str, str], y: float,
              today: dt.date) -> list[str]:
    closed = c["status"] == "closed"
    mid, base = y + ROW / 2, y + 15
    name = f"{c['id']} · {c['state']}"
    urgent = needs_action(c, today)
    lang = labels.get("lang", "en")
    full = (f"{name} ({word('case_status', c['status'], lang)}, "
            f"{word('stage', c['stage'], lang)})")
    link = (f'<a href="/cases/{escape(c["id"])}" class="case-link" '
            f'aria-label={quoteattr(full)}>')
    out = [link + _text(8, base, fit(name, R_TITLE_W, TEXT, urgent), TEXT,
                        BAD if urgent else MUTED if closed else INK,
                        "case-label" + (" needs-action" if urgent else ""), bold=urgent,
                        full=full) + "</a>"]
    waiting = [d for d in c["deadlines"] if d["status"] in ("open", "missed")
               and not d.get("done_on")]
    if waiting and not closed:
        nxt = min(waiting, key=lambda d: d["due"])
        late = _d(nxt["due"]) < today
        due = format_date(nxt["due"], lang)  # as the table beside it writes a day
        out.append(_text(R_NEXT, base, due, SMALL + 1, BAD if late else INK, "next-due",
                         full=f"{labels.get(nxt['step'], nxt['step'])}: {due}"))
    elif closed:
        out.append(_text(R_NEXT, base, fit(labels["closed"], R_PLOT[0] - R_NEXT - 8, SMALL + 1),
                         SMALL + 1, MUTED, "next-due", italic=True))
    # The life of the case: from its first date to its last (or today while open).
    days = sorted(d for d in [_d(c["decision"]["date"]), *(_d(s.get("date"))
                                                           for s in c["steps"])] if d)
    if days:
        last = days[-1] if closed else today
        out.append(f'<line x1="{axis.clamp(days[0]):.1f}" x2="{axis.clamp(last):.1f}" '
                   f'y1="{mid:.1f}" y2="{mid:.1f}" stroke="{LINE}" stroke-width="2"/>')
    for d in c["deadlines"]:
        bar = lateness(d, today, closed)
        title = labels.get(d["step"], d["step"])
        if bar:
            x0, x1 = axis.clamp(bar[1]), axis.clamp(bar[2])
            out.append(_mark(f'rect x="{x0:.1f}" y="{mid - 3:.1f}" width="{max(x1 - x0, 2):.1f}" '
                             f'height="6" fill="{BAD if bar[0] == "overdue" else LATE}" '
                             f'opacity="0.5"', f"{c['id']} " + _deadline_detail(
                                 d, title, labels, bar), f"lateness {bar[0]}"))
    if c["decision"]["date"]:
        x = axis.x(_d(c["decision"]["date"]))
        out.append(_mark(f'rect x="{x - 4:.1f}" y="{mid - 4:.1f}" width="8" height="8" '
                         f'fill="{INK}"', f"{c['id']} {labels['decision']} "
                         f"{c['decision']['date']}", "decision"))
    for s in c["steps"]:
        if s.get("date") and s["status"] in ("done", "in_progress", "skipped"):
            x = axis.x(_d(s["date"]))
            said = labels.get(s["status"], s["status"])
            detail = f"{c['id']} {labels.get(s['step'], s['step'])}: {said} {s['date']}"
            fill = "#fff" if s["status"] == "skipped" else ACCENT
            out.append(_mark(f'circle cx="{x:.1f}" cy="{mid:.1f}" r="4" fill="{fill}" '
                             f'stroke="{GREY if s["status"] == "skipped" else "#fff"}" '
                             f'stroke-width="1.5"', detail, f"step {s['status']}"))
    for d in c["deadlines"]:
        bar = lateness(d, today, closed)
        out.append(_diamond(axis.x(_d(d["due"])), mid, d["status"],
                            bool(bar and bar[0] == "overdue"),
                            f"{c['id']} " + _deadline_detail(
                                d, labels.get(d["step"], d["step"]), labels, bar), r=5))
    return out
