"""The monitoring page as a browser lays it out: headless Chromium renders a real report at a
desktop width (1400 px) and a phone's (390 px), with every unit's details open, and measures it.

Nothing may stick out sideways: the page (`scrollWidth` <= `clientWidth`), the "Rincian unit"
card and its table, and every element in that card (its right edge within the card's). At 1400 px
the table's headers stay on one line and the unit names get room. Screenshots of both widths, as
delivered (details folded) and with every detail open, go to `$ZI_TEST_ARTIFACTS` (default: the
test's temporary folder) for a person to look at.

Chromium is driven without a Python driver: the page is copied with a small script that opens
the details and measures, and `--dump-dom` prints the DOM with the measurements in its title.
Headless Chromium lays a window out at least 500 px wide, so the page is shown in a frame of
exactly the width under test, as tall as the page (no scrollbar takes from its width); the frame
posts its measurements to the window, which writes them into `document.title`. Without Chromium
the tests are skipped, except under CI (`make install` installs it as root).
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from reports.monitoring import FixFirstItem, PendingProposal, render_monitoring_html
from reports.survey_report import AspectBar, SurveySection
from tests.programs import required_program
from tests.reports.test_monitoring_report import AS_OF, HOSTILE, report, unit
from zi_domain.surveys import NO_RESPONDENT_DATA, IndexInLke

WIDTHS = (1400, 390)
SMALLEST_WINDOW = 500  # headless Chromium's narrowest layout
FRAME_HEIGHT = 30000  # taller than the page: the frame never scrolls
SHOT_MARGIN = 200  # a screenshot's window is taller than the frame: its last rows are not painted

MEASURE = """<script>
for (const details of document.querySelectorAll("details")) details.open = OPEN;
const root = document.documentElement;
const card = document.getElementById("unit");
const table = card.querySelector("table.units");
const style = getComputedStyle(card);
const edge = card.getBoundingClientRect().right - parseFloat(style.paddingRight)
  - parseFloat(style.borderRightWidth);
// Every element and every line of text in the card that reaches past its content's edge.
const sticking = [...card.querySelectorAll("*")]
  .filter((e) => e.getBoundingClientRect().right > edge + 0.5)
  .map((e) => e.tagName.toLowerCase() + "." + [...e.classList].join("."));
const texts = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
while (texts.nextNode()) {
  if (texts.currentNode.parentElement.closest(".visually-hidden")) continue;  // clipped to 1 px
  const range = document.createRange();
  range.selectNodeContents(texts.currentNode);
  if ([...range.getClientRects()].some((r) => r.right > edge + 0.5)) {
    sticking.push(texts.currentNode.textContent.trim().slice(0, 60));
  }
}
const lines = (element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
};
parent.postMessage(JSON.stringify({
  page: [root.scrollWidth, root.clientWidth],
  body: [document.body.scrollWidth, document.body.clientWidth],
  card: [card.scrollWidth, card.clientWidth],
  table: [table.scrollWidth, table.getBoundingClientRect().width, card.clientWidth],
  units: [...table.querySelectorAll("tbody.unit")].map((u) => [u.scrollWidth, u.clientWidth]),
  sticking: sticking,
  header_lines: [...table.querySelectorAll(":scope > thead th")].map(lines),
  name_width: table.querySelector("thead th.name").getBoundingClientRect().width,
  // A sticky header sticks to the page only when no box around the table scrolls.
  header_position: getComputedStyle(table.querySelector("thead th")).position,
  scrolling_around: (() => {
    const found = [];
    for (let box = table.parentElement; box; box = box.parentElement) {
      const overflow = getComputedStyle(box);
      if (overflow.overflowX !== "visible" || overflow.overflowY !== "visible") {
        found.push(box.tagName.toLowerCase());
      }
    }
    return found;
  })(),
  height: Math.ceil(document.body.getBoundingClientRect().bottom),
}), "*");
</script>"""

# The window: the page in a frame of the width under test; the frame's measurements become the
# window's title, which --dump-dom prints.
WINDOW = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>belum diukur</title>
<style>html, body { margin: 0; } iframe { display: block; border: 0; }</style></head>
<body><iframe src="PAGE" width="WIDTH" height="HEIGHT" title="Laporan pemantauan"></iframe>
<script>addEventListener("message", (event) => { document.title = event.data; });</script>
</body></html>"""

