"""The monitoring page, read back as a browser would parse it: what a person sees must be right."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reports.monitoring import (
    ARTIFACT_ROWS,
    NAMED_IN_SUMMARY,
    ArtifactTable,
    FixFirstItem,
    MonitoringReport,
    PendingProposal,
    UnitMonitoringRow,
    monitoring_artifacts,
    monitoring_markdown,
    monitoring_table,
    newly_meets_change,
    no_longer_meets_change,
    render_monitoring_html,
    write_monitoring_report,
)

AS_OF = date(2026, 5, 4)
HOSTILE = '<script>alert(1)</script> & "Dinas"'
AREAS = {
    1: "Manajemen Perubahan",
    2: "Penataan Tatalaksana",
    3: "Penataan Sistem Manajemen SDM",
    4: "Penguatan Akuntabilitas",
    5: "Penguatan Pengawasan",
    6: "Peningkatan Kualitas Pelayanan Publik",
}
SVG = "{http://www.w3.org/2000/svg}"


def unit(code: str, total: float, **changes: object) -> UnitMonitoringRow:
    """A unit at `total` with every area at the same share; any field can be overridden."""
    row = UnitMonitoringRow(
        unit_id=int(code.rsplit("-", 1)[-1]),
        code=code,
        name=f"Unit {code}",
        state_label="Pembangunan",
        total=total,
        pengungkit=total * 0.6,
        hasil=total * 0.4,
        area_percent=dict.fromkeys(AREAS, total),
        meets={"WBK": False, "WBBM": False},
        previous_total=None,
        changes=(),
        shortfalls=(),
        overdue_items=0,
        evidence_problems=0,
        history=((AS_OF, total),),
    )
    return dataclasses.replace(row, **changes)  # type: ignore[arg-type]


def report(
    *units: UnitMonitoringRow, pending: tuple[PendingProposal, ...] = ()
) -> MonitoringReport:
    return MonitoringReport(
        instansi="Pemerintah Kabupaten Contoh",
        period="ZI 2026",
        as_of=AS_OF,
        framework="PermenPANRB 90/2021",
        area_names=AREAS,
        total_floors={"WBK": 75, "WBBM": 85},
        area_floors={"WBK": 60, "WBBM": 75},
        units=units,
        pending=pending,
    )


# --- reading the page back ---------------------------------------------------------------------

VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr"}


@dataclasses.dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = dataclasses.field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and (cls is None or cls in child.classes):
                    found.append(child)
                found += child.find_all(tag, cls)
        return found

    def find(self, tag: str, cls: str | None = None) -> Node:
        (only,) = self.find_all(tag, cls)
        return only


class TreeBuilder(HTMLParser):
    """A small DOM: enough to ask which elements exist, with which classes and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert any(n.tag == tag for n in self.stack), f"</{tag}> closes nothing"
        while self.stack.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> Node:
    builder = TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def inline_svg(page: str, css_class: str) -> ET.Element:
    """The first inline SVG of that class, parsed as the standalone SVG it must also be."""
    start = page.index(f'<svg class="{css_class}"')
    return ET.fromstring(page[start : page.index("</svg>", start) + len("</svg>")])


def chart(page: str) -> ET.Element:
    return inline_svg(page, "chart")


def plot(svg: ET.Element) -> ET.Element:
    (group,) = svg.findall(f"{SVG}g")
    return group


def x_of(element: ET.Element) -> float:
    assert element.get("x1") == element.get("x2"), "a vertical line"
    return float(element.get("x1", "nan"))


# --- the page ----------------------------------------------------------------------------------


def test_a_hostile_unit_name_is_shown_as_text_and_never_as_a_tag() -> None:
    page = render_monitoring_html(report(unit("UK-001", 80.0, name=HOSTILE)))
    tree = parse(page)

    assert tree.find_all("script") == []
    assert "<script>" not in page
    assert HOSTILE in tree.find("table", "units").find("td", "name").text()
    assert HOSTILE in tree.find("table", "heat").find("td", "name").text()
    (title,) = chart(page).iter(f"{SVG}title")
    assert title.text is not None and HOSTILE in title.text


