"""`zi demo`: the fictional regency's year, replayed through the real flows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from zi_cli.main import app

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_demo_replays_the_year(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["demo"], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    rows = {
        line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
        for line in out.splitlines()
        if line.startswith("│")
    }
    assert len(rows) == 12
    # Designation: the candidate without wide public impact is refused and stays declared.
    assert "Penetapan ditolak: SETDA-UMUM" in out
    assert rows["Bagian Umum Sekretariat Daerah"][0] == "Pencanangan"
    # Units crossing the WBK floors are proposed and, through TPN, awarded WBK.
    awarded = [name for name, cells in rows.items() if cells[4] == "WBK"]
    assert "RSUD Sukamaju" in awarded and len(awarded) >= 2
    assert rows["Badan Pendapatan Daerah"][0] == "Ditolak"
    # RSUD met even the WBBM floors, but WBBM comes only after WBK.
    assert rows["RSUD Sukamaju"][3] == "ya"
    # Held back: LHKASN 92 % (a prerequisite) and less than a year of building.
    assert rows["Dinas Sosial"][2] == "ya" and rows["Dinas Sosial"][0] == "Evaluasi TPI"
    assert rows["Puskesmas Sukamaju"][2] == "ya" and rows["Puskesmas Sukamaju"][4] == "-"
    # Short of the floors: IPKP 3,19 and kinerja D.
    assert rows["Dinas Pendidikan"][2] == "tidak" and rows["Dinas Tenaga Kerja"][2] == "tidak"
    folder = data_dir / "demo"
    reports = sorted((folder / "reports").glob("pemantauan-2026-*.html"))
    assert len(reports) == 17  # every Monday from 2 February to 25 May
    assert f"Basis data demo: {folder / 'zi.db'}" in out.replace("\n", "")
    mails = list((folder / "mail" / "new").iterdir())
    assert f"{len(mails)} pesan di {folder / 'mail'}" in out.replace("\n", "")
    subjects = [m.read_text(encoding="utf-8", errors="replace") for m in mails[:2000]]
    assert any("Subject: [ZI] Pengingat" in m for m in subjects)
    assert any("Ringkasan mingguan" in m or "ringkasan" in m.lower() for m in subjects)
    # The year's packages are on disk and printed: one per proposed unit, and the letter.
    packages = sorted((folder / "usulan" / "2026").rglob("*.zip"))
    units = [p for p in packages if "surat-pengajuan" not in p.name]
    assert len(units) == len(awarded) + 1
    assert any("surat-pengajuan" in p.name for p in packages)
    flat = out.replace("\n", "")
    assert all(str(p) in flat for p in packages)
    engine = create_engine(f"sqlite:///{folder / 'zi.db'}")
    with engine.connect() as connection:
        snapshots = connection.execute(text("select count(*) from score_snapshot")).scalar_one()
        proposals = connection.execute(text("select count(*) from proposal")).scalar_one()
    assert snapshots == 11 * 17  # eleven assessed units, one snapshot a week
    assert proposals == len(awarded) + 1  # the awarded ones and the rejected one
    with engine.connect() as connection:
        sent = connection.execute(
            text("select count(*) from notification where status = 'sent'")
        ).scalar_one()
    assert sent == len(mails)  # every message in the outbox arrived once, no more