LONG_NAMES = (
    "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga "
    "Berencana Kabupaten Sukamaju",
    "Badan Pengelolaan Keuangan, Pendapatan dan Aset Daerah Kabupaten Sukamaju",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Puskesmas Sukamaju Kecamatan Sukamaju Utara (Unit Pelaksana Teknis Daerah)",
    "Sekretariat Dewan Perwakilan Rakyat Daerah/Bagian Persidangan-dan-Perundang-undangan",
    HOSTILE,
)
QUESTIONS = (
    "Unit kerja telah membentuk tim untuk melakukan pembangunan Zona Integritas",
    "Apakah terdapat penetapan kinerja individu yang terkait dengan perjanjian kinerja "
    "organisasi, dan apakah ukuran kinerja individu telah selaras dengan ukuran kinerja "
    "organisasi serta dievaluasi secara berkala?",
    "Nilai Persepsi Kualitas Pelayanan (Survei Eksternal)",
    "Persentase penyampaian LHKPN",
    "Terdapat mekanisme atau media untuk mensosialisasikan pembangunan WBK/WBBM",
)


def fixes(target: str) -> tuple[FixFirstItem, ...]:
    helps = ("Nilai total", "Area 3 Penataan Sistem Manajemen SDM (% bobot)")
    return tuple(
        FixFirstItem(
            code=f"A.{'I' * (i % 3 + 1)}.{i + 1}.ii.a",
            text=text,
            toward_floors=1.25 / (i + 1) if target == "WBK" else 0.0,
            gain=4.375 / (i + 1),
            helps=helps[: i % 3] if target == "WBK" else (),
        )
        for i, text in enumerate((*QUESTIONS, QUESTIONS[0]))
    )


INDICES = (
    IndexInLke("ipak", 3.6512, 15.974, "survei TPI, n=1.240, 28 Maret 2026"),
    IndexInLke("ipkp", 3.2, 14.0, NO_RESPONDENT_DATA),
)


def survey(source: str) -> SurveySection:
    """An IPKP survey of a unit with long service names and the nine SKM unsur."""
    return SurveySection(
        title="Survei Persepsi Kualitas Pelayanan (IPKP), unsur SKM",
        source=source,
        method="ipak-ipkp-2024 versi 2024.1",
        last_served=date(2026, 3, 28),
        respondents=24,
        minimum=30,
        justification="hanya 24 penerima layanan pada periode ini; Pelayanan-Perizinan-"
        "Berusaha-Terintegrasi-Secara-Elektronik-tanpa-spasi",
        index=3.2,
        ikm=80.0,
        lke_item="B.II.a",
        points=14.0,
        coverage=(
            ("Penerbitan Izin Usaha Mikro Kecil melalui Online Single Submission", 12),
            ("Pengaduan-masyarakat-atas-pelayanan-perizinan-dan-nonperizinan", 12),
            (HOSTILE, 0),
        ),
        aspects=tuple(
            AspectBar(name, 3.2, 80.0)
            for name in (
                "Persyaratan",
                "Sistem, mekanisme, dan prosedur",
                "Penanganan pengaduan, saran dan masukan",
            )
        ),
    )


def busy_report() -> Any:
    """Seven units as a real run has them: long names and codes, every note a unit can have."""
    history = tuple((AS_OF - timedelta(weeks=8 - i), 60.0 + 2.5 * i) for i in range(9))
    shortfalls = (
        "Nilai total: minimal 75,00, tercapai 72,25",
        "Area 3 Penataan Sistem Manajemen SDM (% bobot): minimal 60,00, tercapai 55,00",
        "Pelayanan publik yang prima (IPKP): minimal 14,00, tercapai 13,13",
    )
    changes = (
        "memenuhi batas nilai WBK, tetapi belum dapat diusulkan: prasyarat pengusulan WBK "
        "(Tabel 5) belum terpenuhi: pembangunan minimal satu tahun, dimulai 19 Januari 2026, "
        "genap satu tahun pada 19 Januari 2027",
        "12 butir rencana kerja terlambat",
        "31 indikator tanpa bukti dukung",
        "2 pengaduan maladministrasi sejak penetapan WBK: bila terbukti setelah klarifikasi, "
        "TPI melaporkan bahwa unit tidak lagi memenuhi kriteria (dasar pencabutan)",
    )
    units = [
        unit(
            f"UK-{i:03d}",
            total,
            name=name,
            history=history,
            previous_total=total - 1.5,
            shortfalls=shortfalls if total < 75 else (),
            changes=changes[: i % 5],
            overdue_items=i * 7,
            evidence_problems=i * 5,
            next_predicate="WBK" if total < 86 else "WBBM",
            fix_first=fixes("WBK" if total < 75 else "WBBM"),
            meets={"WBK": total >= 75, "WBBM": total >= 85},
            state_label="TPN: clearance dan panel" if i == 2 else "Evaluasi TPI",
            indices=INDICES,
            surveys=(survey("survei TPI"), survey("survei mandiri"))[: i % 3],
        )
        for i, (name, total) in enumerate(
            zip(LONG_NAMES, (91.5, 86.25, 78.0, 74.99, 55.5, 40.0), strict=True), start=1
        )
    ]
    units.append(
        unit(
            "SETDA-BAGIAN-ORGANISASI-SUBBAGIAN-KELEMBAGAAN-DAN-ANALISIS-JABATAN-007",
            66.0,
            name="Bagian Organisasi Sekretariat Daerah",
            shortfalls=shortfalls,
            fix_first=fixes("WBK"),
            next_predicate="WBK",
        )
    )
    pending = tuple(
        PendingProposal(
            crossing_id=i,
            unit_id=i,
            code=f"UK-{i:03d}",
            name=LONG_NAMES[i],
            predicate="WBK",
            since=date(2026, 4, 6),
            reason="syarat pengusulan belum terpenuhi: batas waktu pengusulan 31 Mei 2026 telah "
            "lewat; prasyarat pengusulan WBK (Tabel 5) belum terpenuhi: LHKASN minimal 100 %, "
            "tercapai 92,00 %",
        )
        for i in (3, 4)
    )
    return replace(report(*units), pending=pending)


