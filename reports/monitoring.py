"""The TPI monitoring report: one self-contained HTML page, plus the Markdown summary and the
table that a monitoring flow publishes as Prefect artifacts.

The page is Jinja2 with autoescape on. The charts are inline SVG whose geometry is computed here
and whose markup lives in the template, so every text that comes from data is escaped by that one
mechanism and nothing is marked safe by hand. Scores are compared and shown as the LKE shows them
(two decimals, half-up): a delta, an arrow and a colour always agree with the number beside them.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from reports.rendering import environment
from reports.survey_report import SurveySection
from zi_domain.file_names import safe_file_name
from zi_domain.indonesian import angka, tanggal
from zi_domain.plain_text import one_line
from zi_domain.predicates import PREDICATES, WBBM, WBK
from zi_domain.rounding import lke_round, lke_round_array
from zi_domain.surveys import IndexInLke

HEAT_LEVELS = ("below", "between", "above")  # an area below both floors, between them, above both

# Bar chart geometry, in SVG user units; the plot spans totals 0..100.
LABEL_WIDTH = 270  # 36 characters at 11 px, capitals too
PLOT_WIDTH = 500
VALUE_WIDTH = 56
CHART_WIDTH = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH + 10
SCALE = PLOT_WIDTH / 100.0
ROW_HEIGHT = 20
BAR_HEIGHT = 14
CHART_TOP = 24
CHART_BOTTOM = 26
LABEL_CHARS = 36
TICKS = (0, 20, 40, 60, 80, 100)

# Sparkline geometry; a history that moves less than MIN_SPARK_SPAN points is drawn within that
# span, so weekly noise of a few hundredths does not look like a cliff.
SPARK_WIDTH = 120
SPARK_HEIGHT = 28
SPARK_PAD = 3
MIN_SPARK_SPAN = 5.0

DROPS_IN_SUMMARY = 10
NAMED_IN_SUMMARY = 20  # units the Markdown summary names per list; the rest are counted
ARTIFACT_ROWS = 500  # units the artifact's table lists; the rest are counted, the page has all
FIX_FIRST_SHOWN = 5  # LKE items a unit's details list under "what to fix first"
EVIDENCE_MISSING_SHOWN = 10  # indicators without evidence a unit's details name; the rest counted
FULL_PAGE_UNITS = 500  # up to this many units, one page shows every unit in full
PAGE_UNITS = 500  # units a page of a larger run's ranked list shows
ATTENTION_SHOWN = 300  # units a larger run's overview shows in full; the rest are counted
HISTOGRAM_STEP = 5  # points a bar of a larger run's distribution of totals spans


@dataclass(frozen=True)
class FixFirstItem:
    """One LKE item of a unit's "what to fix first" (`zi_domain.gaps.fix_first`): raised to its
    top answer, it supplies `toward_floors` of the points missing from the next predicate's
    failing floors (those in `helps`, worded) and adds `gain` points to the total."""

    code: str
    text: str  # the LKE question, from framework data: escaped like every text
    toward_floors: float
    gain: float
    helps: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitMonitoringRow:
    """One unit's result in a monitoring run, as the monitoring service computes it."""

    unit_id: int
    code: str
    name: str  # from data: may contain <, &, quotes — must be escaped
    state_label: str  # e.g. "Pembangunan", "Evaluasi TPI"
    total: float
    pengungkit: float
    hasil: float
    area_percent: dict[int, float]  # area number -> score as % of the area's weight
    meets: dict[str, bool]  # {"WBK": ..., "WBBM": ...}
    previous_total: float | None  # total of the previous monitoring run, None if first
    changes: tuple[str, ...]  # Indonesian sentences, e.g. "baru memenuhi batas WBK"
    shortfalls: tuple[str, ...]  # Indonesian, toward the next predicate (see `detailed`)
    overdue_items: int
    evidence_problems: int
    history: tuple[tuple[date, float], ...]  # (as_of, total), oldest first, including this run
    complaints: int = 0  # of maladministration, since the unit's award (the TPI handles them)
    next_predicate: str | None = None  # what `shortfalls` and `fix_first` aim at, when known
    fix_first: tuple[FixFirstItem, ...] = ()  # most urgent first; the page shows FIX_FIRST_SHOWN
    evidence_missing: tuple[str, ...] = ()  # the indicators without evidence, "code name"
    indices: tuple[IndexInLke, ...] = ()  # IPAK and IPKP of its LKE, each with its source
    surveys: tuple[SurveySection, ...] = ()  # its one-page survey report, when it has surveys
    # False: a row of a larger run that its report shows only in its ranked list, built without
    # the fields above that only the unit in full shows (the shortfalls' words, history,
    # fix_first, evidence_missing, indices, surveys); see `services.monitoring.InFull`.
    detailed: bool = True
    missed_floors: int = -1  # how many shortfalls; -1: as many as `shortfalls` words

    def __post_init__(self) -> None:
        if self.missed_floors < 0:
            object.__setattr__(self, "missed_floors", len(self.shortfalls))

    # Worked out once a row: the summary, the pages, the overview and the artifacts each ask
    # them (five times a unit, 100,000 calls at 20,000 units). The rules are the functions.
    @functools.cached_property
    def change(self) -> float | None:
        """`score_change`."""
        return score_change(self)

    @functools.cached_property
    def newly_meets(self) -> tuple[str, ...]:
        """`newly_meeting`."""
        return newly_meeting(self)

    @functools.cached_property
    def no_longer_meets(self) -> tuple[str, ...]:
        """`no_longer_meeting`."""
        return no_longer_meeting(self)


