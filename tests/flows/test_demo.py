"""`zi demo`: the fictional regency's year, replayed through the real flows."""

from __future__ import annotations

import email
import io
import json
import re
import zipfile
from collections import Counter
from datetime import date
from email import policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, create_engine, text
from typer.testing import CliRunner

from zi_cli.main import app
from zi_domain.lifecycle import UnitState

pytestmark = pytest.mark.usefixtures("prefect_harness")


DAILY = ("[ZI] Pengingat", "[ZI] Eskalasi")
WEEKLY = "[ZI] Ringkasan mingguan"
# Internal names that must never reach a reader: the lifecycle's state values and the floor
# rules' keys (the keys that are plain Indonesian words, such as "hasil", are words there too).
# The survey method's name (`ipak-ipkp-2024`, the name typed with --method) is the reader's.
INTERNAL = re.compile(
    r"\b(?:" + "|".join(s.value for s in UnitState) + r")\b"
    r"|area_percent|bersih_akuntabel|pelayanan_prima|\b(?<!-)ipak\b(?!-)|\b(?<!-)ipkp\b(?!-)"
    r"|\(propose\)"
)


def assert_mail_respects_its_readers(files: list[Path]) -> None:
    """The demo year's mailbox as its readers see it: at most one reminder a day per person,
    one weekly message per person and week (and unit), each dated on its replayed day, and no
    internal name in any subject or body."""
    daily: Counter[tuple[str, date]] = Counter()
    weekly: Counter[tuple[str, str, tuple[int, int]]] = Counter()
    for path in files:
        mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        to, subject = str(mail["To"]), str(mail["Subject"])
        sent = parsedate_to_datetime(str(mail["Date"])).date()
        assert date(2025, 12, 29) <= sent <= date(2026, 12, 31), (subject, sent)
        if subject.startswith(DAILY):
            daily[(to, sent)] += 1
        elif subject.startswith(WEEKLY):
            week = sent.isocalendar()
            weekly[(to, subject.split(",")[0], (week.year, week.week))] += 1
        for part in mail.walk():
            if part.get_content_maintype() == "text":
                text = part.get_content()
                assert not INTERNAL.search(text), (subject, INTERNAL.search(text))
        assert not INTERNAL.search(subject), subject
    assert daily and max(daily.values()) == 1
    assert weekly and max(weekly.values()) == 1
    # Per person, the year holds at most one reminder a working day and one digest a week:
    # far from the 1,104 messages a TPI member got when every item and day was its own.
    per_person = Counter(to for to, _ in daily) + Counter(to for to, _, _ in weekly)
    assert max(per_person.values()) <= 250 + 2 * 53


def assert_documents_speak_to_people(packages: list[Path]) -> None:
    """Every PDF of every package, read back as text: no internal name either."""
    for package in packages:
        with zipfile.ZipFile(package) as archive:
            for name in (n for n in archive.namelist() if n.endswith(".pdf")):
                pages = PdfReader(io.BytesIO(archive.read(name))).pages
                text = "\n".join(page.extract_text() or "" for page in pages)
                assert not INTERNAL.search(text), (name, INTERNAL.search(text))