def test_one_bar_per_unit_and_its_length_is_proportional_to_the_total() -> None:
    units = [unit("UK-001", 80.0), unit("UK-002", 40.0), unit("UK-003", 62.5)]
    svg = chart(render_monitoring_html(report(*units)))
    bars = [r for r in svg.iter(f"{SVG}rect") if "bar" in r.get("class", "").split()]

    assert len(bars) == 3
    width = {
        bar.findtext(f"{SVG}title", "").split(" · ")[0]: float(bar.get("width", "nan"))
        for bar in bars
    }
    assert width["UK-001"] / width["UK-003"] == pytest.approx(80.0 / 62.5)
    assert width["UK-001"] / width["UK-002"] == pytest.approx(80.0 / 40.0)
    axis = next(line for line in plot(svg).iter(f"{SVG}line") if line.get("class") == "axis")
    assert width["UK-001"] / float(axis.get("x2", "nan")) == pytest.approx(0.80)


def test_floor_lines_sit_at_75_and_85_on_the_axis() -> None:
    svg = chart(render_monitoring_html(report(unit("UK-001", 70.0))))
    lines = {line.get("class"): line for line in plot(svg).iter(f"{SVG}line")}
    ticks = {
        t.text: float(t.get("x", "nan"))
        for t in svg.iter(f"{SVG}text")
        if t.get("class") == "tick-label"
    }
    axis_end = float(lines["axis"].get("x2", "nan"))

    assert ticks["0"] == 0 and ticks["100"] == axis_end
    assert x_of(lines["floor floor-wbk"]) / axis_end == pytest.approx(0.75)
    assert x_of(lines["floor floor-wbbm"]) / axis_end == pytest.approx(0.85)
    labels = {t.text for t in svg.iter(f"{SVG}text") if "floor-label" in t.get("class", "")}
    assert labels == {"WBK 75", "WBBM 85"}


def test_the_chart_grows_with_the_units() -> None:
    small = chart(render_monitoring_html(report(unit("UK-001", 70.0))))
    large = chart(
        render_monitoring_html(report(*(unit(f"UK-{i:03d}", 70.0) for i in range(1, 11))))
    )
    assert float(large.get("height", "0")) - float(small.get("height", "0")) == 9 * 20


def test_bars_are_coloured_by_the_highest_predicate_met() -> None:
    units = [
        unit("UK-001", 90.0, meets={"WBK": True, "WBBM": True}),
        unit("UK-002", 86.0, meets={"WBK": True, "WBBM": False}),
        unit("UK-003", 80.0),  # a total above the floor with a failing area still does not meet
    ]
    svg = chart(render_monitoring_html(report(*units)))
    classes = [r.get("class") for r in svg.iter(f"{SVG}rect")]
    assert classes == ["bar bar-wbbm", "bar bar-wbk", "bar bar-belum"]


def test_heat_map_cells_are_coloured_against_the_area_floors() -> None:
    # Floors compare shown values: 59,995 shows as 60,00 and so meets the WBK floor of 60 %.
    percents = {1: 59.99, 2: 60.0, 3: 74.99, 4: 75.0, 5: 59.995}  # area 6 not scored yet
    page = parse(render_monitoring_html(report(unit("UK-001", 70.0, area_percent=percents))))
    (row,) = page.find("table", "heat").find("tbody").find_all("tr")
    cells = [(c.attrs["class"], c.text()) for c in row.find_all("td")[1:]]

    assert cells == [
        ("cell-below", "59,99"),
        ("cell-between", "60,00"),
        ("cell-between", "74,99"),
        ("cell-above", "75,00"),
        ("cell-between", "60,00"),
        ("cell-none", "—"),
    ]
    headers = [h.text() for h in page.find("table", "heat").find("thead").find_all("th")]
    assert headers[2:4] == ["Area 1Manajemen Perubahan", "Area 2Penataan Tatalaksana"]


def test_numbers_and_the_date_are_written_the_indonesian_way() -> None:
    page = parse(render_monitoring_html(report(unit("UK-001", 75.0, pengungkit=45.5, hasil=29.5))))
    assert page.find("html").attrs["lang"] == "id"
    assert page.find("p", "as-of").text() == "Hasil pemantauan TPI per 4 Mei 2026"
    total_cell = page.find("table", "units").find("td", "total-cell")
    assert total_cell.find("span", "total").text() == "75,00"
    assert total_cell.find("span", "components").text() == "pengungkit 45,50 · hasil 29,50"


