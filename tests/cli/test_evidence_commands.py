"""`zi evidence import` and `zi evidence list` on a real database (SQLite and PostgreSQL): a folder
laid out by LKE code or listed by its manifest, each file copied once into the evidence store, the
coverage by indicator; a bad folder exits 2 with every problem, storing no row and no file."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.engine import URL
from sqlmodel import Session
from typer.testing import CliRunner, Result

from config.framework_files import load_framework
from config.settings import get_settings
from persistence.evidence_store import STORE_FOLDER, EvidenceStore
from persistence.tables import EvidenceDocument
from persistence.unit_of_work import SqlUnitOfWork
from services.evidence import EvidenceRequest, import_evidence
from tests.builders import Agency
from tests.cli.cli_world import registered_for_cli
from zi_cli.main import app

runner = CliRunner()
WIDE = {"COLUMNS": "300"}
PDF = b"%PDF-1.4 surat keputusan tim kerja\n"
MINUTES = b"%PDF-1.4 notulen rapat\n"
PHOTO = b"\xff\xd8\xff foto kegiatan"


def zi(*args: object, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, ["evidence", *(str(a) for a in args)], env=env or WIDE)


def flat(text: str) -> str:
    return " ".join(text.split())


def put(folder: Path, relative: str, content: bytes) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture
def agency(
    engine: Engine,
    database_url: URL,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    new_uow: Callable[[], SqlUnitOfWork],
) -> Agency:
    return registered_for_cli(new_uow, database_url, monkeypatch)


def rows(engine: Engine) -> list[EvidenceDocument]:
    with Session(engine) as session:
        query = select(EvidenceDocument).order_by(EvidenceDocument.code, EvidenceDocument.id)
        return list(session.scalars(query))


def store_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / STORE_FOLDER).rglob("*") if p.is_file())


def laid_out(folder: Path) -> Path:
    put(folder, "A.I.1.i/SK Tim Kerja ZI 2026-01-05.pdf", PDF)
    put(folder, "A.I.1.i/A.I.1.i.b/rapat/Notulen 2026-02-10.pdf", MINUTES)
    put(folder, "A.II.1.i/Foto sosialisasi 2025-11-20.jpg", PHOTO)
    put(folder, "A.II.1.i/Thumbs.db", b"x")  # a file manager's leftover: passed over
    return folder


def test_a_folder_laid_out_by_code_is_stored_once_with_its_coverage(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    folder = laid_out(tmp_path / "bukti-dpmptsp")

    result = zi("import", folder, "--unit", "DPMPTSP", "--year", "2026")

    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "bukti-dpmptsp: 3 berkas untuk unit DPMPTSP; 3 baru disimpan, 0 sudah" in text
    # A.I.1.i: the SK and the minutes (filed under its question A.I.1.i.b); A.II.1.i: a photo.
    assert "3 dokumen" in text and "untuk 2 dari 42 indikator" in text
    assert f"A.I.1.i Penyusunan Tim Kerja │ 2 │ {len(PDF) + len(MINUTES)} B" in text
    assert "Tanpa bukti dukung (40 indikator): A.I.1.ii, A.I.1.iii," in text
    stored = rows(engine)
    assert [(r.code, r.title, r.document_date, r.size_bytes) for r in stored] == [
        ("A.I.1.i", "SK Tim Kerja ZI 2026-01-05", date(2026, 1, 5), len(PDF)),
        ("A.I.1.i.b", "Notulen 2026-02-10", date(2026, 2, 10), len(MINUTES)),
        ("A.II.1.i", "Foto sosialisasi 2025-11-20", date(2025, 11, 20), len(PHOTO)),
    ]
    assert stored[0].original_name == "SK Tim Kerja ZI 2026-01-05.pdf"
    assert stored[1].location == "A.I.1.i/A.I.1.i.b/rapat/Notulen 2026-02-10.pdf"
    store = EvidenceStore(data_dir)
    for row in stored:
        assert row.stored_path is not None
        assert store.read(row.stored_path, row.sha256) in (PDF, MINUTES, PHOTO)
    # Nothing was written outside the store (and the SQLite database beside it).
    written = {p.relative_to(data_dir).parts[0] for p in data_dir.rglob("*") if p.is_file()}
    assert {name for name in written if not name.startswith("zi.db")} == {STORE_FOLDER}

    again = zi("import", folder, "--unit", "DPMPTSP")
    assert again.exit_code == 0, again.output
    assert "0 baru disimpan, 3 sudah tersimpan untuk kode yang sama" in flat(again.output)
    assert len(rows(engine)) == 3 and len(store_files(data_dir)) == 3


def test_the_same_content_is_kept_once_in_the_store_whatever_its_name_or_code(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bukti"
    put(folder, "A.I.1.i/SK 2026-01-05.pdf", PDF)
    put(folder, "A.I.1.i/SK salinan 2026-01-05.pdf", PDF)  # the same content, the same code
    put(folder, "A.I.2.i/SK 2026-01-05.pdf", PDF)  # the same content for another indicator

    result = zi("import", folder, "--unit", "DPMPTSP")

    assert result.exit_code == 0, result.output
    assert "3 berkas untuk unit DPMPTSP; 2 baru disimpan, 1 sudah" in flat(result.output)
    assert [r.code for r in rows(engine)] == ["A.I.1.i", "A.I.2.i"]
    assert len(store_files(data_dir)) == 1


def test_a_manifest_names_the_code_title_and_date(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bukti"
    put(folder, "dokumen/sk.pdf", PDF)
    put(folder, "dokumen/notulen 2026-02-10.pdf", MINUTES)
    put(folder, "lain/tidak-dicantumkan.pdf", PHOTO)
    (folder / "manifest.csv").write_text(
        "code,title,date,file\n"
        "A.I.1.i.a,SK Tim Kerja Pembangunan ZI,2026-01-05,dokumen/sk.pdf\n"
        "A.I.1.ii,,,dokumen/notulen 2026-02-10.pdf\n",
        encoding="utf-8",
    )

    result = zi("import", folder, "--unit", "DPMPTSP")

    assert result.exit_code == 0, result.output
    assert "1 berkas di folder tidak tercantum di manifest.csv" in flat(result.output)
    assert [(r.code, r.title, r.document_date) for r in rows(engine)] == [
        ("A.I.1.i.a", "SK Tim Kerja Pembangunan ZI", date(2026, 1, 5)),
        ("A.I.1.ii", "notulen 2026-02-10", date(2026, 2, 10)),
    ]


def test_a_bad_folder_exits_2_with_every_problem_and_stores_nothing(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bukti"
    put(folder, "A.I.1.i/SK 2026-01-05.pdf", PDF)  # good, but the folder is refused as a whole
    put(folder, "A.I.1.i/Tanpa tanggal.pdf", MINUTES)
    put(folder, "A.I.1.i/Kosong 2026-01-05.pdf", b"")
    put(folder, "A.IX.9.z/Kode salah 2026-01-05.pdf", PHOTO)
    put(folder, "Di akar 2026-01-05.pdf", PHOTO)
    outside = put(tmp_path / "rahasia", "kunci 2026-01-05.pdf", b"rahasia")
    os.symlink(outside, folder / "A.I.1.i" / "Tautan 2026-01-05.pdf")
    os.symlink(outside.parent, folder / "A.I.2.i")

    result = zi("import", folder, "--unit", "DPMPTSP")

    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert "6 masalah, tidak ada yang disimpan" in text
    assert "A.I.1.i/Tanpa tanggal.pdf: tanpa tanggal dokumen" in text
    assert "A.I.1.i/Kosong 2026-01-05.pdf: berkas kosong (0 byte)" in text
    assert "kode 'A.IX.9.z' bukan indikator, pertanyaan, atau butir hasil LKE" in text
    assert "Di akar 2026-01-05.pdf: tidak berada di folder berkode LKE" in text
    assert "A.I.1.i/Tautan 2026-01-05.pdf: tautan simbolik (symlink) ditolak" in text
    assert "A.I.2.i: tautan simbolik (symlink) ditolak" in text
    assert rows(engine) == [] and store_files(data_dir) == []


def test_every_file_without_a_date_is_listed(agency: Agency, tmp_path: Path) -> None:
    folder = tmp_path / "bukti"
    for n in range(3):
        put(folder, f"A.I.1.i/dokumen {n}.pdf", PDF + bytes([n]))

    result = zi("import", folder, "--unit", "DPMPTSP")

    assert result.exit_code == 2
    assert flat(result.output).count("tanpa tanggal dokumen") == 3


def test_a_manifest_path_leaving_the_folder_is_refused(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bukti"
    put(tmp_path, "di-luar 2026-01-05.pdf", PDF)
    put(folder, "sk 2026-01-05.pdf", PDF)
    (folder / "manifest.csv").write_text(
        "code,title,date,file\n"
        "A.I.1.i,Di luar,,../di-luar 2026-01-05.pdf\n"
        f"A.I.1.i,Absolut,,{tmp_path / 'di-luar 2026-01-05.pdf'}\n"
        "A.I.1.i,Tanggal salah,2026-13-01,sk 2026-01-05.pdf\n"
        "A.I.1.i,Tidak ada,,hilang.pdf\n",
        encoding="utf-8",
    )

    result = zi("import", folder, "--unit", "DPMPTSP")

    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert "manifest.csv baris 2: '../di-luar 2026-01-05.pdf': jalur keluar dari folder" in text
    assert "manifest.csv baris 3:" in text and "jalur keluar dari folder" in text
    assert "manifest.csv baris 4: tanggal '2026-13-01' bukan tanggal YYYY-MM-DD" in text
    assert "manifest.csv baris 5: 'hilang.pdf': berkas tidak ada di folder" in text
    assert rows(engine) == [] and store_files(data_dir) == []


def test_a_failed_transaction_takes_the_files_it_stored_back_out(
    agency: Agency,
    engine: Engine,
    data_dir: Path,
    tmp_path: Path,
    new_uow: Callable[[], SqlUnitOfWork],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = laid_out(tmp_path / "bukti")
    EvidenceStore(data_dir).put(put(tmp_path, "lama 2026-01-05.pdf", PHOTO))  # kept before

    def refused(self: SqlUnitOfWork) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(SqlUnitOfWork, "commit", refused)
    request = EvidenceRequest("DPMPTSP", load_framework(None), 2026, "test")
    with new_uow() as uow, pytest.raises(RuntimeError):
        import_evidence(uow, folder=folder, request=request, data_dir=data_dir)

    assert rows(engine) == []
    # The photo was in the store before: it stays; the two files this import put are gone.
    assert [p.name for p in store_files(data_dir)] == [
        EvidenceStore(data_dir).put(folder / "A.II.1.i/Foto sosialisasi 2025-11-20.jpg").sha256
    ]


def test_list_shows_each_document_and_flags_the_old_within_80_columns(
    agency: Agency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = laid_out(tmp_path / "bukti")
    put(folder, "A.I.1.i/SK lama dengan judul yang sangat panjang sekali 2019-03-01.pdf", b"lama")
    assert zi("import", folder, "--unit", "DPMPTSP").exit_code == 0
    monkeypatch.setenv("ZI_EVIDENCE_MAX_AGE_YEARS", "2")
    get_settings.cache_clear()

    result = zi("list", "--unit", "DPMPTSP", "--year", "2026", env={"COLUMNS": "80"})

    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.output.splitlines()), result.output
    text = flat(result.output)
    assert "4 dokumen" in text and "untuk 2 dari 42 indikator" in text
    # 2026 - 2 = 2024: the 2019 SK is old, still listed and counted; the 2025 photo is not.
    assert "Dokumen bertahun sebelum 2024 ditandai lama (lebih dari 2 tahun): 1 dokumen" in text
    assert "1 Maret 2019" in text and "lama" in text
    assert "20 November 2025: Foto sosialisasi" in text


def test_an_unknown_unit_exits_2(agency: Agency, tmp_path: Path) -> None:
    folder = laid_out(tmp_path / "bukti")
    result = zi("import", folder, "--unit", "TIDAK-ADA")
    assert result.exit_code == 2
    assert "unit kerja 'TIDAK-ADA' tidak ditemukan" in flat(result.output)


def test_a_file_name_that_is_not_utf8_is_refused_by_name(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bukti"
    put(folder, "A.I.1.i/SK 2026-01-05.pdf", PDF)
    code_folder = os.fsencode(folder / "A.I.1.i")
    with open(os.path.join(code_folder, b"Notulen \xe9 2026-02-10.pdf"), "wb") as file:
        file.write(MINUTES)  # Latin-1 "é", as an old Windows share may hold it

    result = zi("import", folder, "--unit", "DPMPTSP")

    assert result.exit_code == 2, result.output
    assert "Notulen \\udce9 2026-02-10.pdf: nama berkas bukan teks UTF-8" in flat(result.output)
    assert rows(engine) == [] and store_files(data_dir) == []


def test_a_hasil_item_takes_evidence_too(agency: Agency, engine: Engine, tmp_path: Path) -> None:
    folder = laid_out(tmp_path / "bukti")
    put(folder, "B.I.b/Laporan Kinerja 2025-02-28.pdf", b"%PDF-1.4 LKjIP 2025")

    result = zi("import", folder, "--unit", "DPMPTSP", "--year", "2026")

    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "Bukti dukung hasil: 1 dokumen (19 B) untuk B.I.b" in text
    assert "B.I.b Capaian Kinerja Lebih Baik" in text
    # The pengungkit's coverage is as before: the hasil document is not an indicator's.
    assert "3 dokumen (75 B) untuk 2 dari 42 indikator" in text
    assert [r.code for r in rows(engine)][-1] == "B.I.b"