@dataclass(frozen=True)
class PendingProposal:
    """A unit that met a predicate's floors in this period and whose proposal does not exist
    yet: it stays listed, and every run tries again, until the proposal is made."""

    crossing_id: int
    unit_id: int
    code: str
    name: str  # from data: escaped like every name
    predicate: str
    since: date  # the monitoring run that found the crossing
    reason: str | None  # why the last attempt did not propose it; None: not tried yet


@dataclass(frozen=True)
class MonitoringReport:
    """A whole monitoring run of one instansi's units, ready to render."""

    instansi: str
    period: str
    as_of: date
    framework: str
    area_names: dict[int, str]
    total_floors: dict[str, float]  # {"WBK": 75, "WBBM": 85}
    area_floors: dict[str, float]  # {"WBK": 60, "WBBM": 75}
    units: tuple[UnitMonitoringRow, ...]
    pending: tuple[PendingProposal, ...] = ()

    @functools.cached_property
    def asking_attention(self) -> list[tuple[UnitMonitoringRow, tuple[str, ...]]]:
        """`_asking_attention`, worked out once: the overview and the artifacts both list it."""
        return _asking_attention(self)

    @functools.cached_property
    def ranked(self) -> tuple[UnitMonitoringRow, ...]:
        """`ranked_units`, sorted once: the pages, the overview and the artifacts use it."""
        return ranked_units(self)

    @functools.cached_property
    def summary(self) -> MonitoringSummary:
        """`monitoring_summary`, counted once: the page's tiles and the artifact's table."""
        return monitoring_summary(self)


@dataclass(frozen=True)
class MonitoringSummary:
    """The headline numbers, the same on the page and in the Markdown artifact."""

    units: int
    meets_wbk: int
    meets_wbbm: int
    newly_meeting: int
    up: int
    down: int
    overdue_items: int
    evidence_problems: int
    complaints: int = 0

    def tiles(self) -> tuple[tuple[str, str], ...]:
        """(label, shown number) in reading order."""
        counts = (
            ("Unit dipantau", self.units),
            ("Memenuhi batas WBK", self.meets_wbk),
            ("Memenuhi batas WBBM", self.meets_wbbm),
            ("Baru memenuhi batas", self.newly_meeting),
            ("Total naik", self.up),
            ("Total turun", self.down),
            ("Butir kerja terlambat", self.overdue_items),
            ("Bukti bermasalah", self.evidence_problems),
            ("Pengaduan maladministrasi", self.complaints),
        )
        return tuple((label, angka(count, 0)) for label, count in counts)


def newly_meets_change(predicate: str) -> str:
    """The change sentence that marks a unit newly meeting `predicate`.

    The monitoring service writes it (it knows the threshold crossings); the report counts the
    units whose changes begin with it, so the tile and the sentences a person reads agree.
    """
    return f"baru memenuhi batas {predicate}"


def no_longer_meets_change(predicate: str) -> str:
    """The change sentence that marks a unit no longer meeting `predicate` (as above: the service
    writes it, the artifact finds the units that lost a predicate by it)."""
    return f"tidak lagi memenuhi batas {predicate}"


_NEWLY = {
    p: re.compile(rf"{re.escape(newly_meets_change(p))}\b", re.IGNORECASE) for p in PREDICATES
}
_NO_LONGER = {
    p: re.compile(rf"{re.escape(no_longer_meets_change(p))}\b", re.IGNORECASE) for p in PREDICATES
}


def newly_meeting(unit: UnitMonitoringRow) -> tuple[str, ...]:
    """The predicates that the unit meets and that a change sentence reports as new."""
    return tuple(
        p
        for p in PREDICATES
        if unit.meets.get(p, False) and any(_NEWLY[p].match(c) for c in unit.changes)
    )


def no_longer_meeting(unit: UnitMonitoringRow) -> tuple[str, ...]:
    """The predicates whose floors the unit met on the previous run and misses now."""
    return tuple(p for p in PREDICATES if any(_NO_LONGER[p].match(c) for c in unit.changes))


def changed_since_last_run(unit: UnitMonitoringRow) -> bool:
    """Its shown total moved or it lost a predicate: a unit's first run has nothing to change
    from, and standing facts (overdue items, evidence gaps) are not changes."""
    return bool(unit.change) or bool(unit.no_longer_meets)


def score_change(unit: UnitMonitoringRow) -> float | None:
    """The change of the shown totals since the previous run (76,00 − 75,50 = 0,50).

    None on a unit's first run. Shown values, so the delta is what a reader computes by hand.
    """
    if unit.previous_total is None:
        return None
    return round(lke_round(unit.total) - lke_round(unit.previous_total), 2)


def ranked_units(report: MonitoringReport) -> tuple[UnitMonitoringRow, ...]:
    """Highest shown total first; ties by code, then id, so input order never matters."""
    return tuple(sorted(report.units, key=lambda u: (-lke_round(u.total), u.code, u.unit_id)))


