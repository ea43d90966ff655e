"""`services.safe_zip` on archives made here: names made safe, what is passed over, clashes
refused, and the folder `zi evidence import` should read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from services.safe_zip import ArchiveRefused, ZipLimits, unpack


def archive(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as opened:
        for name in names:
            if name.endswith("/"):
                opened.writestr(zipfile.ZipInfo(name), b"")
            else:
                opened.writestr(name, f"isi {name}".encode())
    return path


def relative_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_names_are_made_safe_and_leftovers_passed_over(tmp_path: Path) -> None:
    into = tmp_path / "keluar"
    into.mkdir()
    names = [
        "A.I.1.i\\SK 2026-01-05.pdf",
        "./A.I.2.i/Nota\x07 2026-02-01.pdf",
        "__MACOSX/._x",
        "kosong/",
    ]
    unpacked = unpack(archive(tmp_path / "a.zip", names), into, ZipLimits())
    assert unpacked.root == into and unpacked.files == 2
    assert relative_files(into) == ["A.I.1.i/SK 2026-01-05.pdf", "A.I.2.i/Nota_ 2026-02-01.pdf"]


def test_one_top_folder_is_the_root_unless_it_is_a_code_folder(tmp_path: Path) -> None:
    wrapped = tmp_path / "w"
    wrapped.mkdir()
    names = ["bukti/manifest.csv", "bukti/sk.pdf"]
    assert (
        unpack(archive(tmp_path / "w.zip", names), wrapped, ZipLimits()).root == wrapped / "bukti"
    )
    coded = tmp_path / "c"
    coded.mkdir()
    names = ["A.I.1.i/sk 2026-01-05.pdf"]
    assert unpack(archive(tmp_path / "c.zip", names), coded, ZipLimits()).root == coded


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        (["A.I.1.i/sk.pdf", "a.i.1.i/SK.pdf"], "nama ganda"),
        (["A.I.1.i", "A.I.1.i/sk.pdf"], "adalah berkas, bukan folder"),
        (["C:/Windows/sk.pdf"], "jalur absolut"),
        ([], "tidak berisi berkas"),
    ],
)
def test_clashing_or_empty_archives_are_refused(
    tmp_path: Path, names: list[str], problem: str
) -> None:
    into = tmp_path / "keluar"
    into.mkdir()
    with pytest.raises(ArchiveRefused) as refused:
        unpack(archive(tmp_path / "a.zip", names), into, ZipLimits())
    assert any(problem in p for p in refused.value.problems), refused.value.problems
    assert relative_files(into) == []


def test_a_file_that_is_no_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bukan.zip"
    path.write_bytes(b"PK\x03\x04 bukan zip")
    with pytest.raises(ArchiveRefused) as refused:
        unpack(path, tmp_path, ZipLimits())
    assert refused.value.problems[0].startswith("arsip zip rusak atau tidak dapat dibuka")
