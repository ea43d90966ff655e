"""A new agency's whole year through `zi` alone: from the agency workbook to proposals to TPN.

Nothing here touches the database except through the CLI: the test writes files as people do
(the example agency workbook of the README, LKE workbooks filled in as a unit team would) and
reads what people read (the CLI's output, the files the product writes, the e-mails in the
local Maildir). The stages run as real Prefect flows under the test harness.
"""

from __future__ import annotations

import email
import email.policy
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from typer.testing import CliRunner, Result

import flows.monitor
from config.framework_files import load_framework
from config.settings import get_settings
from tests.builders import fill_lke_form, top_answers
from zi_cli.main import app

pytestmark = pytest.mark.usefixtures("prefect_harness")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agensi-contoh.xlsx"
runner = CliRunner()


def zi(*args: str) -> Result:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, f"zi {' '.join(args)}\n{result.output}"
    return result


def flat(result: Result) -> str:
    return " ".join(result.output.split())


@pytest.fixture
def agency_cli(
    engine: Engine, database_url: URL, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The CLI on a migrated, empty database, with an inbox that takes files at once."""
    monkeypatch.setenv("ZI_DATABASE_URL", database_url.render_as_string(hide_password=False))
    monkeypatch.setenv("ZI_INBOX_SETTLE_SECONDS", "0")
    get_settings.cache_clear()
    return data_dir


def receipts(data_dir: Path) -> list[EmailMessage]:
    """The receipts of the inbox in the local Maildir, headers decoded."""
    mails = [
        email.message_from_bytes(p.read_bytes(), _class=EmailMessage, policy=email.policy.default)
        for p in (data_dir / "mail" / "new").iterdir()
    ]
    return [m for m in mails if str(m["Subject"]).strip().startswith("[ZI] LKE")]


def test_a_new_agency_runs_its_year_from_the_cli(
    agency_cli: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = agency_cli
    template = tmp_path / "agensi.xlsx"
    zi("agency", "template", str(template))
    assert template.exists()

    dry = flat(zi("agency", "import", str(EXAMPLE), "--dry-run"))
    assert "46 ditambahkan" in dry and "tidak ada yang disimpan" in dry
    assert "46 ditambahkan" in flat(zi("agency", "import", str(EXAMPLE)))
    assert "0 ditambahkan, 0 diubah, 46 tetap" in flat(zi("agency", "import", str(EXAMPLE)))

    # 2026: declared, designated and building (a unit must build a year before a proposal).
    zi("declare", "--instansi", "KAB-CTH", "--as-of", "2026-01-05")
    designated = flat(
        zi("designate", "--instansi", "KAB-CTH", "--sk", "800/1/2026", "--as-of", "2026-01-19")
    )
    assert "Ditetapkan dengan SK 800/1/2026:" in designated and "RSUD" in designated
    developing = flat(zi("develop", "--instansi", "KAB-CTH", "--as-of", "2026-01-26"))
    assert "Periode penilaian dibuka: Penilaian TPI 2026" in developing

    # 2027: the new calendar, the TPI's period, the LKE workbooks out to the units.
    zi("declare", "--instansi", "KAB-CTH", "--as-of", "2027-01-04")
    zi("period", "open", "--instansi", "KAB-CTH", "--start", "2027-02-01", "--end", "2027-05-31")
    out = tmp_path / "lke"
    zi("lke", "template", "--instansi", "KAB-CTH", "--out", str(out), "--as-of", "2027-02-01")
    forms = {p.stem.split("-")[1]: p for p in out.glob("LKE-*-2027.xlsx")}
    assert len(forms) == 10

    # The teams fill them in; the TPI drops its evaluations in the inbox.
    framework = load_framework()
    inbox = data_dir / "inbox" / "tpi"
    inbox.mkdir(parents=True)
    for code in ("RSUD", "DUKCAPIL"):
        fill_lke_form(forms[code], top_answers(framework))
    fill_lke_form(forms["DISDIK"], top_answers(framework, ipkp="3,19"))
    bad = dict(top_answers(framework), **{"A.I.1.i.a": "Mungkin"})
    fill_lke_form(forms["DINSOS"], bad)
    for code in ("RSUD", "DUKCAPIL", "DISDIK", "DINSOS"):
        shutil.copy(forms[code], inbox)
    received = flat(runner.invoke(app, ["inbox", "--as-of", "2027-02-08"]))
    assert "3 diterima, 1 ditolak" in received
    assert "LKE!F12: A.I.1.i.a: jawaban tidak sah" in received
    assert len(list((inbox / "diterima").glob("*.xlsx"))) == 3
    assert len(list((inbox / "ditolak").glob("*.alasan.txt"))) == 1
    sent = receipts(data_dir)
    assert len(sent) == 8
    refused = [m for m in sent if "ditolak" in str(m["Subject"])]
    assert {str(m["To"]) for m in refused} == {
        "Kepala Dinas Sosial <kepala.dinsos@contoh.go.id>",
        "Tim ZI DINSOS <zi.dinsos@contoh.go.id>",
    }

    # The same file dropped again: nothing new stored, no second receipt.
    shutil.copy(forms["RSUD"], inbox)
    again = flat(zi("inbox", "--as-of", "2027-02-09"))
    assert "1 diterima, 0 ditolak" in again
    assert len(receipts(data_dir)) == 8

    # The run's result lists one crossing here (a national run's would list thousands); the
    # CLI counts them all and says where the rest are.
    monkeypatch.setattr(flows.monitor, "RESULT_LISTED", 1)
    monitored = flat(zi("monitor", "--instansi", "KAB-CTH", "--as-of", "2027-02-08"))
    assert "2 unit baru memenuhi batas nilai" in monitored
    assert monitored.count(" memenuhi batas WBK") == 1
    assert "... dan 1 unit lainnya; semuanya ada di laporan." in monitored
    zi("remind", "--instansi", "KAB-CTH", "--as-of", "2027-02-08")

    status = flat(zi("status", "--instansi", "KAB-CTH", "--as-of", "2027-02-08"))
    assert "RSUD" in status and "Diusulkan ke TPN" in status
    assert "kurang" in status or "belum" in status  # DISDIK's IPKP shortfall is named
    proposals = flat(zi("proposals", "--instansi", "KAB-CTH"))
    assert "RSUD" in proposals and "DUKCAPIL" in proposals
    packages = sorted((data_dir / "usulan" / "2027").rglob("*.zip"))
    assert any("RSUD" in p.name for p in packages)
    assert any("DUKCAPIL" in p.name for p in packages)
    # DISDIK met no floor (IPKP 3,19): proposing the instansi's units again refuses it alone.
    again_proposed = runner.invoke(
        app, ["propose", "--instansi", "KAB-CTH", "--year", "2027", "--as-of", "2027-02-08"]
    )
    assert "Tidak diusulkan" in again_proposed.output