def monitoring_summary(report: MonitoringReport) -> MonitoringSummary:
    """Counts over the run's units."""
    changes = [u.change for u in report.units]
    return MonitoringSummary(
        units=len(report.units),
        meets_wbk=sum(u.meets.get(WBK, False) for u in report.units),
        meets_wbbm=sum(u.meets.get(WBBM, False) for u in report.units),
        newly_meeting=sum(bool(u.newly_meets) for u in report.units),
        up=sum(c is not None and c > 0 for c in changes),
        down=sum(c is not None and c < 0 for c in changes),
        overdue_items=sum(u.overdue_items for u in report.units),
        evidence_problems=sum(u.evidence_problems for u in report.units),
        complaints=sum(u.complaints for u in report.units),
    )


# --- the page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tick:
    x: str
    label: str


@dataclass(frozen=True)
class _FloorLine:
    predicate: str
    x: str
    label: str
    label_x: str
    anchor: str  # SVG text-anchor


@dataclass(frozen=True)
class _BarChart:
    width: int
    height: int
    plot_x: int
    plot_y: int
    plot_width: str
    plot_height: int
    tick_label_y: int
    bar_height: int
    value_x: str  # right edge of the column of totals, right of the plot: no line crosses it
    ticks: tuple[_Tick, ...]
    floors: tuple[_FloorLine, ...]


@dataclass(frozen=True)
class _Bar:
    y: str
    text_y: str
    width: str
    label: str
    value: str
    title: str


@dataclass(frozen=True)
class _Cell:
    text: str
    level: str  # one of HEAT_LEVELS, or "none" for an area without a score
    title: str


@dataclass(frozen=True)
class Sparkline:
    points: str
    last_x: str
    last_y: str
    title: str


@dataclass(frozen=True)
class _Trend:
    direction: str  # naik, turun, tetap, pertama: also the CSS class
    text: str


@dataclass(frozen=True)
class _Fix:
    code: str
    text: str
    toward: str  # "+0,88 poin menuju batas WBK"
    closes: bool  # it supplies points that a failing floor misses (shown as it is not 0,00)
    gain: str  # "+4,38 poin total"
    helps: str  # the failing floors it feeds, in words; "" when none


@dataclass(frozen=True)
class _UnitHead:
    """What every view of a unit shows first: who it is, where it stands, and its total."""

    code: str
    name: str
    state: str
    status: str  # wbbm, wbk or belum: the CSS class of the bar and the row
    status_label: str
    total: str
    trend: _Trend
    marks: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class _UnitView(_UnitHead):
    """Everything the page shows of one unit, computed once for the chart, heat map and table."""

    components: str
    changes: tuple[str, ...]
    target: str  # "WBK", "WBBM" or "predikat berikutnya": what shortfalls and fixes aim at
    shortfalls: tuple[str, ...]
    overdue_items: str
    evidence_problems: str  # a sentence
    evidence_missing: tuple[str, ...]  # the first EVIDENCE_MISSING_SHOWN of them
    evidence_more: str  # how many more, as people read it; "" when none
    summary: str  # the folded details in one line
    fix_first: tuple[_Fix, ...]
    indices: tuple[IndexInLke, ...]
    surveys: tuple[SurveySection, ...]
    bar: _Bar
    cells: tuple[_Cell, ...]
    sparkline: Sparkline | None