def test_units_table_is_sorted_by_total_with_trend_marks_and_notes() -> None:
    units = [
        unit("UK-001", 70.0, previous_total=71.25, overdue_items=3, evidence_problems=1),
        unit("UK-002", 88.0, previous_total=85.5, meets={"WBK": True, "WBBM": True}),
        unit("UK-003", 77.0, previous_total=77.001, meets={"WBK": True, "WBBM": False}),
        unit(
            "UK-004",
            60.0,
            shortfalls=("Area 3 Penataan Sistem Manajemen SDM: minimal 60,00, tercapai 55,00",),
        ),
    ]
    page = parse(render_monitoring_html(report(*units)))
    bodies = page.find("table", "units").find_all("tbody", "unit")
    rows = [body.find("tr", "main") for body in bodies]

    assert [r.find("th").text() for r in rows] == ["UK-002", "UK-003", "UK-001", "UK-004"]
    trends = [
        (r.find("span", "trend").attrs["class"], r.find("span", "trend").text()) for r in rows
    ]
    assert trends == [
        ("trend naik", "▲ +2,50"),
        ("trend tetap", "= tetap"),  # 77,00 shown both times
        ("trend turun", "▼ −1,25"),
        ("trend pertama", "pemantauan pertama"),
    ]
    marks = [[m.text() for m in r.find_all("td", "mark")] for r in rows]
    assert marks == [["✓", "✓"], ["✓", "–"], ["–", "–"], ["–", "–"]]
    assert [b.attrs["class"] for b in bodies] == [
        "unit status-wbbm",
        "unit status-wbk",
        "unit status-belum",
        "unit status-belum",
    ]
    assert [li.text() for li in bodies[3].find("ul", "shortfalls").find_all("li")] == [
        "Area 3 Penataan Sistem Manajemen SDM: minimal 60,00, tercapai 55,00"
    ]
    assert rows[2].find("td", "overdue").text() == "3"
    assert bodies[2].find("p", "evidence").text() == "1 indikator LKE tanpa bukti dukung"


def test_the_units_table_has_few_columns_and_folds_the_details_of_each_unit() -> None:
    row = unit(
        "UK-001",
        72.0,
        previous_total=70.0,
        changes=("nilai naik 2,00", "4 indikator tanpa bukti dukung"),
        shortfalls=("Nilai total: minimal 75,00, tercapai 72,00",),
        evidence_problems=4,
        overdue_items=2,
        next_predicate="WBK",
    )
    table = parse(render_monitoring_html(report(row))).find("table", "units")

    assert table.find("caption").text().startswith("Rincian unit kerja")
    headers = table.find("thead").find_all("th")
    assert [h.text() for h in headers] == [
        "Kode",
        "Unit",
        "Tahap",
        "Total",
        "WBK",
        "WBBM",
        "Butir terlambat",
    ]
    assert {h.attrs["scope"] for h in headers} == {"col"}
    (body,) = table.find_all("tbody", "unit")
    main, detail = body.find_all("tr")
    assert main.find("th").attrs["scope"] == "row"
    assert [c.text() for c in main.find_all("td")][2:] == [
        "72,00▲ +2,00pengungkit 43,20 · hasil 28,80",
        "–",
        "–",
        "2",
    ]
    cell = detail.find("td")
    assert cell.attrs["colspan"] == str(len(headers))
    details = cell.find("details")
    assert "open" not in details.attrs  # folded until a reader opens it
    assert details.find("summary").text() == (
        "Rincian UK-001 2 perubahan · 1 kekurangan menuju WBK · 4 bukti bermasalah"
    )
    titles = [h.text() for h in details.find_all("h3")]
    assert titles == [
        "Perubahan",
        "Kekurangan menuju WBK",
        "Bukti dukung",
        "Riwayat total",
        "IPAK dan IPKP",
        "Perbaiki lebih dulu",
    ]
    assert details.find("svg", "spark").attrs["aria-label"].startswith("Riwayat total")
    assert [li.text() for li in details.find("ul", "changes").find_all("li")] == list(row.changes)
    assert details.find("p", "evidence").text() == "4 indikator LKE tanpa bukti dukung"