def test_demo_replays_the_year(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["demo"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    rows = {
        line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
        for line in out.splitlines()
        if line.startswith("│")
    }
    assert len(rows) == 13
    # Designation weighs the criteria (90/2021 Lampiran I Bab II, "antara lain"): the candidate
    # without wide public impact is designated, with the missing criterion noted.
    assert "Penetapan SETDA-UMUM: kriteria belum terpenuhi: dampak luas bagi masyarakat" in out
    assert rows["Bagian Umum Sekretariat Daerah"][0] == "Pembangunan"
    # Units crossing the WBK floors are proposed and, through TPN, awarded WBK; then they build
    # on toward WBBM (Lampiran II Bab III).
    awarded = [name for name, cells in rows.items() if cells[4] == "WBK"]
    assert "RSUD Sukamaju" in awarded and len(awarded) >= 3
    assert rows["RSUD Sukamaju"][0] == "Pembangunan"
    assert "ditetapkan WBK 7 Desember 2026; membangun menuju WBBM" in rows["RSUD Sukamaju"][5]
    # Rejected at the field evaluation: back to development, proposable in a later year.
    assert rows["Badan Pendapatan Daerah"][0] == "Pembangunan"
    assert "ditolak TPN 7 September 2026" in rows["Badan Pendapatan Daerah"][5]
    # RSUD met even the WBBM floors, but WBBM comes only after WBK.
    assert rows["RSUD Sukamaju"][3] == "ya"
    # Held back: LHKASN 92 % (a prerequisite) and less than a year of building; the Puskesmas
    # then receives WBK mandiri from the Bupati (5/2024 Bab II B).
    assert rows["Dinas Sosial"][2] == "ya" and rows["Dinas Sosial"][0] == "Evaluasi TPI"
    assert rows["Puskesmas Sukamaju"][2] == "ya" and rows["Puskesmas Sukamaju"][4] == "WBK"
    assert "WBK mandiri 14 Desember 2026" in rows["Puskesmas Sukamaju"][5]
    # WBK since December 2024: a year of building toward WBBM (Tabel 5, from the decree's date),
    # it meets WBBM's floors, is proposed for WBBM and awarded.
    dlh = rows["Dinas Lingkungan Hidup"]
    assert dlh[0] == "Berpredikat WBBM" and dlh[3] == "ya" and dlh[4] == "WBBM"
    assert "ditetapkan WBBM 7 Desember 2026" in dlh[5]
    # Awarded, then two complaints, then revoked (Lampiran II Bab III C); building goes on.
    revoked = rows["Dinas Kependudukan dan Pencatatan Sipil"]
    assert revoked[0] == "Pembangunan" and revoked[4] == "-"
    assert "predikat dicabut 28 Desember 2026; 2 pengaduan" in revoked[5]
    # Short of the floors: IPKP 3,19 and kinerja D.
    assert rows["Dinas Pendidikan"][2] == "tidak" and rows["Dinas Tenaga Kerja"][2] == "tidak"
    folder = data_dir / "demo"
    reports = sorted((folder / "reports").rglob("pemantauan-2026-*.html"))
    assert len(reports) == 17  # every Monday from 2 February to 25 May
    lines = out.splitlines()
    assert lines[lines.index("Basis data demo:") + 1] == str(folder / "zi.db")  # whole, alone
    mails = list((folder / "mail" / "new").iterdir())
    assert f"E-mail pengingat dan ringkasan: {len(mails)} pesan" in out
    assert str(folder / "mail") in lines
    assert_mail_respects_its_readers(mails)
    # The year's packages are on disk and printed: one per proposed unit, and the letter.
    packages = sorted((folder / "usulan" / "2026").rglob("*.zip"))
    units = [p for p in packages if "surat-pengajuan" not in p.name]
    # proposed: the units TPN awarded WBK (the revoked one among them), the rejected one and
    # the WBBM one; Puskesmas' WBK mandiri has no proposal to TPN.
    tpn_wbk = [name for name, cells in rows.items() if "ditetapkan WBK" in cells[5]]
    assert "Dinas Kependudukan dan Pencatatan Sipil" in tpn_wbk
    assert len(units) == len(tpn_wbk) + 2
    assert any("surat-pengajuan" in p.name for p in packages)
    assert_documents_speak_to_people(packages)
    # Each unit's evidence, imported from its folder laid out by LKE code, rides in its package
    # under one folder per indicator, with its checksum in the manifest.
    for package in units:
        with zipfile.ZipFile(package) as archive:
            evidence = [n for n in archive.namelist() if "/bukti/" in n]
            manifest = json.loads(
                archive.read(next(n for n in archive.namelist() if n.endswith("/manifest.json")))
            )
        assert evidence and manifest["bukti_dukung"]["berkas"] == len(evidence)
        # ... and so does the one-page report of its TPI surveys.
        assert any(e["path"] == "laporan-survei.pdf" for e in manifest["files"]), package
    assert all(str(p) in lines for p in packages)  # each whole on its own line
    engine = create_engine(f"sqlite:///{folder / 'zi.db'}")
    with engine.connect() as connection:
        snapshots = connection.execute(text("select count(*) from score_snapshot")).scalar_one()
        proposals = connection.execute(text("select count(*) from proposal")).scalar_one()
    assert snapshots == 12 * 17  # twelve assessed units, one snapshot a week
    assert proposals == len(units)
    with engine.connect() as connection:
        sent = connection.execute(
            text("select count(*) from notification where status = 'sent'")
        ).scalar_one()
    assert sent == len(mails)  # every message in the outbox arrived once, no more
    assert_surveys_came_from_respondents(engine)


def assert_surveys_came_from_respondents(engine: Engine) -> None:
    """Every assessed unit's IPAK and IPKP were imported by the TPI from a respondent file
    (n >= 30, every service type of the unit answered for), and the TPI's last answers carry
    their index in B.I.a / B.II.a: Dinas Pendidikan's IPKP is 3,19 as its story has it."""
    with engine.connect() as connection:
        surveys = connection.execute(
            text(
                'select u.code, lower(s.kind), s."index", s.respondents, s.coverage '
                "from survey_result s join unit_kerja u on u.id = s.unit_id "
                "where lower(s.source) = 'tpi'"
            )
        ).all()
        versions = connection.execute(
            text(
                "select u.code, v.answers from assessment_version v "
                "join assessment a on a.id = v.assessment_id "
                "join unit_kerja u on u.id = a.unit_id "
                "where lower(a.kind) = 'tpi' order by v.version"
            )
        ).all()
    last = {code: json.loads(answers) for code, answers in versions}
    assert len(last) == 12  # the assessed units
    found = {(code, kind): (index, n, json.loads(cover)) for code, kind, index, n, cover in surveys}
    assert {code for code, _ in found} == set(last) and len(found) == 2 * len(last)
    for (code, kind), (index, n, cover) in found.items():
        assert n >= 30 and cover and all(count > 0 for count in cover.values()), (code, kind)
        item = "B.I.a" if kind == "ipak" else "B.II.a"
        assert float(last[code][item]) == pytest.approx(index), (code, kind)
    assert found[("DISDIK", "ipkp")][0] == pytest.approx(3.19)
    assert found[("DLH", "ipak")][0] == pytest.approx(3.92)