def _n(value: float) -> str:
    """An SVG coordinate: two decimals at most, no trailing zeros, the same bytes every time."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _clamp(total: float) -> float:
    return min(max(total, 0.0), 100.0)


def _floor_label(predicate: str, floor: float) -> str:
    """'WBK 75' on the chart; a floor with a fraction keeps its decimals ('WBK 72,50')."""
    return f"{predicate} {angka(floor, 0) if floor == int(floor) else angka(floor)}"


def _bar_chart(report: MonitoringReport, rows: int) -> _BarChart:
    plot_height = rows * ROW_HEIGHT
    floors = []
    for index, predicate in enumerate(PREDICATES):
        x = _clamp(report.total_floors[predicate]) * SCALE
        lower = index < len(PREDICATES) - 1  # its label left of the line, the higher's right
        floors.append(
            _FloorLine(
                predicate=predicate.lower(),
                x=_n(x),
                label=_floor_label(predicate, report.total_floors[predicate]),
                label_x=_n(x - 4 if lower else x + 4),
                anchor="end" if lower else "start",
            )
        )
    return _BarChart(
        width=CHART_WIDTH,
        height=CHART_TOP + plot_height + CHART_BOTTOM,
        plot_x=LABEL_WIDTH,
        plot_y=CHART_TOP,
        plot_width=_n(PLOT_WIDTH),
        plot_height=plot_height,
        tick_label_y=plot_height + 16,
        bar_height=BAR_HEIGHT,
        value_x=_n(PLOT_WIDTH + VALUE_WIDTH),
        ticks=tuple(_Tick(x=_n(t * SCALE), label=angka(t, 0)) for t in TICKS),
        floors=tuple(floors),
    )


_STATUS = {p: (p.lower(), f"Memenuhi batas {p}") for p in PREDICATES}
_NO_STATUS = ("belum", f"Belum memenuhi batas {PREDICATES[0]}")


def _status(unit: UnitMonitoringRow) -> tuple[str, str]:
    """(CSS class, label) of the highest predicate whose floors the unit meets."""
    for predicate in reversed(PREDICATES):
        if unit.meets.get(predicate, False):
            return _STATUS[predicate]
    return _NO_STATUS


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _bar(unit: UnitMonitoringRow, index: int, status_label: str) -> _Bar:
    width = _clamp(unit.total) * SCALE
    y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
    return _Bar(
        y=_n(y),
        text_y=_n(y + BAR_HEIGHT - 3),
        width=_n(width),
        label=_shorten(f"{unit.code} · {unit.name}", LABEL_CHARS),
        value=angka(unit.total),
        title=f"{unit.code} · {unit.name}: total {angka(unit.total)} ({status_label})",
    )


_FIRST = _Trend("pertama", "pemantauan pertama")
_STEADY = _Trend("tetap", "= tetap")


def _trend(unit: UnitMonitoringRow) -> _Trend:
    change = unit.change
    if change is None:
        return _FIRST
    if change > 0:
        return _Trend("naik", f"▲ +{angka(change)}")
    if change < 0:
        return _Trend("turun", f"▼ −{angka(-change)}")
    return _STEADY


def _cells(report: MonitoringReport, unit: UnitMonitoringRow) -> tuple[_Cell, ...]:
    """One heat-map cell per area, its level from the shown percentage (59,995 shows 60,00)."""
    floors = [report.area_floors[p] for p in PREDICATES]
    cells = []
    for number, name in sorted(report.area_names.items()):
        percent = unit.area_percent.get(number)
        if percent is None:
            cells.append(_Cell("—", "none", f"{unit.code} · Area {number} {name}: belum ada nilai"))
            continue
        rounded = lke_round(percent)
        text = angka(rounded)
        level = HEAT_LEVELS[sum(rounded >= floor for floor in floors)]
        cells.append(_Cell(text, level, f"{unit.code} · Area {number} {name}: {text} %"))
    return tuple(cells)


def sparkline(history: Sequence[tuple[date, float]]) -> Sparkline | None:
    """The unit's totals over time: x by date (by run where all share a day), y on its own range."""
    if not history:
        return None
    points = sorted(history, key=lambda point: point[0])
    totals = [total for _, total in points]
    low, high = min(totals), max(totals)
    if high - low < MIN_SPARK_SPAN:
        middle = (high + low) / 2
        low, high = middle - MIN_SPARK_SPAN / 2, middle + MIN_SPARK_SPAN / 2
    inner_width = SPARK_WIDTH - 2 * SPARK_PAD
    inner_height = SPARK_HEIGHT - 2 * SPARK_PAD
    first, last = points[0][0], points[-1][0]
    span_days = (last - first).days
    coordinates = []
    for index, ((day, _), total) in enumerate(zip(points, totals, strict=True)):
        if span_days > 0:
            share = (day - first).days / span_days
        else:
            share = index / (len(points) - 1) if len(points) > 1 else 0.5
        x = SPARK_PAD + share * inner_width
        y = SPARK_PAD + (high - total) / (high - low) * inner_height
        coordinates.append((_n(x), _n(y)))
    if len(points) == 1:
        title = f"Riwayat total: {angka(totals[0])} ({tanggal(first)}), 1 pemantauan"
    else:
        title = (
            f"Riwayat total: {angka(totals[0])} ({tanggal(first)}) → "
            f"{angka(totals[-1])} ({tanggal(last)}), {len(points)} pemantauan"
        )
    return Sparkline(
        points=" ".join(f"{x},{y}" for x, y in coordinates),
        last_x=coordinates[-1][0],
        last_y=coordinates[-1][1],
        title=title,
    )


def _fix(item: FixFirstItem, target: str) -> _Fix:
    return _Fix(
        code=item.code,
        text=item.text,
        toward=f"+{angka(item.toward_floors)} poin menuju batas {target}",
        closes=lke_round(item.toward_floors) > 0,
        gain=f"+{angka(item.gain)} poin total",
        helps="; ".join(item.helps),
    )


def _summary(unit: UnitMonitoringRow, target: str) -> str:
    """The folded details in one line: what opening them shows, counted."""
    counts = (
        (len(unit.changes), "perubahan"),
        (len(unit.shortfalls), f"kekurangan menuju {target}"),
        (unit.evidence_problems, "bukti bermasalah"),
        (min(len(unit.fix_first), FIX_FIRST_SHOWN), "butir LKE untuk diperbaiki"),
        (len(unit.surveys), "survei"),
    )
    said = [f"{angka(count, 0)} {words}" for count, words in counts if count]
    return " · ".join(said) if said else "riwayat total"


def _head(unit: UnitMonitoringRow) -> dict[str, object]:
    """The fields of `_UnitHead`, for either view (a view built from a wrong set of fields is
    a TypeError). A dict, not a `_UnitHead` taken apart: a page builds 20,000 of them."""
    status, status_label = _status(unit)
    return {
        "code": unit.code,
        "name": unit.name,
        "state": unit.state_label,
        "status": status,
        "status_label": status_label,
        "total": angka(unit.total),
        "trend": _trend(unit),
        "marks": tuple([(p, unit.meets.get(p, False)) for p in PREDICATES]),
    }


