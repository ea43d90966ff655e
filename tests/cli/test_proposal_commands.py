"""`zi propose`, `zi proposals`, `zi submit` and `zi tpn-result` on a real database: the
messages users read, the exit statuses, and the package on disk."""

# The units come from the monitoring tests' `period` fixture, imported by name.

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from persistence.unit_of_work import default_unit_of_work
from services.lifecycle import unit_facts
from services.lookup import find_unit
from tests.cli.cli_world import monitored_for_cli
from tests.services.test_monitoring_service import YEAR, NewUow, period  # noqa: F401
from zi_cli.main import app
from zi_domain.lifecycle import UnitState

runner = CliRunner()


@pytest.fixture
def cli_database(
    new_uow: NewUow,
    period: tuple[int, dict[str, int]],  # noqa: F811
    database_url: URL,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The monitoring tests' ministry, monitored once, with the CLI pointed at its database."""
    return monitored_for_cli(new_uow, period[0], data_dir, database_url, monkeypatch)


def test_bad_input_names_the_option_and_exits_2(cli_database: Path) -> None:
    nothing = runner.invoke(app, ["propose"])
    assert nothing.exit_code == 2 and "--unit" in nothing.stderr
    unknown = runner.invoke(app, ["propose", "--unit", "TIDAKADA", "--as-of", "2027-03-02"])
    assert unknown.exit_code == 2
    assert "unit kerja 'TIDAKADA' tidak ditemukan" in unknown.stderr
    wrong = runner.invoke(app, ["tpn-result", "--unit", "SIAP", "--result", "lulus"])
    assert wrong.exit_code == 2 and "hasil TPN tidak dikenal: 'lulus'" in wrong.stderr
    instansi = runner.invoke(app, ["proposals", "--instansi", "Kementerian Lain"])
    assert instansi.exit_code == 2 and "yang ada: Kementerian Uji" in instansi.stderr


def test_propose_submit_and_record_tpn(cli_database: Path) -> None:
    ready = runner.invoke(app, ["propose", "--unit", "SIAP", "--as-of", "2027-03-02"])
    assert ready.exit_code == 0, ready.output
    assert "revisi 1 dibuat" in ready.stdout
    packages = list((cli_database / "usulan" / str(YEAR)).rglob("SIAP-Unit-SIAP-2027-WBK-r1.zip"))
    assert len(packages) == 1

    refused = runner.invoke(app, ["propose", "--unit", "LHKPN", "--as-of", "2027-03-02"])
    assert refused.exit_code == 1
    assert "LHKPN: 97,50%; disyaratkan 100%" in " ".join(refused.stderr.split())

    draft = runner.invoke(
        app, ["tpn-result", "--unit", "SIAP", "--result", "tpn_administrative", "--year", "2027"]
    )
    assert draft.exit_code == 2 and "berstatus draft" in " ".join(draft.stderr.split())
    sent = runner.invoke(
        app, ["submit", "--instansi", "Kementerian Uji", "--year", "2027", "--as-of", "2027-05-24"]
    )
    assert sent.exit_code == 0 and "1 usulan dikirim ke TPN" in sent.stdout
    stage = runner.invoke(
        app,
        [
            "tpn-result",
            "--unit",
            "SIAP",
            "--result",
            "tpn_administrative",
            "--year",
            "2027",
            "--as-of",
            "2027-07-06",
        ],
    )
    assert stage.exit_code == 0, stage.output
    assert "Diusulkan ke TPN → TPN: evaluasi administrasi" in stage.stdout
    wide = {"COLUMNS": "300"}  # the table unwrapped, as in a wide terminal
    listed = runner.invoke(app, ["proposals", "--year", "2027", "--riwayat"], env=wide)
    assert listed.exit_code == 0
    flat = " ".join(listed.stdout.split())
    assert "Unit SIAP" in flat and "TPN: evaluasi administrasi" in flat and "97,38" in flat


def test_a_whole_instansi_at_once(cli_database: Path) -> None:
    result = runner.invoke(
        app,
        ["propose", "--instansi", "Kementerian Uji", "--year", "2027", "--as-of", "2027-03-02"],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 0, result.output
    # Under TPI evaluation after the first run: SIAP, PUNCAK and WBK are ready (WBK, already
    # holding WBK, for WBBM); LHKPN (97,5 %) and RENDAH (short of the floors) are not; USUL was
    # proposed before and is not tried again.
    assert "3 diusulkan, 2 belum dapat diusulkan." in result.stdout
    stderr = " ".join(result.stderr.split())
    assert "Unit LHKPN (LHKPN) belum dapat diusulkan untuk WBK" in stderr
    assert "Unit RENDAH (RENDAH) belum dapat diusulkan untuk WBK" in stderr
    packages = sorted(p.name for p in (cli_database / "usulan").rglob("*.zip"))
    assert "WBK-Unit-WBK-2027-WBBM-r1.zip" in packages
    assert "PUNCAK-Unit-PUNCAK-2027-WBK-r1.zip" in packages
    letters = [p for p in packages if p.startswith("surat-pengajuan")]
    assert letters == [f"surat-pengajuan-Kementerian-Uji-2027-r{n}.zip" for n in (1, 2, 3)]


def zi(*args: str) -> list[str]:
    """Runs `zi`, expecting success; returns its stdout as words (unwrapped)."""
    result = runner.invoke(app, list(args), env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def refused(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    return " ".join(result.stderr.split())


def test_award_complaint_and_revocation(cli_database: Path) -> None:
    zi("propose", "--unit", "SIAP", "--as-of", "2027-03-02")
    zi("submit", "--instansi", "Kementerian Uji", "--year", "2027", "--as-of", "2027-05-24")
    for stage in ("tpn_administrative", "tpn_desk", "tpn_field", "tpn_panel"):
        zi("tpn-result", "--unit", "SIAP", "--result", stage, "--as-of", "2027-09-01")
    # The award needs the Minister's decree (its number and its date, together).
    assert "--decree dan --decree-date disebut bersama" in refused(
        "tpn-result", "--unit", "SIAP", "--result", "awarded", "--decree", "KEP-1"
    )
    awarded = " ".join(
        zi(
            "award",
            "--unit",
            "SIAP",
            "--decree",
            "KEP-12/M.PANRB/2027",
            "--decree-date",
            "2027-12-05",
            "--score",
            "88.5",
            "--as-of",
            "2027-12-09",
        )
    )
    # 90/2021 Lampiran II Bab III: a WBK unit goes on building toward WBBM.
    assert "TPN: clearance dan panel → Berpredikat WBK" in awarded
    assert "lalu: Berpredikat WBK → Pembangunan" in awarded
    listed = " ".join(zi("proposals", "--year", "2027"))
    # TPN's own result replaces the TPI's for the proposal (Lampiran II Bab II).
    assert "Ditetapkan (predikat diberikan) │ 97,38 │ 88,50" in listed

    added = " ".join(
        zi(
            "complaint",
            "add",
            "--unit",
            "SIAP",
            "--summary",
            "Pungutan di loket pelayanan",
            "--received",
            "2028-02-01",
            "--source",
            "SP4N-LAPOR!",
        )
    )
    assert "dicatat; 1 pengaduan tercatat untuk unit ini" in added
    complaints = " ".join(zi("complaint", "list", "--instansi", "Kementerian Uji"))
    assert "Pungutan di loket pelayanan" in complaints and "1 Februari 2028" in complaints

    # The TPI's report on the awarded unit: the head's letter of Gambar 10 (90/2021 Lampiran II
    # Bab III A), on the TPI's latest score and the complaints since the award.
    reported = runner.invoke(
        app,
        [
            "post-award-report",
            "--unit",
            "SIAP",
            "--summary",
            "pengaduan ditindaklanjuti; pelayanan dipantau mingguan",
            "--as-of",
            "2028-02-10",
        ],
        env={"COLUMNS": "300"},
    )
    assert reported.exit_code == 0, reported.output
    assert "masih memenuhi kriteria WBK" in reported.stdout
    assert "paling lambat 10 Februari 2030" in reported.stdout
    pdf = Path(next(line for line in reported.stdout.splitlines() if line.endswith(".pdf")))
    text = " ".join(" ".join(page.extract_text() or "" for page in PdfReader(pdf).pages).split())
    assert "Laporan Monitoring dan Evaluasi Unit kerja/satuan kerja Berpredikat" in text
    assert "Cq. Deputi Bidang Reformasi Birokrasi, Akuntabilitas Aparatur, dan Pengawasan" in text
    assert "masih memenuhi kriteria Menuju Wilayah Bebas dari Korupsi (WBK)" in text
    assert "nilai total 97,38" in text  # the TPI's latest total, as `zi proposals` shows it
    assert "1 pengaduan maladministrasi" in text and "Pungutan di loket pelayanan" in text

    revoked = " ".join(
        zi(
            "revoke",
            "--unit",
            "SIAP",
            "--decree",
            "KEP-3/M.PANRB/2028",
            "--decree-date",
            "2028-03-01",
            "--reason",
            "laporan TPI atas pengaduan maladministrasi",
            "--as-of",
            "2028-03-03",
        )
    )
    # 90/2021 Lampiran II Bab III C: two years from the revocation decree, building goes on.
    assert "Pembangunan → Dicabut" in revoked
    assert "dapat diusulkan lagi mulai 1 Maret 2030" in revoked
    again = refused(
        "revoke",
        "--unit",
        "SIAP",
        "--decree",
        "KEP-4",
        "--decree-date",
        "2028-03-02",
        "--reason",
        "x",
        "--as-of",
        "2028-03-03",
    )
    assert "unit tidak sedang berpredikat" in again
    early = refused(
        "revoke",
        "--unit",
        "PUNCAK",
        "--decree",
        "KEP-5",
        "--decree-date",
        "2028-03-09",
        "--reason",
        "x",
        "--as-of",
        "2028-03-03",
    )
    assert "tanggal surat keputusan 9 Maret 2028 jatuh setelah 3 Maret 2028" in early


def test_wbk_mandiri_annulment_and_a_moved_deadline(cli_database: Path) -> None:
    # 5/2024 Bab II B: WBK awarded by the instansi itself, when its TPI evaluation meets WBK.
    mandiri = " ".join(
        zi(
            "wbk-mandiri",
            "--unit",
            "PUNCAK",
            "--decree",
            "800/5/2027",
            "--decree-date",
            "2027-03-01",
            "--as-of",
            "2027-03-02",
        )
    )
    assert "Evaluasi TPI → Berpredikat WBK" in mandiri
    assert "Berpredikat WBK → Pembangunan menuju WBBM" in mandiri
    # RENDAH's TPI score falls short of WBK's floors.
    short = refused(
        "wbk-mandiri",
        "--unit",
        "RENDAH",
        "--decree",
        "800/6/2027",
        "--decree-date",
        "2027-03-01",
        "--as-of",
        "2027-03-02",
    )
    assert "belum ada evaluasi TPI yang memenuhi batas nilai WBK" in short

    zi("propose", "--unit", "SIAP", "--as-of", "2027-03-02")
    zi("submit", "--instansi", "Kementerian Uji", "--year", "2027", "--as-of", "2027-05-24")
    # 90/2021 Lampiran II Bab IV: a KKN offence in the proposal year drops what TPN holds.
    dropped = " ".join(
        zi(
            "annul",
            "--instansi",
            "Kementerian Uji",
            "--reason",
            "OTT pimpinan instansi",
            "--year",
            "2027",
            "--as-of",
            "2027-07-01",
        )
    )
    assert "Usulan digugurkan: SIAP" in dropped
    listed = " ".join(zi("proposals", "--year", "2027"))
    assert "Digugurkan (pelanggaran hukum terkait KKN pada tahun pengajuan)" in listed
    # Back in development, and not proposable again in the same year.
    with default_unit_of_work() as uow:
        unit = find_unit(uow, "SIAP", None)
        assert unit.state == UnitState.DEVELOPING
        facts = unit_facts(uow, unit=unit, year=2027, as_of=date(2027, 7, 5))
        assert facts.rejected_this_year
        assert not unit_facts(uow, unit=unit, year=2028, as_of=date(2028, 1, 5)).rejected_this_year

    wrong_year = refused("calendar", "deadline", "--year", "2027", "--date", "2028-06-30")
    assert "--date 2028-06-30 tidak jatuh pada tahun 2027" in wrong_year
