"""`zi propose`, `zi proposals`, `zi submit` and `zi tpn-result` on a real database: the
messages users read, the exit statuses, and the package on disk."""

# The units come from the monitoring tests' `period` fixture, imported by name.

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from config.settings import get_settings
from tests.services.test_monitoring_service import FIRST, YEAR, NewUow, period, run  # noqa: F401
from zi_cli.main import app

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
    run(new_uow, period[0], FIRST, data_dir / "reports")
    monkeypatch.setenv("ZI_DATABASE_URL", database_url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    return data_dir


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