def _unit_view(report: MonitoringReport, unit: UnitMonitoringRow, index: int) -> _UnitView:
    if not unit.detailed:
        raise ValueError(f"unit {unit.code} is shown in full but its row has no details")
    head = _head(unit)
    target = unit.next_predicate or "predikat berikutnya"
    problems = unit.evidence_problems
    return _UnitView(
        **head,  # type: ignore[arg-type]
        components=f"pengungkit {angka(unit.pengungkit)} · hasil {angka(unit.hasil)}",
        changes=unit.changes,
        target=target,
        shortfalls=unit.shortfalls,
        overdue_items=angka(unit.overdue_items, 0),
        evidence_problems=(
            f"{angka(problems, 0)} indikator LKE tanpa bukti dukung"
            if problems
            else "Semua indikator LKE memiliki bukti dukung."
        ),
        evidence_missing=unit.evidence_missing[:EVIDENCE_MISSING_SHOWN],
        evidence_more=(
            angka(len(unit.evidence_missing) - EVIDENCE_MISSING_SHOWN, 0)
            if len(unit.evidence_missing) > EVIDENCE_MISSING_SHOWN
            else ""
        ),
        summary=_summary(unit, target),
        fix_first=tuple(_fix(item, target) for item in unit.fix_first[:FIX_FIRST_SHOWN]),
        indices=unit.indices,
        surveys=unit.surveys,
        bar=_bar(unit, index, str(head["status_label"])),
        cells=_cells(report, unit),
        sparkline=sparkline(unit.history),
    )


def render_monitoring_html(report: MonitoringReport) -> str:
    """The whole page: the same report always gives the same text."""
    units = report.ranked
    views = [_unit_view(report, unit, index) for index, unit in enumerate(units)]
    template = environment().get_template("monitoring.html.j2")
    return template.render(
        report=report,
        as_of=tanggal(report.as_of),
        tiles=report.summary.tiles(),
        chart=_bar_chart(report, len(views)),
        areas=sorted(report.area_names.items()),
        predicates=PREDICATES,
        total_floors=[(p, angka(report.total_floors[p])) for p in PREDICATES],
        area_floors=[(p, angka(report.area_floors[p])) for p in PREDICATES],
        units=views,
        spark=(SPARK_WIDTH, SPARK_HEIGHT),
        pending=pending_lines(report.pending),
    )


# --- a larger run: an overview and pages of the ranked units ----------------------------------


@dataclass(frozen=True)
class MonitoringPages:
    """A run of more than FULL_PAGE_UNITS units: one page of 20,000 units in full was 52 MiB
    and took 5.6 s to write. The overview counts the run, draws the distribution of totals and
    each area's floors met, and shows in full the units that ask for attention this week (as
    the artifact chooses them: crossings, losses, pending proposals, then the largest moves);
    the pages list every unit, ranked, with what matters about it in one row."""

    overview: str
    pages: tuple[str, ...]  # halaman-001.html, ...: PAGE_UNITS units each, highest total first


@dataclass(frozen=True)
class _Bucket:
    label: str  # "75–80"
    count: str
    y: str
    text_y: str
    width: str
    status: str  # the CSS class of the floor the bucket's lower bound reaches


@dataclass(frozen=True)
class _AreaCounts:
    number: int
    name: str
    counts: tuple[tuple[str, str], ...]  # (heat level, shown count), in HEAT_LEVELS order


@dataclass(frozen=True)
class _PageLink:
    href: str
    label: str  # "Halaman 1"
    ranks: str  # "peringkat 1–500"
    totals: str  # "total 98,12–84,10"


@dataclass(frozen=True)
class _CompactView(_UnitHead):
    """One unit in a page's ranked list: its numbers and what changed, in one row."""

    rank: str
    overdue_items: str
    evidence_problems: str
    notes: tuple[str, ...]  # the changes, then how many floors of its target it misses


def _pages_folder(report: MonitoringReport) -> str:
    """The folder of a larger run's pages, next to its overview."""
    return f"pemantauan-{report.as_of.isoformat()}"


def _page_name(number: int) -> str:
    return f"halaman-{number:03d}.html"


