"""Survey respondent files and evidence archives in the LKE inbox, at the service level (SQLite
and PostgreSQL): what is taken, where it is filed, what is stored, the receipts each unit team
gets once per content, and hostile zips that write nothing outside their scratch folder."""

# The agency and its 2026 period come from the services' `agency` fixture.

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from persistence.evidence_store import STORE_FOLDER
from persistence.tables import AssessmentKind, EvidenceDocument, SurveyResult, SurveySource
from persistence.unit_of_work import SqlUnitOfWork
from services.inbox import DroppedFile, FileKind, InboxOutcome, file_away, settled_files
from services.inbox_files import (
    EVIDENCE_NAME_HELP,
    SCRATCH_FOLDER,
    STALE_SECONDS,
    SURVEY_NAME_HELP,
    FileRules,
    receive,
    scratch_folder,
)
from services.lke_intake import IntakeScope
from services.safe_zip import ZipLimits
from tests.builders import INTAKE_SCOPE, Agency
from tests.survey_builders import IPKP_CODES, ipkp_set, respondent_rows, write_respondents

NewUow = Callable[[], SqlUnitOfWork]
DAY = date(2026, 5, 4)
SCOPE = IntakeScope(
    framework=INTAKE_SCOPE.framework, kind=AssessmentKind.SELF, as_of=DAY, actor="Kotak masuk LKE"
)
DPMPTSP_TEAM = {"siti@uji.go.id", "agus@uji.go.id"}
PDF = b"%PDF-1.4 surat keputusan tim kerja\n"
MINUTES = b"%PDF-1.4 notulen rapat\n"


@pytest.fixture
def rules(data_dir: Path) -> FileRules:
    return FileRules(data_dir=data_dir, limits=ZipLimits())


def dropped(path: Path, inbox: Path) -> DroppedFile:
    """The file as the inbox's scan finds it (settled at once)."""
    (found,) = [f for f in settled_files(inbox, settle_seconds=0) if f.path == path]
    return found


def respondents(path: Path, count: int = 30) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_respondents(path, respondent_rows(ipkp_set(count=count)), IPKP_CODES)


