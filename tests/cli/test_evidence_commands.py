"""`zi evidence import` and `zi evidence list` on a real database (SQLite and PostgreSQL): a folder
laid out by LKE code or listed by its manifest, each file copied once into the evidence store, the
coverage by indicator; a bad folder exits 2 with every problem, storing no row and no file."""

from __future__ import annotations

import os
import time
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


def age_store(data_dir: Path, hours: float = 2) -> None:
    """Makes every store file older than the clean-up's one fresh hour."""
    then = time.time() - hours * 3600
    for path in (data_dir / STORE_FOLDER).rglob("*"):
        os.utime(path, (then, then))


def test_remove_takes_a_document_out_by_its_number_and_discards_its_unshared_file(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    folder = laid_out(tmp_path / "bukti")
    put(folder, "A.I.2.i/SK salinan 2026-01-05.pdf", PDF)  # the SK's content under a 2nd code
    assert zi("import", folder, "--unit", "DPMPTSP").exit_code == 0
    age_store(data_dir)
    by_title = {r.title: r for r in rows(engine)}
    minutes, sk = by_title["Notulen 2026-02-10"], by_title["SK Tim Kerja ZI 2026-01-05"]
    listed = flat(zi("list", "--unit", "DPMPTSP").output)
    assert f"#{minutes.id} 10 Februari 2026: Notulen 2026-02-10 (A.I.1.i.b)" in listed

    result = zi("remove", minutes.id, sk.id, "--unit", "DPMPTSP")

    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert f"Dihapus: #{minutes.id} A.I.1.i.b Notulen 2026-02-10" in text
    assert "2 dokumen dihapus dari unit DPMPTSP" in text
    # The minutes' file is named by no document any more: discarded. The SK's content is still
    # named by its copy under A.I.2.i: kept.
    assert f"1 berkas tak terpakai dibuang dari penyimpanan ({len(MINUTES)} B)" in text
    left = rows(engine)
    assert sorted(r.title for r in left) == ["Foto sosialisasi 2025-11-20", "SK salinan 2026-01-05"]
    assert {p.name for p in store_files(data_dir)} == {r.sha256 for r in left}


def test_remove_by_code_takes_the_indicator_and_its_questions(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    assert zi("import", laid_out(tmp_path / "bukti"), "--unit", "DPMPTSP").exit_code == 0

    result = zi("remove", "--code", "A.I.1.i", "--unit", "DPMPTSP")

    assert result.exit_code == 0, result.output
    # A.I.1.i's SK and the minutes filed under its question A.I.1.i.b; the files are fresh (put
    # less than an hour ago, maybe by an import still running): left for a later clean-up.
    assert "2 dokumen dihapus" in flat(result.output)
    assert "2 berkas tak terpakai baru disimpan kurang dari 1 jam lalu" in flat(result.output)
    assert [r.code for r in rows(engine)] == ["A.II.1.i"]
    assert len(store_files(data_dir)) == 3
    age_store(data_dir)
    cleaned = zi("clean")
    assert cleaned.exit_code == 0, cleaned.output
    expected = f"2 berkas tak terpakai dibuang dari penyimpanan ({len(PDF) + len(MINUTES)} B)"
    assert expected in flat(cleaned.output)
    assert [p.name for p in store_files(data_dir)] == [rows(engine)[0].sha256]


def test_remove_naming_what_the_unit_does_not_have_exits_2_and_removes_nothing(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    assert zi("import", laid_out(tmp_path / "bukti"), "--unit", "DPMPTSP").exit_code == 0
    first = rows(engine)[0]

    result = zi("remove", first.id, 99999, "--code", "B.I.a", "--unit", "DPMPTSP")

    assert result.exit_code == 2
    text = flat(result.output)
    assert "dokumen #99999 tidak ada pada unit ini" in text
    assert "kode 'B.I.a': tidak ada dokumen" in text
    assert len(rows(engine)) == 3
    assert zi("remove", "--unit", "DPMPTSP").exit_code == 2  # nothing named


def test_import_replace_replaces_only_the_codes_in_the_folder(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    assert zi("import", laid_out(tmp_path / "bukti"), "--unit", "DPMPTSP").exit_code == 0
    age_store(data_dir)
    revised = tmp_path / "revisi"
    new_sk = b"%PDF-1.4 surat keputusan tim kerja, revisi\n"
    put(revised, "A.I.1.i/SK Tim Kerja ZI revisi 2026-03-01.pdf", new_sk)

    result = zi("import", revised, "--unit", "DPMPTSP", "--replace")

    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "1 baru disimpan" in text and "1 dokumen lama pada kode yang sama diganti" in text
    # Only A.I.1.i was in the folder: its old SK goes; A.I.1.i.b (a question code of its own)
    # and A.II.1.i are untouched.
    assert [(r.code, r.title) for r in rows(engine)] == [
        ("A.I.1.i", "SK Tim Kerja ZI revisi 2026-03-01"),
        ("A.I.1.i.b", "Notulen 2026-02-10"),
        ("A.II.1.i", "Foto sosialisasi 2025-11-20"),
    ]
    assert "1 berkas tak terpakai dibuang" in text
    assert {p.name for p in store_files(data_dir)} == {r.sha256 for r in rows(engine)}


def test_clean_discards_unnamed_and_abandoned_files_but_not_fresh_ones(
    agency: Agency, engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    assert zi("import", laid_out(tmp_path / "bukti"), "--unit", "DPMPTSP").exit_code == 0
    store = EvidenceStore(data_dir)
    stray = store.put(put(tmp_path, "stray.pdf", b"tidak dicatat"))  # a file no row names
    abandoned = store.root / ".masuk-abc123"
    abandoned.write_bytes(b"potongan salinan")
    age_store(data_dir)
    fresh = store.put(put(tmp_path, "baru.pdf", b"baru saja"))

    result = zi("clean")

    assert result.exit_code == 0, result.output
    text = flat(result.output)
    size = len(b"tidak dicatat") + len(b"potongan salinan")
    assert f"2 berkas tak terpakai dibuang dari penyimpanan ({size} B)" in text
    assert "1 berkas tak terpakai baru disimpan kurang dari 1 jam lalu" in text
    assert not store.path_of(stray.stored_path).exists() and not abandoned.exists()
    assert store.path_of(fresh.stored_path).exists()
    assert len(store_files(data_dir)) == 3 + 1  # the three named files and the fresh one
    assert "Tidak ada berkas yang perlu dibuang." in zi("clean").output