def test_what_to_fix_first_shows_five_items_with_both_numbers() -> None:
    toward = (0.875, 0.125, 0.0, 0.0, 0.0, 0.0)
    helps = (("Nilai total", "Pelayanan publik yang prima (IPKP)"), ("Nilai total",))
    items = tuple(
        FixFirstItem(
            code=f"A.I.{i}.a",
            text=f"Pertanyaan {i} <b>",
            toward_floors=toward[i - 1],
            gain=5.0 - i / 3,
            helps=helps[i - 1] if i <= len(helps) else (),
        )
        for i in range(1, 7)
    )
    row = unit("UK-001", 72.0, fix_first=items, next_predicate="WBK")
    page = parse(render_monitoring_html(report(row)))
    fixes = page.find("ol", "fixes").find_all("li")

    assert len(fixes) == 5
    first = fixes[0]
    assert (first.find("span", "fix-code").text(), first.find("span", "fix-text").text()) == (
        "A.I.1.a",
        "Pertanyaan 1 <b>",
    )
    assert [f.find("span", "fix-points").text() for f in fixes] == [
        "+0,88 poin menuju batas WBK · +4,67 poin total",
        "+0,13 poin menuju batas WBK · +4,33 poin total",
        "+0,00 poin menuju batas WBK · +4,00 poin total",
        "+0,00 poin menuju batas WBK · +3,67 poin total",
        "+0,00 poin menuju batas WBK · +3,33 poin total",
    ]
    assert [[h.text() for h in f.find_all("span", "fix-helps")] for f in fixes][:3] == [
        ["untuk Nilai total; Pelayanan publik yang prima (IPKP)"],
        ["untuk Nilai total"],
        [],
    ]
    # A number that closes nothing is not set off as one that does.
    assert [f.find("span", "toward").attrs["class"] for f in fixes][1:3] == [
        "toward",
        "toward none",
    ]
    assert "5 butir LKE untuk diperbaiki" in page.find("summary").text()


def test_summary_tiles_count_the_run() -> None:
    units = [
        unit(
            "UK-001",
            86.0,
            previous_total=84.0,
            meets={"WBK": True, "WBBM": True},
            changes=(newly_meets_change("WBBM"),),
            overdue_items=2,
        ),
        unit(
            "UK-002",
            76.0,
            previous_total=74.0,
            meets={"WBK": True, "WBBM": False},
            changes=("Baru memenuhi batas WBK (total 76,00)",),
            evidence_problems=4,
        ),
        unit("UK-003", 70.0, previous_total=72.0, overdue_items=5),
        # a sentence that claims a predicate the unit does not meet is not counted as new
        unit("UK-004", 65.0, changes=(newly_meets_change("WBK"),), evidence_problems=1),
    ]
    page = parse(render_monitoring_html(report(*units)))
    tiles = {
        t.find("span", "tile-label").text(): t.find("span", "tile-value").text()
        for t in page.find_all("div", "tile")
    }
    assert tiles == {
        "Unit dipantau": "4",
        "Memenuhi batas WBK": "2",
        "Memenuhi batas WBBM": "1",
        "Baru memenuhi batas": "2",
        "Total naik": "2",
        "Total turun": "1",
        "Butir kerja terlambat": "7",
        "Bukti bermasalah": "5",
        "Pengaduan maladministrasi": "0",
    }


def test_sparkline_has_one_point_per_snapshot_highest_at_the_top() -> None:
    history = tuple(
        (AS_OF - timedelta(weeks=3 - i), total) for i, total in enumerate((60.0, 72.0, 68.0, 70.0))
    )
    page = render_monitoring_html(report(unit("UK-001", 70.0, history=history)))
    spark = inline_svg(page, "spark")
    polyline = spark.find(f"{SVG}polyline")
    assert polyline is not None
    points = [tuple(map(float, p.split(","))) for p in polyline.get("points", "").split()]

    assert len(points) == 4
    xs, ys = zip(*points, strict=True)
    assert list(xs) == sorted(xs)
    assert ys.index(min(ys)) == 1 and ys.index(max(ys)) == 0  # 72 highest, 60 lowest
    title = spark.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Riwayat total: 60,00 (13 April 2026) → 70,00 (4 Mei 2026), 4 pemantauan"


def test_identical_input_gives_identical_bytes_whatever_the_order_of_units() -> None:
    units = [
        unit(f"UK-{i:03d}", total) for i, total in enumerate((70.0, 82.5, 70.0, 91.0), start=1)
    ]
    first = render_monitoring_html(report(*units)).encode()
    assert render_monitoring_html(report(*units)).encode() == first
    assert render_monitoring_html(report(*reversed(units))).encode() == first


def test_the_page_is_self_contained() -> None:
    page = render_monitoring_html(report(unit("UK-001", 80.0), unit("UK-002", 50.0)))
    tree = parse(page)
    assert (
        tree.find_all("script") == [] and tree.find_all("link") == [] and tree.find_all("img") == []
    )
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert len(tree.find_all("style")) == 1