def chromium() -> str:
    return required_program("chromium", "chromium-browser", package="chromium")


def run_chromium(program: str, profile: Path, width: int, height: int, *extra: str) -> str:
    """Chromium's standard output; `width` and `height` are the window's."""
    completed = subprocess.run(
        [
            program,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "--virtual-time-budget=3000",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return completed.stdout


def with_script(page: str, *, open_details: bool) -> str:
    script = MEASURE.replace("OPEN", "true" if open_details else "false")
    return page.replace("</body>", f"{script}\n</body>")


def window(folder: Path, name: str, width: int, height: int) -> Path:
    """The window that shows the page `name` in a frame `width` wide and `height` tall."""
    path = folder / f"{name}-{width}-{height}.html"
    frame = {"PAGE": f"{name}.html", "WIDTH": str(width), "HEIGHT": str(height)}
    path.write_text(re.sub("PAGE|WIDTH|HEIGHT", lambda m: frame[m.group(0)], WINDOW))
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    """(Chromium, the folder of the pages, the folder of the screenshots)."""
    program = chromium()
    folder = tmp_path_factory.mktemp("pemantauan")
    page = render_monitoring_html(busy_report())
    for open_details in (False, True):
        name = "terbuka" if open_details else "tertutup"
        (folder / f"{name}.html").write_text(with_script(page, open_details=open_details))
    artifacts = Path(os.environ.get("ZI_TEST_ARTIFACTS") or folder / "screenshots")
    artifacts.mkdir(parents=True, exist_ok=True)
    return program, folder, artifacts


def measure(rendered: tuple[str, Path, Path], width: int, name: str) -> dict[str, Any]:
    """The measurements of page `name` laid out `width` px wide; writes its screenshot."""
    program, folder, artifacts = rendered
    dom = run_chromium(
        program,
        folder / f"profile-{width}-{name}",
        max(width, SMALLEST_WINDOW),
        1000,
        "--dump-dom",
        window(folder, name, width, FRAME_HEIGHT).as_uri(),
    )
    title = re.search(r"<title>(.*?)</title>", dom, re.DOTALL)
    assert title is not None and title.group(1).startswith("{"), dom[:500]
    measured: dict[str, Any] = json.loads(html.unescape(title.group(1)))
    height = min(int(measured["height"]), 16000)
    shot = artifacts / f"pemantauan-{width}-{name}.png"
    run_chromium(
        program,
        folder / f"profile-{width}-{name}-shot",
        max(width, SMALLEST_WINDOW),
        height + SHOT_MARGIN,
        "--hide-scrollbars",
        f"--screenshot={shot}",
        window(folder, name, width, height).as_uri(),
    )
    with Image.open(shot) as whole:  # the frame alone: the window is wider, or taller
        framed = whole.crop((0, 0, width, height))
    framed.save(shot)
    return measured


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["tertutup", "terbuka"])
def test_nothing_overflows_sideways(
    rendered: tuple[str, Path, Path], width: int, name: str
) -> None:
    found = measure(rendered, width, name)

    scroll, client = found["page"]
    assert client == width
    assert scroll <= client, f"the page overflows at {width} px: {scroll} > {client}"
    assert found["body"][0] <= found["body"][1]
    card_scroll, card_client = found["card"]
    assert card_scroll <= card_client, f"the units card overflows: {card_scroll} > {card_client}"
    table_scroll, table_width, room = found["table"]
    assert table_scroll <= room and table_width <= room + 0.5
    assert all(s <= c for s, c in found["units"]), found["units"]
    assert found["sticking"] == []


def test_at_1400_px_the_header_sticks_keeps_to_one_line_and_names_get_room(
    rendered: tuple[str, Path, Path],
) -> None:
    found = measure(rendered, 1400, "tertutup")
    assert found["header_lines"] == [1] * 7  # code, unit, stage, total, WBK, WBBM, overdue
    assert found["name_width"] >= 300
    assert found["header_position"] == "sticky" and found["scrolling_around"] == []