def _histogram(report: MonitoringReport) -> _BarChart:
    """The frame of the distribution of totals: one bar a bucket, the bars' lengths counts
    (no total axis, so no ticks and no floor lines: the buckets' colours say the floors)."""
    return replace(_bar_chart(report, 100 // HISTOGRAM_STEP), ticks=(), floors=())


def _buckets(report: MonitoringReport, units: Sequence[UnitMonitoringRow]) -> tuple[_Bucket, ...]:
    steps = 100 // HISTOGRAM_STEP
    counts = [0] * steps
    for unit in units:
        counts[min(int(_clamp(lke_round(unit.total)) // HISTOGRAM_STEP), steps - 1)] += 1
    largest = max(counts) or 1
    found = []
    for index, step in enumerate(reversed(range(steps))):
        low = step * HISTOGRAM_STEP
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        reached = [p for p in PREDICATES if low >= report.total_floors[p]]
        found.append(
            _Bucket(
                label=f"total {angka(low, 0)}–{angka(low + HISTOGRAM_STEP, 0)}",
                count=angka(counts[step], 0),
                y=_n(y),
                text_y=_n(y + BAR_HEIGHT - 3),
                width=_n(counts[step] / largest * PLOT_WIDTH),
                status=reached[-1].lower() if reached else "belum",
            )
        )
    return tuple(found)


def _area_counts(report: MonitoringReport) -> tuple[_AreaCounts, ...]:
    """Per area, the units below the WBK floor, between the floors and above WBBM's (shown
    percentages, as the heat map colours them; a unit without the area's score is not counted)."""
    floors = [report.area_floors[p] for p in PREDICATES]
    found = []
    for number, name in sorted(report.area_names.items()):
        percents = [u.area_percent.get(number) for u in report.units]
        rounded = lke_round_array([p for p in percents if p is not None])
        levels = sum((rounded >= floor).astype(int) for floor in floors)
        counts = np.bincount(np.asarray(levels, dtype=int), minlength=len(HEAT_LEVELS))
        found.append(
            _AreaCounts(
                number=number,
                name=name,
                counts=tuple(
                    (level, angka(int(count), 0))
                    for level, count in zip(HEAT_LEVELS, counts.tolist(), strict=True)
                ),
            )
        )
    return tuple(found)


def _compact(unit: UnitMonitoringRow, rank: int) -> _CompactView:
    missed = unit.missed_floors
    target = unit.next_predicate or "predikat berikutnya"
    return _CompactView(
        **_head(unit),  # type: ignore[arg-type]
        rank=angka(rank, 0),
        overdue_items=angka(unit.overdue_items, 0),
        evidence_problems=angka(unit.evidence_problems, 0),
        notes=(
            *unit.changes,
            *([f"{angka(missed, 0)} batas {target} belum terpenuhi"] if missed else []),
        ),
    )


def shows_every_unit(count: int) -> bool:
    """A report of `count` units is one page with every unit in full; a larger one is an
    overview and pages of ranked units."""
    return count <= FULL_PAGE_UNITS


def attention_units(report: MonitoringReport) -> tuple[UnitMonitoringRow, ...]:
    """The units a larger run's overview shows in full, in the artifact's order."""
    return tuple(u for u, _ in report.asking_attention)


def _asking_attention(
    report: MonitoringReport,
) -> list[tuple[UnitMonitoringRow, tuple[str, ...]]]:
    """The units that changed, crossed a threshold or await their proposal, with the reasons
    (`artifact_reasons`): crossings and pending proposals first, then the largest moves."""
    pending = frozenset(p.unit_id for p in report.pending)
    chosen = [(u, artifact_reasons(u, pending)) for u in report.units]
    return sorted(((u, why) for u, why in chosen if why), key=lambda pair: _artifact_order(*pair))


def render_monitoring_pages(report: MonitoringReport) -> MonitoringPages:
    """A larger run's overview and its pages; the same report always gives the same text."""
    units = report.ranked
    folder = _pages_folder(report)
    chunks = [units[start : start + PAGE_UNITS] for start in range(0, len(units), PAGE_UNITS)]
    links = tuple(
        _PageLink(
            href=f"{folder}/{_page_name(number)}",
            label=f"Halaman {number}",
            ranks=f"peringkat {angka((number - 1) * PAGE_UNITS + 1, 0)}–"
            f"{angka((number - 1) * PAGE_UNITS + len(chunk), 0)}",
            totals=f"total {angka(chunk[0].total)}–{angka(chunk[-1].total)}",
        )
        for number, chunk in enumerate(chunks, 1)
    )
    attention = attention_units(report)
    # A unit that began to ask for attention after its run built the rows (a crossing another
    # run recorded meanwhile) has no details: it is counted and ranked, not shown in full.
    shown = [unit for unit in attention if unit.detailed][:ATTENTION_SHOWN]
    environment_ = environment()
    overview = environment_.get_template("monitoring_overview.html.j2").render(
        report=report,
        as_of=tanggal(report.as_of),
        tiles=report.summary.tiles(),
        chart=_histogram(report),
        buckets=_buckets(report, units),
        areas=_area_counts(report),
        predicates=PREDICATES,
        total_floors=[(p, angka(report.total_floors[p])) for p in PREDICATES],
        area_floors=[(p, angka(report.area_floors[p])) for p in PREDICATES],
        units=[_unit_view(report, unit, index) for index, unit in enumerate(shown)],
        attention=angka(len(attention), 0),
        attention_more=angka(len(attention) - len(shown), 0) if len(attention) > len(shown) else "",
        spark=(SPARK_WIDTH, SPARK_HEIGHT),
        pending=pending_lines(report.pending),
        links=links,
        page_units=angka(PAGE_UNITS, 0),
    )
    page = environment_.get_template("monitoring_page.html.j2")
    pages = tuple(
        page.render(
            report=report,
            chart=_histogram(report),  # the shared style sizes the chart class by it
            as_of=tanggal(report.as_of),
            predicates=PREDICATES,
            link=links[number],
            overview=f"../pemantauan-{report.as_of.isoformat()}.html",
            previous=_page_name(number) if number > 0 else "",
            next=_page_name(number + 2) if number + 1 < len(links) else "",
            pages=angka(len(links), 0),
            number=angka(number + 1, 0),
            units=[
                _compact(unit, number * PAGE_UNITS + rank) for rank, unit in enumerate(chunk, 1)
            ],
        )
        for number, chunk in enumerate(chunks)
    )
    return MonitoringPages(overview=overview, pages=pages)


# --- Prefect artifacts -------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _md(text: str) -> str:
    """Data as inert Markdown text: one line, no HTML, no emphasis, links or table cells."""
    text = one_line(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _largest_drops(
    units: Sequence[UnitMonitoringRow], count: int
) -> list[tuple[UnitMonitoringRow, float, float]]:
    """(unit, previous total, change) of the `count` largest falls; ties by code, then id."""
    drops = []
    for unit in units:
        change = unit.change
        if unit.previous_total is not None and change is not None and change < 0:
            drops.append((unit, unit.previous_total, change))
    return sorted(drops, key=lambda drop: (drop[2], drop[0].code, drop[0].unit_id))[:count]


@dataclass(frozen=True)
class ArtifactTable:
    """The artifact's table: the units a TPI looks at this week, at most ARTIFACT_ROWS of them.

    A table of every unit (20,000 rows, 3.9 MiB) took 12-15 s to publish and the server refused
    its event; the HTML report keeps every unit, the artifact only what moved."""

    rows: tuple[dict[str, object], ...]
    left_out: int  # units that qualified but did not fit

    @property
    def qualified(self) -> int:
        return len(self.rows) + self.left_out


@dataclass(frozen=True)
class MonitoringArtifacts:
    """What the flow publishes for one period: bounded, whatever the number of units."""

    table: ArtifactTable
    description: str
    markdown: str


def monitoring_artifacts(
    report: MonitoringReport, report_path: str | None, limit: int = ARTIFACT_ROWS
) -> MonitoringArtifacts:
    """The table, its description and the Markdown summary of a run."""
    table = monitoring_table(report, limit)
    return MonitoringArtifacts(
        table=table,
        description=table_description(report, table),
        markdown=monitoring_markdown(report, report_path, table),
    )


def artifact_reasons(unit: UnitMonitoringRow, pending: frozenset[int]) -> tuple[str, ...]:
    """Why the unit is in the artifact's table; () when it is not."""
    if not (unit.newly_meets or unit.no_longer_meets or unit.change or unit.unit_id in pending):
        return ()  # most units of a run: asked once or more a run for each of 20,000
    reasons = [f"baru memenuhi {p}" for p in unit.newly_meets]
    reasons += [f"tidak lagi memenuhi {p}" for p in unit.no_longer_meets]
    if unit.unit_id in pending:
        reasons.append("usulan tertunda")
    if unit.change:
        reasons.append("total berubah")
    return tuple(reasons)


def _artifact_order(unit: UnitMonitoringRow, reasons: tuple[str, ...]) -> tuple[object, ...]:
    """Crossings and pending proposals first (they ask for action), then the largest moves."""
    moved_only = reasons == ("total berubah",)
    return (moved_only, -abs(unit.change or 0.0), unit.code, unit.unit_id)


def monitoring_table(report: MonitoringReport, limit: int = ARTIFACT_ROWS) -> ArtifactTable:
    """The units that changed since the last run, crossed a threshold or await their proposal,
    at most `limit` of them; numbers as the LKE shows them (2 decimals), code and name as plain
    one-line text (the UI shows a cell as text: nothing else escaped)."""
    chosen = report.asking_attention
    return ArtifactTable(
        rows=tuple(_table_row(u, why) for u, why in chosen[:limit]),
        left_out=max(len(chosen) - limit, 0),
    )


def _table_row(unit: UnitMonitoringRow, reasons: tuple[str, ...]) -> dict[str, object]:
    return {
        "kode": one_line(unit.code),
        "unit": one_line(unit.name),
        "tahap": unit.state_label,
        "total": lke_round(unit.total),
        "perubahan": unit.change,
        **{p.lower(): unit.meets.get(p, False) for p in PREDICATES},
        "alasan": "; ".join(reasons),
        "terlambat": unit.overdue_items,
        "bukti_bermasalah": unit.evidence_problems,
    }


def table_description(report: MonitoringReport, table: ArtifactTable) -> str:
    """The table's caption, saying how many units it leaves out."""
    text = (
        f"Unit kerja yang berubah, melewati batas atau menunggu usulan per "
        f"{report.as_of.isoformat()}: {angka(len(table.rows), 0)} dari "
        f"{angka(len(report.units), 0)} unit"
    )
    if table.left_out:
        text += f"; {angka(table.left_out, 0)} unit lainnya tidak dimuat (lihat laporan HTML)"
    return text


def _named(lines: list[str], empty: str) -> list[str]:
    """At most NAMED_IN_SUMMARY lines, then how many more; `empty` when there is none."""
    if not lines:
        return [empty]
    shown = lines[:NAMED_IN_SUMMARY]
    if len(lines) > NAMED_IN_SUMMARY:
        shown.append(f"- dan {angka(len(lines) - NAMED_IN_SUMMARY, 0)} unit lainnya")
    return shown


def _stage_lines(units: Sequence[UnitMonitoringRow]) -> list[str]:
    """Units per stage, the largest stage first."""
    counts: dict[str, int] = {}
    for unit in units:
        counts[unit.state_label] = counts.get(unit.state_label, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        "| Tahap | Unit |",
        "| --- | ---: |",
        *(f"| {_md(label)} | {angka(count, 0)} |" for label, count in ordered),
    ]


def _drop_lines(units: Sequence[UnitMonitoringRow]) -> list[str]:
    drops = _largest_drops(units, DROPS_IN_SUMMARY)
    if not drops:
        return ["Tidak ada unit yang totalnya turun."]
    return [
        "| Kode | Unit | Sebelumnya | Sekarang | Perubahan |",
        "| --- | --- | ---: | ---: | ---: |",
        *(
            f"| {_md(u.code)} | {_md(u.name)} | {angka(previous)} | {angka(u.total)} | "
            f"−{angka(-change)} |"
            for u, previous, change in drops
        ),
    ]


def _late_lines(units: Sequence[UnitMonitoringRow]) -> list[str]:
    late = [u for u in units if u.overdue_items]
    if not late:
        return ["Tidak ada butir rencana kerja yang terlambat."]
    items = sum(u.overdue_items for u in late)
    return [f"{angka(items, 0)} butir rencana kerja terlambat pada {angka(len(late), 0)} unit."]


def _where_lines(report_path: str | None, table: ArtifactTable | None) -> list[str]:
    lines = []
    if table is not None:
        lines.append(
            f"Tabel artefak: {angka(len(table.rows), 0)} unit yang berubah, melewati batas atau "
            f"menunggu usulan; {angka(table.left_out, 0)} lainnya tidak dimuat."
        )
    if report_path is not None:
        lines.append(f"Laporan lengkap (semua unit): {_md(report_path)}")
    return lines


def monitoring_markdown(
    report: MonitoringReport, report_path: str | None = None, table: ArtifactTable | None = None
) -> str:
    """A short summary, bounded whatever the number of units: headline numbers, units per
    stage, crossings, the largest drops, late items, pending proposals and where the rest is."""
    lines = [
        f"# Pemantauan TPI: {_md(report.instansi)}",
        "",
        f"Periode {_md(report.period)} · kerangka {_md(report.framework)} · "
        f"hasil pemantauan TPI per {tanggal(report.as_of)}",
        "",
    ]
    where = _where_lines(report_path, table)
    if not report.units:
        return "\n".join([*lines, "Belum ada unit yang dipantau.", *where, ""])
    lines += ["| Ringkasan | Jumlah |", "| --- | ---: |"]
    lines += [f"| {label} | {value} |" for label, value in report.summary.tiles()]
    lines += ["", "## Unit per tahap", "", *_stage_lines(report.units)]
    units = report.ranked
    newly = [
        f"- **{_md(u.code)}** {_md(u.name)}: {', '.join(predicates)} (total {angka(u.total)})"
        for u in units
        if (predicates := u.newly_meets)
    ]
    lines += ["", "## Baru memenuhi batas", ""]
    lines += _named(newly, "Tidak ada unit yang baru memenuhi batas pada pemantauan ini.")
    lost = [
        f"- **{_md(u.code)}** {_md(u.name)}: {', '.join(predicates)} (total {angka(u.total)})"
        for u in units
        if (predicates := u.no_longer_meets)
    ]
    if lost:
        lines += ["", "## Tidak lagi memenuhi batas", "", *_named(lost, "")]
    lines += ["", "## Penurunan total terbesar", "", *_drop_lines(units)]
    lines += ["", "## Butir kerja terlambat", "", *_late_lines(report.units)]
    if report.pending:
        pending = [f"- {_md(line)}" for line in pending_lines(report.pending)]
        lines += ["", "## Usulan tertunda", "", *_named(pending, "")]
    if where:
        lines += ["", "## Tabel dan laporan", "", *where]
    return "\n".join([*lines, ""])


def pending_lines(pending: Sequence[PendingProposal]) -> list[str]:
    """Each pending proposal in one sentence, the same on the page, in the artifact and in `zi`."""
    return [
        f"{p.code} {p.name}: memenuhi {p.predicate} sejak {tanggal(p.since)}, usulan belum "
        f"dibuat{f' ({p.reason})' if p.reason else ''}; dicoba lagi pada setiap pemantauan"
        for p in pending
    ]


def report_folder(reports: Path, *, instansi: str, period_id: int) -> Path:
    """Where one instansi period's reports go under `reports`: a national run monitors every
    instansi on the same Monday, and each keeps its own pages (the number makes it unique
    where two names fold to the same file name)."""
    return reports / f"{safe_file_name(instansi)}-periode-{period_id}"


def write_monitoring_report(report: MonitoringReport, folder: Path) -> Path:
    """Writes `pemantauan-<as_of>.html`, each file atomically: a reader sees the old page or
    the new one. A run of more than FULL_PAGE_UNITS units writes its overview there and its
    ranked pages into the folder `pemantauan-<as_of>/` beside it (written first, so that the
    overview never links a page not yet there; pages a larger run of the day left are removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"pemantauan-{report.as_of.isoformat()}.html"
    pages_folder = folder / _pages_folder(report)
    if shows_every_unit(len(report.units)):
        _write_atomically(target, render_monitoring_html(report))
        if pages_folder.is_dir():
            shutil.rmtree(pages_folder)
        return target
    rendered = render_monitoring_pages(report)
    pages_folder.mkdir(exist_ok=True)
    names = {_page_name(number) for number in range(1, len(rendered.pages) + 1)}
    for number, page in enumerate(rendered.pages, 1):
        _write_atomically(pages_folder / _page_name(number), page)
    for stale in pages_folder.glob("halaman-*.html"):
        if stale.name not in names:
            stale.unlink()
    _write_atomically(target, rendered.overview)
    return target


def _write_atomically(target: Path, text: str) -> None:
    page = text.encode("utf-8")
    folder = target.parent
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(page)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes 0600; a report is for reading
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