def test_an_empty_report_says_no_unit_is_monitored() -> None:
    empty = report()
    tree = parse(render_monitoring_html(empty))
    assert tree.find("p", "empty").text() == "Belum ada unit yang dipantau."
    assert tree.find_all("svg") == [] and tree.find_all("table") == []
    assert "Belum ada unit yang dipantau." in monitoring_markdown(empty)
    assert monitoring_table(empty) == ArtifactTable(rows=(), left_out=0)


def test_five_hundred_units_render() -> None:
    units = [
        unit(f"UK-{i:03d}", 50.0 + (i * 37 % 50), previous_total=60.0, history=((AS_OF, 60.0),) * 2)
        for i in range(1, 501)
    ]
    page = render_monitoring_html(report(*units))
    svg = chart(page)
    assert len([r for r in svg.iter(f"{SVG}rect")]) == 500
    assert float(svg.get("height", "0")) > 500 * 20
    assert len(parse(page).find("table", "units").find_all("tbody", "unit")) == 500


# --- Prefect artifacts and the file ---------------------------------------------------------------


def test_markdown_names_the_newly_meeting_units_and_the_largest_drops() -> None:
    units = [
        unit(
            "UK-001", 86.0, meets={"WBK": True, "WBBM": True}, changes=(newly_meets_change("WBBM"),)
        ),
        unit(
            "UK-002",
            76.0,
            name=HOSTILE,
            meets={"WBK": True, "WBBM": False},
            changes=(newly_meets_change("WBK"),),
        ),
        unit("UK-003", 80.0, meets={"WBK": True, "WBBM": False}, changes=("total naik 1,00",)),
        *(unit(f"UK-{i:03d}", 60.0, previous_total=60.0 + i) for i in range(10, 22)),
    ]
    text = monitoring_markdown(report(*units))

    assert "hasil pemantauan TPI per 4 Mei 2026" in text
    assert "| Baru memenuhi batas | 2 |" in text
    newly = text.split("## Baru memenuhi batas")[1].split("##")[0]
    assert "**UK-001** Unit UK-001: WBBM (total 86,00)" in newly
    assert '**UK-002** &lt;script&gt;alert(1)&lt;/script&gt; &amp; "Dinas": WBK' in newly
    assert "UK-003" not in newly
    drops = [
        line.split(" | ")[0].strip("| ")
        for line in text.split("## Penurunan total terbesar")[1].splitlines()
        if line.startswith("| UK")
    ]
    assert drops == [f"UK-{i:03d}" for i in range(21, 11, -1)]  # ten, the largest first
    assert "| UK-021 | Unit UK-021 | 81,00 | 60,00 | −21,00 |" in text
    assert "<script>" not in text


def test_markdown_escapes_table_and_emphasis_characters() -> None:
    text = monitoring_markdown(
        report(
            unit(
                "UK-001",
                80.0,
                name="A | B *C* [x](y)",
                meets={"WBK": True, "WBBM": False},
                changes=(newly_meets_change("WBK"),),
            )
        )
    )
    assert r"A \| B \*C\* \[x\](y)" in text


def test_table_rows_for_the_prefect_artifact() -> None:
    units = [
        unit("UK-001", 70.004, previous_total=71.25, overdue_items=3, evidence_problems=1),
        unit(
            "UK-002",
            88.125,
            previous_total=85.5,
            meets={"WBK": True, "WBBM": True},
            state_label="Evaluasi TPI",
        ),
        unit("UK-003", 60.0, name=HOSTILE),  # its first run: nothing changed, not listed
    ]
    assert monitoring_table(report(*units)) == ArtifactTable(
        rows=(
            {
                "kode": "UK-002",
                "unit": "Unit UK-002",
                "tahap": "Evaluasi TPI",
                "total": 88.13,
                "perubahan": 2.63,
                "wbk": True,
                "wbbm": True,
                "alasan": "total berubah",
                "terlambat": 0,
                "bukti_bermasalah": 0,
            },
            {
                "kode": "UK-001",
                "unit": "Unit UK-001",
                "tahap": "Pembangunan",
                "total": 70.0,
                "perubahan": -1.25,
                "wbk": False,
                "wbbm": False,
                "alasan": "total berubah",
                "terlambat": 3,
                "bukti_bermasalah": 1,
            },
        ),
        left_out=0,
    )


def weekly_run(units: int, changed: set[int]) -> list[UnitMonitoringRow]:
    """`units` units seen the week before, each with overdue items and an evidence gap (standing
    facts, not changes); those in `changed` moved by a shown hundredth or more."""
    return [
        unit(
            f"UK-{i:05d}",
            70.0 + (0.01 * (i % 7 + 1) if i in changed else 0.0),
            previous_total=70.0,
            overdue_items=2,
            evidence_problems=1,
            changes=("2 butir rencana kerja terlambat", "1 indikator tanpa bukti dukung"),
        )
        for i in range(1, units + 1)
    ]


