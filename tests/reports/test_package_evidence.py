"""A unit's package carrying its evidence files (issue 13): one folder per indicator, every file's
checksum in the manifest, the package's total size, volumes (jilid) under a size limit, and the
same bytes on every rebuild. Built in memory and read back with zipfile."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import zipfile
from pathlib import Path

import pytest

from reports.archive import Content, ContentChanged, FileOnDisk
from reports.package_store import StoredPackage, store_package, volume_path
from reports.proposal_documents import UnitDossier
from reports.proposal_package import MANIFEST, PackageFiles, unit_package
from tests.domain.worksheets import lke
from tests.reports.test_proposal_package import YEAR, dossier, pdf_text
from zi_domain.evidence import EvidenceDocument, evidence_index
from zi_domain.evidence_files import with_package_paths


def noise(seed: int, size: int) -> bytes:
    """Bytes that deflate cannot shrink, like a scanned PDF or a photo."""
    return random.Random(seed).randbytes(size)


def evidence_dossier(
    contents: dict[tuple[str, str], bytes],
) -> tuple[UnitDossier, dict[str, bytes]]:
    """The test dossier with stored evidence files: (code, original name) → content; returns it
    with the files by their place in the package, as the proposal service reads them."""
    documents = [
        EvidenceDocument(
            code,
            name.rsplit(".", 1)[0],
            2026,
            hashlib.sha256(content).hexdigest(),
            f"{code}/{name}",
            size_bytes=len(content),
            original_name=name,
            stored_path=hashlib.sha256(content).hexdigest(),
        )
        for (code, name), content in contents.items()
    ]
    placed = with_package_paths(documents)
    by_sha = {hashlib.sha256(c).hexdigest(): c for c in contents.values()}
    files = {d.location: by_sha[d.sha256] for d in placed}
    built = dossier(evidence=evidence_index(lke(), placed, year=YEAR))
    return built, files


FILES = {
    ("A.I.1.i", "SK Tim Kerja ZI.pdf"): noise(1, 3000),
    ("A.I.1.i.b", "Notulen rapat (final).pdf"): noise(2, 2000),
    ("A.I.1.ii.a", "SK Tim Kerja ZI.pdf"): noise(3, 1000),  # the same name, another indicator
    ("A.I.1.ii.b", "SK Tim Kerja ZI.pdf"): noise(4, 500),  # the same name and indicator
    ("A.II.1.i", "../../etc/passwd"): noise(5, 100),  # a hostile name, made safe
}


def sha8(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:8]


def store(package: PackageFiles, folder: Path) -> StoredPackage:
    return store_package(
        package.every_file,
        folder=folder / "paket",
        zip_path=folder / "paket.zip",
        top="paket",
        volumes=package.volumes,
    )


def zipped(paths: list[Path]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                assert name not in found
                found[name] = archive.read(name)
    return found


def test_the_package_holds_each_file_under_its_indicator_with_its_checksum(
    tmp_path: Path,
) -> None:
    built, evidence = evidence_dossier(FILES)
    package = unit_package(built, evidence=evidence)

    assert sorted(evidence) == [
        "bukti/A.I.1.i/Notulen-rapat-final.pdf",
        "bukti/A.I.1.i/SK-Tim-Kerja-ZI.pdf",
        f"bukti/A.I.1.ii/SK-Tim-Kerja-ZI-{sha8(FILES[('A.I.1.ii.b', 'SK Tim Kerja ZI.pdf')])}.pdf",
        "bukti/A.I.1.ii/SK-Tim-Kerja-ZI.pdf",
        "bukti/A.II.1.i/passwd",
    ]
    stored = store(package, tmp_path)
    assert stored.volumes == ()
    inside = zipped([stored.zip_path])
    manifest = json.loads(inside[f"paket/{MANIFEST}"])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for name, content in evidence.items():
        assert inside[f"paket/{name}"] == content
        assert (stored.folder / name).read_bytes() == content
        assert listed[name]["sha256"] == hashlib.sha256(content).hexdigest()
        assert listed[name]["bytes"] == len(content)
        assert "jilid" not in listed[name]
    assert manifest["bukti_dukung"] == {"berkas": 5, "bytes": 6600}
    # The manifest gives the size of the files it lists; the package is they and it.
    assert manifest["ukuran_total_bytes"] == sum(entry["bytes"] for entry in listed.values())
    total = manifest["ukuran_total_bytes"] + len(package.manifest)
    assert total == package.total_bytes == stored.total_bytes
    # The evidence index names each document's place in the package.
    index = pdf_text(package.files["indeks-bukti-dukung.pdf"])
    assert "A.I.1.i.b · bukti/A.I.1.i/ Notulen-rapat-final.pdf" in index  # wrapped at "/"


def test_a_rebuild_gives_the_same_bytes(tmp_path: Path) -> None:
    built, evidence = evidence_dossier(FILES)
    first = store(unit_package(built, evidence=evidence, max_bytes=None), tmp_path / "a")
    again_built, again_evidence = evidence_dossier(dict(reversed(list(FILES.items()))))
    second = store(unit_package(again_built, evidence=again_evidence), tmp_path / "b")
    assert first.zip_sha256 == second.zip_sha256
    assert first.zip_path.read_bytes() == second.zip_path.read_bytes()


def test_over_the_limit_the_evidence_is_split_into_volumes_each_within_it(
    tmp_path: Path,
) -> None:
    contents = {(f"A.I.{n}.i", f"bukti {n}.pdf"): noise(n, 200_000) for n in range(1, 7)}
    built, evidence = evidence_dossier(contents)
    documents = store(unit_package(built), tmp_path / "dokumen")
    # Room for the documents and two files of 200,000 bytes in the first volume, two in each
    # further one (three never fit): 6 files → 3 volumes. The estimate of the documents' zipped
    # size is some 17 KB over.
    limit = documents.zip_path.stat().st_size + 2 * 200_300 + 30_000
    package = unit_package(built, evidence=evidence, max_bytes=limit)

    stored = store(package, tmp_path / "split")

    assert stored.volumes == (
        volume_path(stored.zip_path, 2),
        volume_path(stored.zip_path, 3),
    )
    assert stored.volumes[0].name == "paket-jilid-2.zip"
    zips = [stored.zip_path, *stored.volumes]
    assert all(path.stat().st_size <= limit for path in zips)
    # Unpacked together, the volumes are the whole package folder.
    whole = {f"paket/{name}": content for name, content in package.every_file.items()}
    assert zipped(zips) == whole
    manifest = json.loads(package.manifest)
    assert manifest["jilid"] == 3 and manifest["batas_bytes_per_jilid"] == limit
    for number, path in enumerate(zips, start=1):
        with zipfile.ZipFile(path) as archive:
            names = {n.removeprefix("paket/") for n in archive.namelist()} - {MANIFEST}
        assert names == {e["path"] for e in manifest["files"] if e["jilid"] == number}
    with zipfile.ZipFile(stored.zip_path) as archive:
        assert f"paket/{MANIFEST}" in archive.namelist()

    # The same again: every volume byte for byte.
    again = store(unit_package(built, evidence=evidence, max_bytes=limit), tmp_path / "again")
    for first, second in zip(zips, [again.zip_path, *again.volumes], strict=True):
        assert first.read_bytes() == second.read_bytes()

    # A smaller rebuild at the same place leaves no volume of the larger one behind.
    whole = store(unit_package(built, evidence=evidence), tmp_path / "split")
    assert whole.volumes == () and not volume_path(whole.zip_path, 2).exists()


def test_a_file_larger_than_the_limit_gets_a_volume_of_its_own(tmp_path: Path) -> None:
    contents = {
        ("A.I.1.i", "kecil.pdf"): noise(1, 1_000),
        ("A.I.2.i", "besar.pdf"): noise(2, 400_000),  # over the limit alone
        ("A.I.3.i", "kecil lagi.pdf"): noise(3, 1_000),
    }
    built, evidence = evidence_dossier(contents)
    documents = store(unit_package(built), tmp_path / "dokumen")
    limit = documents.zip_path.stat().st_size + 20_000  # the estimate is some 6 KB over
    package = unit_package(built, evidence=evidence, max_bytes=limit)
    volume_of = {e["path"]: e["jilid"] for e in json.loads(package.manifest)["files"]}
    assert volume_of["bukti/A.I.1.i/kecil.pdf"] == 1
    assert volume_of["bukti/A.I.2.i/besar.pdf"] == 2
    assert volume_of["bukti/A.I.3.i/kecil-lagi.pdf"] == 3
    assert package.volumes == (("bukti/A.I.2.i/besar.pdf",), ("bukti/A.I.3.i/kecil-lagi.pdf",))


def test_without_files_the_package_is_as_before() -> None:
    built = dossier()
    assert unit_package(built).files.keys() == unit_package(built, evidence={}).files.keys()
    assert unit_package(dataclasses.replace(built)).volumes == ()


def test_a_file_left_on_disk_is_zipped_as_its_bytes_would_be(tmp_path: Path) -> None:
    contents = {**FILES, ("A.I.3.i", "teks berulang.txt"): b"bukti dukung " * 200_000}
    built, evidence = evidence_dossier(contents)
    on_disk: dict[str, Content] = {}
    for name, content in evidence.items():
        path = tmp_path / "penyimpanan" / hashlib.sha256(content).hexdigest()
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        on_disk[name] = FileOnDisk(path, len(content), hashlib.sha256(content).hexdigest())

    in_memory = store(unit_package(built, evidence=evidence), tmp_path / "a")
    streamed = store(unit_package(built, evidence=on_disk), tmp_path / "b")

    assert streamed.zip_path.read_bytes() == in_memory.zip_path.read_bytes()
    assert streamed.total_bytes == in_memory.total_bytes


def test_a_file_whose_content_changed_leaves_no_package_behind(tmp_path: Path) -> None:
    built, evidence = evidence_dossier(FILES)
    name = sorted(evidence)[0]
    changed = tmp_path / "berubah"
    changed.write_bytes(bytes(len(evidence[name])))  # the same size, other bytes
    on_disk: dict[str, Content] = {
        **evidence,
        name: FileOnDisk(changed, len(evidence[name]), hashlib.sha256(evidence[name]).hexdigest()),
    }

    with pytest.raises(ContentChanged, match="isinya berubah"):
        store(unit_package(built, evidence=on_disk), tmp_path / "paket")

    assert list((tmp_path / "paket").iterdir()) == []


def test_a_hasil_items_evidence_has_its_folder_and_section() -> None:
    built, evidence = evidence_dossier({("B.I.b", "Laporan Kinerja 2025.pdf"): noise(9, 700)})
    assert list(evidence) == ["bukti/B.I.b/Laporan-Kinerja-2025.pdf"]
    package = unit_package(built, evidence=evidence)
    index = pdf_text(package.files["indeks-bukti-dukung.pdf"])
    assert "Hasil (1 dokumen)" in index and "B.I.b Capaian Kinerja Lebih Baik" in index
    assert "0 dokumen untuk 0 dari 42 indikator" in index
    assert json.loads(package.manifest)["bukti_dukung"] == {"berkas": 1, "bytes": 700}


def test_what_deflate_cannot_shrink_is_stored_and_the_rest_deflated(tmp_path: Path) -> None:
    text = b"bukti dukung " * 20_000  # repeats: deflates to a few hundred bytes
    built, evidence = evidence_dossier(
        {("A.I.1.i", "foto.jpg"): noise(7, 200_000), ("A.I.3.i", "notulen.txt"): text}
    )

    package = store(unit_package(built, evidence=evidence), tmp_path)

    with zipfile.ZipFile(package.zip_path) as archive:
        entries = {i.filename.rsplit("/", 1)[-1]: i for i in archive.infolist()}
        assert archive.testzip() is None
    photo, minutes = entries["foto.jpg"], entries["notulen.txt"]
    assert photo.compress_type == zipfile.ZIP_STORED and photo.compress_size == 200_000
    assert minutes.compress_type == zipfile.ZIP_DEFLATED
    assert minutes.compress_size < len(text) / 100
