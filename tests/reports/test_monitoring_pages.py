"""A monitoring run of more than FULL_PAGE_UNITS units: an overview and pages of ranked units,
read back as a browser parses them. Every unit must still be on a page with what matters about
it; the units that ask for attention must be on the overview in full."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

from reports.monitoring import (
    ATTENTION_SHOWN,
    FULL_PAGE_UNITS,
    PAGE_UNITS,
    PendingProposal,
    UnitMonitoringRow,
    render_monitoring_pages,
    write_monitoring_report,
)
from tests.reports.test_monitoring_report import AS_OF, HOSTILE, Node, parse, report, unit

UNITS = FULL_PAGE_UNITS * 2 + 37  # three pages


def many(count: int = UNITS) -> list[UnitMonitoringRow]:
    """Units whose totals spread over 40..100; every seventh is new (no previous total), every
    tenth moved, unit 5 newly meets WBK, unit 9 lost it; the others did not move."""
    found = []
    for number in range(1, count + 1):
        total = 40.0 + (number * 37 % 600) / 10
        previous = None if number % 7 == 0 else total - (1.5 if number % 10 == 0 else 0.0)
        changes: tuple[str, ...] = ()
        meets = {"WBK": total >= 75, "WBBM": total >= 85}
        if number == 5:
            total, meets, changes = 76.0, {"WBK": True, "WBBM": False}, ("baru memenuhi batas WBK",)
        if number == 9:
            total, previous = 70.0, 76.0
            meets, changes = {"WBK": False, "WBBM": False}, ("tidak lagi memenuhi batas WBK",)
        found.append(
            unit(
                f"UK-{number:04d}",
                total,
                name=f"Unit {number} {HOSTILE}" if number == 3 else f"Unit {number}",
                previous_total=previous,
                meets=meets,
                changes=changes,
                overdue_items=number % 4,
            )
        )
    return found


def rows_of(page: str) -> list[Node]:
    return parse(page).find("table", "ranked").find("tbody").find_all("tr")


def test_every_unit_is_on_exactly_one_page_ranked_by_total() -> None:
    units = many()
    pages = render_monitoring_pages(report(*units)).pages

    assert len(pages) == math.ceil(UNITS / PAGE_UNITS) == 3
    rows = [row for page in pages for row in rows_of(page)]
    codes = [row.find("th", "code").text() for row in rows]
    assert sorted(codes) == sorted(u.code for u in units)
    totals = [float(row.find("span", "total").text().replace(",", ".")) for row in rows]
    assert totals == sorted(totals, reverse=True)
    assert [row.find("td", "rank").text() for row in rows[:3]] == ["1", "2", "3"]


def test_a_row_says_what_matters() -> None:
    pages = render_monitoring_pages(report(*many())).pages
    rows = {row.find("th", "code").text(): row for page in pages for row in rows_of(page)}

    lost = rows["UK-0009"]
    assert "tidak lagi memenuhi batas WBK" in lost.find("td", "notes-cell").text()
    assert lost.find("span", "trend").text() == "▼ −6,00"
    assert [td.text() for td in lost.find_all("td", "mark")] == ["–", "–"]
    crossed = rows["UK-0005"]
    assert "baru memenuhi batas WBK" in crossed.find("td", "notes-cell").text()
    assert [td.text() for td in crossed.find_all("td", "mark")] == ["✓", "–"]
    assert rows["UK-0007"].find("span", "trend").text() == "pemantauan pertama"
    assert rows["UK-0003"].find("td", "name").text().startswith(f"Unit 3 {HOSTILE}")


def test_the_overview_shows_the_units_that_ask_for_attention_in_full() -> None:
    units = many()
    pending = PendingProposal(
        crossing_id=1,
        unit_id=12,
        code="UK-0012",
        name="Unit 12",
        predicate="WBK",
        since=AS_OF - timedelta(days=7),
        reason=None,
    )
    overview = parse(render_monitoring_pages(report(*units, pending=(pending,))).overview)

    detailed = [
        t.find("th", "code").text()
        for t in overview.find("table", "units").find_all("tbody", "unit")
    ]
    # Crossings, losses and pending proposals first, then the largest moves (as the artifact).
    assert detailed[:3] == ["UK-0005", "UK-0009", "UK-0012"]
    moved = [u for u in units if u.previous_total is not None and u.total != u.previous_total]
    assert len(detailed) == min(len(moved) + 1, ATTENTION_SHOWN)  # + the pending unit
    assert "Usulan tertunda" in overview.find("section", "pending").text()
    assert len(overview.find_all("details")) == len(detailed)


def test_the_overview_links_every_page_and_counts_the_run() -> None:
    overview = parse(render_monitoring_pages(report(*many())).overview)

    links = overview.find("ul", "pages").find_all("a")
    assert [a.attrs["href"] for a in links] == [
        f"pemantauan-{AS_OF.isoformat()}/halaman-{n:03d}.html" for n in (1, 2, 3)
    ]
    assert "peringkat 1.001–1.037" in overview.find("ul", "pages").text()
    tiles = {
        t.find("span", "tile-label").text(): t.find("span", "tile-value").text()
        for t in overview.find_all("div", "tile")
    }
    assert tiles["Unit dipantau"] == "1.037"
    # The distribution counts every unit once.
    distribution = _section(overview, "sebaran")
    counts = [int(t.text().replace(".", "")) for t in distribution.find_all("text", "bar-value")]
    assert len(counts) == 20 and sum(counts) == UNITS
    # Each area counts every unit once, in its three levels.
    for row in overview.find("table", "area-counts").find("tbody").find_all("tr"):
        assert sum(int(td.text().replace(".", "")) for td in row.find_all("td")) == UNITS


def _section(tree: Node, id_: str) -> Node:
    (found,) = [s for s in tree.find_all("section") if s.attrs.get("id") == id_]
    return found


def test_pages_link_back_and_to_each_other() -> None:
    pages = render_monitoring_pages(report(*many())).pages
    navs = [parse(page).find_all("nav", "pager")[0] for page in pages]

    hrefs = [[a.attrs["href"] for a in nav.find_all("a")] for nav in navs]
    overview = f"../pemantauan-{AS_OF.isoformat()}.html"
    assert hrefs[0] == [overview, "halaman-002.html"]
    assert hrefs[1] == [overview, "halaman-001.html", "halaman-003.html"]
    assert hrefs[2] == [overview, "halaman-002.html"]


def test_written_pages_replace_a_larger_run_of_the_same_day(tmp_path: Path) -> None:
    target = write_monitoring_report(report(*many()), tmp_path)
    folder = tmp_path / f"pemantauan-{AS_OF.isoformat()}"
    assert sorted(p.name for p in folder.iterdir()) == [f"halaman-00{n}.html" for n in (1, 2, 3)]

    write_monitoring_report(report(*many(FULL_PAGE_UNITS + 1)), tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["halaman-001.html", "halaman-002.html"]

    write_monitoring_report(report(*many(10)), tmp_path)  # a small run: one page, no folder
    assert not folder.exists()
    assert target.read_text(encoding="utf-8").count('<tbody class="unit') == 10


def test_same_report_same_bytes_whatever_the_order_of_units() -> None:
    units = many()
    first = render_monitoring_pages(report(*units))
    again = render_monitoring_pages(report(*reversed(units)))
    assert first == again
