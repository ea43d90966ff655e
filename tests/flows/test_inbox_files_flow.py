"""`zi inbox` (the flow `penerimaan-lke` under Prefect's test harness) takes survey respondent
files and evidence archives as it takes workbooks: filed, summed up, answered once per content
through the outbox into the local Maildir."""

from __future__ import annotations

import email
import email.policy
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from config.settings import get_settings
from persistence.unit_of_work import SqlUnitOfWork
from tests.cli.cli_world import registered_for_cli
from tests.survey_builders import IPKP_CODES, ipkp_set, respondent_rows, write_respondents
from zi_cli.main import app

pytestmark = pytest.mark.usefixtures("prefect_harness")
runner = CliRunner()
PDF = b"%PDF-1.4 surat keputusan tim kerja\n"


@pytest.fixture
def inbox(
    engine: Engine,
    database_url: URL,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    new_uow: Callable[[], SqlUnitOfWork],
) -> Path:
    """The builders' agency, `zi` on its database, an inbox that takes files at once."""
    registered_for_cli(new_uow, database_url, monkeypatch)
    monkeypatch.setenv("ZI_INBOX_SETTLE_SECONDS", "0")
    get_settings.cache_clear()
    return data_dir / "inbox"


def drop(inbox: Path, tmp_path: Path) -> None:
    survey = inbox / "survei" / "DPMPTSP_ipkp.csv"
    survey.parent.mkdir(parents=True, exist_ok=True)
    write_respondents(survey, respondent_rows(ipkp_set(count=30)), IPKP_CODES)
    (inbox / "bukti").mkdir(exist_ok=True)
    with zipfile.ZipFile(inbox / "bukti" / "DPMPTSP.zip", "w") as archive:
        # Dated, so that the archive dropped again is the same bytes.
        entry = zipfile.ZipInfo("A.I.1.i/SK Tim Kerja ZI 2026-01-05.pdf", (2026, 1, 5, 8, 0, 0))
        archive.writestr(entry, PDF)


def receipts(data_dir: Path) -> list[EmailMessage]:
    mails = [
        email.message_from_bytes(p.read_bytes(), _class=EmailMessage, policy=email.policy.default)
        for p in (data_dir / "mail" / "new").iterdir()
    ]
    # A long subject is folded; its first line may then start with the fold's space.
    return [m for m in mails if subject(m).startswith(("[ZI] Survei", "[ZI] Bukti"))]


def subject(mail: EmailMessage) -> str:
    return str(mail["Subject"]).strip()


def test_surveys_and_archives_through_zi_inbox(inbox: Path, data_dir: Path, tmp_path: Path) -> None:
    drop(inbox, tmp_path)
    with zipfile.ZipFile(inbox / "bukti" / "DUKCAPIL.zip", "w") as archive:
        archive.writestr("../../jahat 2026-01-05.pdf", PDF)
    (inbox / "survei" / "responden.csv").write_text("responden\n", encoding="utf-8")

    result = runner.invoke(app, ["inbox", "--as-of", "2026-05-04"], env={"COLUMNS": "200"})
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Kotak masuk: 2 diterima, 2 ditolak" in text
    assert "Diterima: survei/DPMPTSP_ipkp.csv" in text and "Diterima: bukti/DPMPTSP.zip" in text
    assert "Ditolak: bukti/DUKCAPIL.zip" in text and "'..'" in text
    assert "Ditolak: survei/responden.csv" in text and "<KODE-UNIT>_ipak" in text
    assert [p.name for p in (inbox / "survei" / "diterima").iterdir()] == [
        "2026-05-04_DPMPTSP_ipkp.csv"
    ]
    assert (inbox / "bukti" / "ditolak" / "2026-05-04_DUKCAPIL.zip.alasan.txt").is_file()
    assert not (data_dir.parent / "jahat 2026-01-05.pdf").exists()
    sent = receipts(data_dir)
    subjects = sorted(f"{m['To'].addresses[0].addr_spec} {subject(m)}" for m in sent)
    assert subjects == [
        "agus@uji.go.id [ZI] Bukti dukung Dinas Penanaman Modal dan PTSP diterima: 1 berkas",
        "agus@uji.go.id [ZI] Survei IPKP Dinas Penanaman Modal dan PTSP diterima: indeks 3,00",
        "dewi@uji.go.id [ZI] Bukti dukung Dinas Kependudukan dan Pencatatan Sipil ditolak: "
        "1 masalah",
        "siti@uji.go.id [ZI] Bukti dukung Dinas Penanaman Modal dan PTSP diterima: 1 berkas",
        "siti@uji.go.id [ZI] Survei IPKP Dinas Penanaman Modal dan PTSP diterima: indeks 3,00",
    ]

    # The same files dropped again: taken in as unchanged, answered no second time.
    drop(inbox, tmp_path)
    again = runner.invoke(app, ["inbox", "--as-of", "2026-05-05"], env={"COLUMNS": "200"})
    assert again.exit_code == 0, again.output
    assert "Kotak masuk: 2 diterima, 0 ditolak" in " ".join(again.output.split())
    assert len(receipts(data_dir)) == 5
    assert list((data_dir / "sementara").iterdir()) == []