def zipped(path: Path, entries: dict[str | zipfile.ZipInfo, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return path


def evidence_entries(top: str = "") -> dict[str | zipfile.ZipInfo, bytes]:
    return {
        f"{top}A.I.1.i/SK Tim Kerja ZI 2026-01-05.pdf": PDF,
        f"{top}A.I.1.i/A.I.1.i.b/rapat/Notulen 2026-02-10.pdf": MINUTES,
        f"{top}A.I.1.i/Thumbs.db": b"x",
    }


def surveys(engine: Engine) -> list[SurveyResult]:
    with Session(engine) as session:
        return list(session.scalars(select(SurveyResult)))


def documents(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(EvidenceDocument)) or 0)


def files_under(folder: Path) -> set[Path]:
    return (
        {p for p in folder.rglob("*") if p.is_file() or p.is_symlink()}
        if folder.exists()
        else set()
    )


def keys(outcome: InboxOutcome) -> set[str]:
    return {m.idempotency_key for m in outcome.messages}


# --- what is taken --------------------------------------------------------------------------


def test_survey_files_and_archives_are_taken_from_their_folders(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for name in (
        "survei/DPMPTSP_ipak.csv",
        "survei/catatan.txt",  # taken: refused with the expected name, not left lying
        "survei/.tersembunyi.csv",
        "survei/diterima/lama.csv",
        "tpi/survei/DPMPTSP_ipkp_2026.xlsx",
        "bukti/DPMPTSP.zip",
        "bukti/~$DPMPTSP.zip",
    ):
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(b"isi")

    found = settled_files(inbox, settle_seconds=0)
    assert [(f.path.relative_to(inbox).as_posix(), f.kind, f.content) for f in found] == [
        ("survei/DPMPTSP_ipak.csv", AssessmentKind.SELF, FileKind.SURVEY),
        ("survei/catatan.txt", AssessmentKind.SELF, FileKind.SURVEY),
        ("tpi/survei/DPMPTSP_ipkp_2026.xlsx", AssessmentKind.TPI, FileKind.SURVEY),
        ("bukti/DPMPTSP.zip", AssessmentKind.SELF, FileKind.EVIDENCE),
    ]


# --- surveys ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "source"), [("survei", SurveySource.MANDIRI), ("tpi/survei", SurveySource.TPI)]
)
def test_a_survey_is_stored_with_the_source_of_its_folder(
    new_uow: NewUow,
    agency: Agency,
    engine: Engine,
    rules: FileRules,
    tmp_path: Path,
    folder: str,
    source: SurveySource,
) -> None:
    inbox = tmp_path / "inbox"
    path = respondents(inbox / folder / "DPMPTSP_ipkp_maret.csv")
    outcome = receive(new_uow, dropped(path, inbox), SCOPE, rules)

    assert outcome.accepted and outcome.problems == ()
    assert outcome.summary == (
        f"DPMPTSP_ipkp_maret.csv: DPMPTSP survei IPKP {source.value} diterima (disimpan), "
        "n = 30, indeks 3,00"
    )
    (survey,) = surveys(engine)
    assert (survey.kind.value, survey.source, survey.respondents) == ("ipkp", source, 30)
    assert survey.index == pytest.approx(3.0) and survey.actor == "Kotak masuk LKE"
    assert survey.unit_id == agency.units["DPMPTSP"] and survey.period_id == agency.period_id

    assert {m.recipient for m in outcome.messages} == DPMPTSP_TEAM
    words = "survei mandiri unit" if source == SurveySource.MANDIRI else "survei TPI"
    for message in outcome.messages:
        assert message.kind == "survey.accepted"
        assert (
            message.subject
            == "[ZI] Survei IPKP Dinas Penanaman Modal dan PTSP diterima: indeks 3,00"
        )
        text = " ".join(message.text.split())
        assert words in text and "dari 30 responden" in text
        assert "Nilai B.II.a: 13,13 dari 17,50" in text  # 3 / 4 x 17.50 = 13.125
        assert "- perizinan · 15" in message.text and "- pengaduan · 15" in message.text
        assert f"Metode: {survey.method}" in text

    filed = file_away(outcome, day=DAY)
    assert filed == inbox / folder / "diterima" / "2026-05-04_DPMPTSP_ipkp_maret.csv"


def test_a_survey_file_with_a_bad_name_is_refused_with_the_expected_name(
    new_uow: NewUow, agency: Agency, engine: Engine, rules: FileRules, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    path = respondents(inbox / "survei" / "responden maret.csv")
    outcome = receive(new_uow, dropped(path, inbox), SCOPE, rules)

    assert not outcome.accepted and outcome.problems == (SURVEY_NAME_HELP,)
    assert "<KODE-UNIT>_ipak" in SURVEY_NAME_HELP and "DPMPTSP_ipkp.csv" in SURVEY_NAME_HELP
    assert outcome.messages == (), "no unit in the name: no team to answer"
    assert surveys(engine) == []
    filed = file_away(outcome, day=DAY)
    assert filed.parent == inbox / "survei" / "ditolak"
    reasons = filed.with_name(filed.name + ".alasan.txt").read_text(encoding="utf-8")
    assert reasons == SURVEY_NAME_HELP + "\n"


def test_a_survey_of_an_unknown_unit_is_refused_without_a_receipt(
    new_uow: NewUow, agency: Agency, engine: Engine, rules: FileRules, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    path = respondents(inbox / "survei" / "TIDAKADA_IPAK_mei.2026.csv")
    outcome = receive(new_uow, dropped(path, inbox), SCOPE, rules)
    assert outcome.problems == ("unit kerja 'TIDAKADA' tidak ditemukan",)
    assert outcome.messages == () and surveys(engine) == []


def test_too_few_respondents_are_refused_pointing_to_the_tpi_or_more_respondents(
    new_uow: NewUow, agency: Agency, engine: Engine, rules: FileRules, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    path = respondents(inbox / "survei" / "DPMPTSP_ipkp.csv", count=29)
    outcome = receive(new_uow, dropped(path, inbox), SCOPE, rules)

    assert not outcome.accepted and surveys(engine) == []
    first, hint = outcome.problems
    assert first.startswith("hanya 29 responden; paling sedikit 30")
    assert "tambahkan responden hingga paling sedikit 30" in hint
    assert "minta TPI mengimpor berkas ini dengan `zi survey import" in hint
    assert "--justification" in hint
    assert {m.recipient for m in outcome.messages} == DPMPTSP_TEAM
    for message in outcome.messages:
        assert message.kind == "survey.refused"
        assert (
            message.subject == "[ZI] Survei IPKP Dinas Penanaman Modal dan PTSP ditolak: 2 masalah"
        )
        text = " ".join(message.text.split())
        assert "DITOLAK" in text and "tidak ada yang disimpan" in text
        assert "zi survey import" in text


def test_the_same_survey_dropped_twice_is_answered_once(
    new_uow: NewUow, agency: Agency, engine: Engine, rules: FileRules, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    source = respondents(tmp_path / "tim" / "DPMPTSP_ipkp.csv")
    target = inbox / "survei" / "DPMPTSP_ipkp.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(source.read_bytes())
    first = receive(new_uow, dropped(target, inbox), SCOPE, rules)
    file_away(first, day=DAY)
    target.write_bytes(source.read_bytes())
    again = receive(new_uow, dropped(target, inbox), SCOPE, rules)

    assert again.accepted and "(tidak berubah)" in again.summary
    assert keys(again) == keys(first) and len(keys(first)) == 2
    assert len(surveys(engine)) == 1
    # The same content dropped as the TPI's is another receipt.
    tpi = inbox / "tpi" / "survei" / "DPMPTSP_ipkp.csv"
    tpi.parent.mkdir(parents=True)
    tpi.write_bytes(source.read_bytes())
    as_tpi = receive(new_uow, dropped(tpi, inbox), SCOPE, rules)
    assert as_tpi.accepted and keys(as_tpi).isdisjoint(keys(first))


# --- evidence -----------------------------------------------------------------------------------


@pytest.mark.parametrize("top", ["", "bukti-dpmptsp/"])
def test_an_evidence_archive_is_stored_and_its_scratch_folder_removed(
    new_uow: NewUow,
    agency: Agency,
    engine: Engine,
    rules: FileRules,
    data_dir: Path,
    tmp_path: Path,
    top: str,
) -> None:
    inbox = tmp_path / "inbox"
    path = zipped(inbox / "bukti" / "DPMPTSP.zip", evidence_entries(top))
    outcome = receive(new_uow, dropped(path, inbox), SCOPE, rules)

    assert outcome.accepted, outcome.problems
    assert outcome.summary == (
        "DPMPTSP.zip: DPMPTSP bukti dukung diterima, 2 berkas (2 baru, 0 sudah tersimpan), "
        "1 dari 42 indikator berbukti"
    )
    assert documents(engine) == 2
    stored = files_under(data_dir / STORE_FOLDER)
    assert {p.read_bytes() for p in stored} == {PDF, MINUTES}
    assert list((data_dir / SCRATCH_FOLDER).iterdir()) == []

    assert {m.recipient for m in outcome.messages} == DPMPTSP_TEAM
    for message in outcome.messages:
        assert message.kind == "evidence.accepted"
        assert (
            message.subject == "[ZI] Bukti dukung Dinas Penanaman Modal dan PTSP diterima: 2 berkas"
        )
        text = " ".join(message.text.split())
        assert "2 berkas (" in text and "baru disimpan: 2" in text
        assert "Indikator LKE yang mempunyai bukti dukung: 1 dari 42." in text
        assert "INDIKATOR TANPA BUKTI DUKUNG (41)" in text and "… dan 26 indikator lainnya" in text
    assert file_away(outcome, day=DAY).parent == inbox / "bukti" / "diterima"


def test_an_archive_with_a_manifest_in_one_top_folder(
    new_uow: NewUow, agency: Agency, engine: Engine, rules: FileRules, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    manifest = "code,title,date,file\nA.I.1.i,SK Tim Kerja ZI,2026-01-05,sk.pdf\n"
    entries: dict[str | zipfile.ZipInfo, bytes] = {
        "kiriman/manifest.csv": manifest.encode(),
        "kiriman/sk.pdf": PDF,
    }
    path = zipped(inbox / "bukti" / "DPMPTSP.zip", entries)
    outcome = receive(new_uow, dropped(path, inbox), SCOPE, rules)
    assert outcome.accepted, outcome.problems
    assert documents(engine) == 1


def test_the_same_archive_dropped_twice_is_answered_once(
    new_uow: NewUow, agency: Agency, engine: Engine, rules: FileRules, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    content = zipped(tmp_path / "DPMPTSP.zip", evidence_entries()).read_bytes()
    path = inbox / "bukti" / "DPMPTSP.zip"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    first = receive(new_uow, dropped(path, inbox), SCOPE, rules)
    file_away(first, day=DAY)
    path.write_bytes(content)
    again = receive(new_uow, dropped(path, inbox), SCOPE, rules)

    assert "(0 baru, 2 sudah tersimpan)" in again.summary
    assert keys(again) == keys(first) and len(keys(first)) == 2
    assert documents(engine) == 2


def test_an_archive_for_an_unknown_name_or_unit_is_refused_without_a_receipt(
    new_uow: NewUow, agency: Agency, rules: FileRules, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    for name, problem in (
        ("DPMPTSP.rar", EVIDENCE_NAME_HELP),
        ("TIDAKADA.zip", "unit kerja 'TIDAKADA' tidak ditemukan"),
    ):
        path = zipped(inbox / "bukti" / name, evidence_entries())
        outcome = receive(new_uow, dropped(path, inbox), SCOPE, rules)
        assert not outcome.accepted and outcome.problems == (problem,)
        assert outcome.messages == ()


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("A.I.1.i/tautan 2026-01-05.pdf")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _encrypted(path: Path) -> None:
    """Marks every entry as encrypted (bit 0 of its flags), as a password-protected zip is."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset] |= 0x01
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


HOSTILE: dict[str, tuple[dict[str | zipfile.ZipInfo, bytes], str]] = {
    "dot-dot": ({"A.I.1.i/../../../jahat 2026-01-05.pdf": PDF}, "'..'"),
    "absolute": ({"/tmp/jahat 2026-01-05.pdf": PDF}, "jalur absolut"),
    "backslash-absolute": ({"\\jahat 2026-01-05.pdf": PDF}, "jalur absolut"),
    "symlink": ({_symlink(): b"/etc/passwd"}, "tautan simbolik"),
    "bomb": ({"A.I.1.i/bom 2026-01-05.pdf": bytes(20 << 20)}, "bom zip"),
    "encrypted": ({"A.I.1.i/rahasia 2026-01-05.pdf": PDF}, "terenkripsi"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_archive_is_refused_and_writes_nothing_outside_its_scratch_folder(
    new_uow: NewUow,
    agency: Agency,
    engine: Engine,
    rules: FileRules,
    data_dir: Path,
    tmp_path: Path,
    case: str,
) -> None:
    entries, problem = HOSTILE[case]
    inbox = tmp_path / "inbox"
    good = dict(evidence_entries())  # good files beside the bad one: none of them is stored
    path = zipped(inbox / "bukti" / "DPMPTSP.zip", good | entries)
    if case == "encrypted":
        _encrypted(path)
    before = files_under(tmp_path)

    outcome = receive(new_uow, dropped(path, inbox), SCOPE, rules)

    assert not outcome.accepted
    assert any(problem in p for p in outcome.problems), outcome.problems
    assert documents(engine) == 0 and files_under(data_dir / STORE_FOLDER) == set()
    assert list((data_dir / SCRATCH_FOLDER).iterdir()) == []
    written = {p for p in files_under(tmp_path) - before if not p.name.startswith("zi.db")}
    assert written == set(), "nothing written anywhere but the removed scratch folder"
    assert not Path("/tmp/jahat 2026-01-05.pdf").exists()
    assert {m.recipient for m in outcome.messages} == DPMPTSP_TEAM
    for message in outcome.messages:
        assert message.kind == "evidence.refused"
        assert message.subject.startswith(
            "[ZI] Bukti dukung Dinas Penanaman Modal dan PTSP ditolak"
        )


def test_an_archive_over_the_entry_or_size_limit_is_refused(
    new_uow: NewUow, agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    path = zipped(inbox / "bukti" / "DPMPTSP.zip", evidence_entries())
    few = FileRules(data_dir=data_dir, limits=ZipLimits(max_entries=2))
    (problem,) = receive(new_uow, dropped(path, inbox), SCOPE, few).problems
    assert problem == "arsip berisi 3 entri; paling banyak 2"
    small = FileRules(data_dir=data_dir, limits=ZipLimits(max_bytes=len(PDF)))
    refused = receive(new_uow, dropped(path, inbox), SCOPE, small)
    assert any("paling banyak" in p for p in refused.problems), refused.problems
    assert documents(engine) == 0
    assert list((data_dir / SCRATCH_FOLDER).iterdir()) == []


def test_the_scratch_folder_is_removed_and_a_killed_runs_leftovers_after_a_day(
    data_dir: Path,
) -> None:
    scratch = data_dir / SCRATCH_FOLDER
    old = scratch / "kotak-masuk-lama"
    young = scratch / "kotak-masuk-muda"
    for left in (old, young):
        (left / "A.I.1.i").mkdir(parents=True)
        (left / "A.I.1.i" / "sk.pdf").write_bytes(PDF)
    now = young.stat().st_mtime
    os.utime(old, (now - STALE_SECONDS, now - STALE_SECONDS))

    with pytest.raises(RuntimeError), scratch_folder(data_dir, now=now) as folder:
        assert folder.parent == scratch and not old.exists() and young.exists()
        (folder / "x.pdf").write_bytes(PDF)
        raise RuntimeError("the import fails")
    assert not folder.exists()