def test_the_artifact_lists_exactly_the_units_that_changed() -> None:
    changed = {3, 17, 256, 1999, 2000}
    units = weekly_run(2000, changed)
    # A move below half a hundredth does not show, so it is no change either.
    units[9] = dataclasses.replace(units[9], total=70.004)

    table = monitoring_table(report(*units))

    assert {row["kode"] for row in table.rows} == {f"UK-{i:05d}" for i in changed}
    assert len(table.rows) == len(changed) and table.left_out == 0


def test_crossings_losses_and_pending_proposals_are_listed_first() -> None:
    units = weekly_run(50, {5, 6})
    units[19] = dataclasses.replace(  # UK-00020 newly meets WBK with the same shown total
        units[19], meets={"WBK": True, "WBBM": False}, changes=(newly_meets_change("WBK"),)
    )
    units[29] = dataclasses.replace(units[29], changes=(no_longer_meets_change("WBK"),))
    waiting = PendingProposal(40, 40, "UK-00040", "Unit UK-00040", "WBK", AS_OF, None)
    run = dataclasses.replace(report(*units), pending=(waiting,))

    reasons = {row["kode"]: row["alasan"] for row in monitoring_table(run).rows}

    assert list(reasons) == ["UK-00020", "UK-00030", "UK-00040", "UK-00006", "UK-00005"]
    assert reasons["UK-00020"] == "baru memenuhi WBK"
    assert reasons["UK-00030"] == "tidak lagi memenuhi WBK"
    assert reasons["UK-00040"] == "usulan tertunda"


def test_a_capped_artifact_says_how_many_it_leaves_out() -> None:
    changed = set(range(1, ARTIFACT_ROWS + 38))
    run = report(*weekly_run(ARTIFACT_ROWS + 100, changed))

    artifacts = monitoring_artifacts(run, "/data/reports/pemantauan-2026-05-04.html")

    assert len(artifacts.table.rows) == ARTIFACT_ROWS and artifacts.table.left_out == 37
    assert {row["kode"] for row in artifacts.table.rows} <= {f"UK-{i:05d}" for i in changed}
    assert artifacts.description.endswith("; 37 unit lainnya tidak dimuat (lihat laporan HTML)")
    assert f"{ARTIFACT_ROWS} dari 600 unit" in artifacts.description
    assert (
        "Tabel artefak: 500 unit yang berubah, melewati batas atau menunggu usulan; "
        "37 lainnya tidak dimuat." in artifacts.markdown
    )
    small = monitoring_table(run, limit=3)
    assert len(small.rows) == 3 and small.left_out == len(changed) - 3


def test_the_summary_stays_short_however_many_units_cross() -> None:
    units = [
        unit(
            f"UK-{i:05d}",
            80.0,
            previous_total=74.0 if i <= 300 else 80.0,
            meets={"WBK": True, "WBBM": False},
            changes=(newly_meets_change("WBK"),) if i <= 300 else (),
            overdue_items=i % 2,
            state_label="Evaluasi TPI" if i <= 300 else "Pembangunan",
        )
        for i in range(1, 1001)
    ]

    text = monitoring_markdown(report(*units), "/data/reports/pemantauan-2026-05-04.html")

    newly = text.split("## Baru memenuhi batas")[1].split("##")[0]
    assert newly.count("- **UK-") == NAMED_IN_SUMMARY
    assert f"- dan {300 - NAMED_IN_SUMMARY} unit lainnya" in newly
    assert "| Pembangunan | 700 |\n| Evaluasi TPI | 300 |" in text
    assert "500 butir rencana kerja terlambat pada 500 unit." in text
    assert "Laporan lengkap (semua unit): /data/reports/pemantauan-2026-05-04.html" in text
    assert len(text.encode()) < 8_000


def test_the_report_file_is_written_whole_and_replaced_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "laporan"
    first = write_monitoring_report(report(unit("UK-001", 70.0)), folder)
    again = report(unit("UK-001", 72.0))
    second = write_monitoring_report(again, folder)

    assert first == second == folder / "pemantauan-2026-05-04.html"
    assert second.read_bytes() == render_monitoring_html(again).encode("utf-8")
    assert [p.name for p in folder.iterdir()] == ["pemantauan-2026-05-04.html"]
