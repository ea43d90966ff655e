"""A proposal's package carrying the unit's evidence files, on SQLite and PostgreSQL: the files
imported with `import_evidence` are in the zip under their indicator with their checksums in
the manifest, split into volumes at the configured limit, the same on a rebuild; a stored file
gone from the store refuses the package and writes nothing."""

# The units come from the monitoring tests' `period` fixture, imported by name.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import json
import random
import zipfile
from pathlib import Path

import pytest
from rich.console import Console

from config.settings import get_settings
from persistence.evidence_store import STORE_FOLDER
from services.evidence import EvidenceRequest, import_evidence
from services.proposals import ProposalRefused, ProposalStart
from tests.domain.worksheets import lke
from tests.services.test_monitoring_service import (
    YEAR,
    NewUow,
    period,  # noqa: F401 (a fixture)
)
from tests.services.test_proposal_service import monitored, propose
from zi_cli.proposals import print_start
from zi_domain.indonesian import ukuran
from zi_domain.predicates import Predicate

FILES = {
    f"A.I.1.i/SK Tim Kerja {YEAR}-01-05.pdf": 30_000,
    f"A.I.1.ii/Rencana kerja {YEAR}-01-20.pdf": 30_000,
    f"A.II.1.i/Foto sosialisasi {YEAR - 1}-11-20.jpg": 30_000,
}


def with_evidence(new_uow: NewUow, unit_id: int, folder: Path, data_dir: Path) -> dict[str, bytes]:
    """The unit's evidence folder imported; each file's content by its name."""
    contents = {}
    for n, (name, size) in enumerate(FILES.items()):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        contents[path.name] = random.Random(n).randbytes(size)
        path.write_bytes(contents[path.name])
    with new_uow() as uow:
        unit = uow.units.get_unit(unit_id=unit_id)
        assert unit is not None
        request = EvidenceRequest(unit.code, lke(), YEAR, "test")
        import_evidence(uow, folder=folder, request=request, data_dir=data_dir)
    return contents


def read_back(start: ProposalStart) -> dict[str, bytes]:
    assert start.package is not None
    found: dict[str, bytes] = {}
    for path in (start.package, *start.volumes):
        with zipfile.ZipFile(path) as archive:
            found |= {n.split("/", 1)[1]: archive.read(n) for n in archive.namelist()}
    return found


def test_the_package_carries_the_evidence_files_and_splits_at_the_limit(
    new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    ids = monitored(new_uow, period, tmp_path)
    contents = with_evidence(new_uow, ids["SIAP"], tmp_path / "bukti-siap", tmp_path)

    whole = propose(new_uow, ids["SIAP"], tmp_path)

    assert whole.package is not None and whole.volumes == ()
    inside = read_back(whole)
    evidence = {name: content for name, content in inside.items() if name.startswith("bukti/")}
    assert sorted(evidence) == [
        f"bukti/A.I.1.i/SK-Tim-Kerja-{YEAR}-01-05.pdf",
        f"bukti/A.I.1.ii/Rencana-kerja-{YEAR}-01-20.pdf",
        f"bukti/A.II.1.i/Foto-sosialisasi-{YEAR - 1}-11-20.jpg",
    ]
    assert sorted(evidence.values()) == sorted(contents.values())
    manifest = json.loads(inside["manifest.json"])
    for entry in manifest["files"]:
        assert hashlib.sha256(inside[entry["path"]]).hexdigest() == entry["sha256"]
    assert manifest["bukti_dukung"] == {"berkas": 3, "bytes": 90_000}
    assert whole.total_bytes == sum(len(content) for content in inside.values())

    # A limit that leaves room in the first volume for the documents and one file: the other
    # two go into a second volume (or more, as the limit allows).
    limit = whole.package.stat().st_size - 2 * 30_000 + 10_000
    split = propose(new_uow, ids["SIAP"], tmp_path, new_revision=True, package_max_bytes=limit)

    assert split.package is not None and split.package.name.endswith("-WBK-r2.zip")
    assert split.volumes and [v.name for v in split.volumes] == [
        split.package.name.replace(".zip", f"-jilid-{n}.zip")
        for n in range(2, len(split.volumes) + 2)
    ]
    assert all(p.stat().st_size <= limit for p in (split.package, *split.volumes))
    again = read_back(split)
    assert {n: c for n, c in again.items() if n.startswith("bukti/")} == evidence
    # The evidence keeps its checksums from one build to the next.
    split_manifest = json.loads(again["manifest.json"])
    checksums = {e["path"]: e["sha256"] for e in split_manifest["files"]}
    assert all(
        checksums[e["path"]] == e["sha256"] for e in manifest["files"] if "bukti/" in e["path"]
    )
    assert split.proposal.package_sha256 == hashlib.sha256(split.package.read_bytes()).hexdigest()

    # A rerun keeps the draft and names its volumes.
    kept = propose(new_uow, ids["SIAP"], tmp_path, package_max_bytes=limit)
    assert not kept.created and kept.volumes == split.volumes


def test_a_file_gone_from_the_store_refuses_the_package_and_writes_nothing(
    new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    ids = monitored(new_uow, period, tmp_path)
    with_evidence(new_uow, ids["SIAP"], tmp_path / "bukti-siap", tmp_path)
    stored = sorted(p for p in (tmp_path / STORE_FOLDER).rglob("*") if p.is_file())
    stored[0].unlink()

    with pytest.raises(ProposalRefused, match="tidak ada lagi di penyimpanan bukti dukung"):
        propose(new_uow, ids["SIAP"], tmp_path)

    assert not (tmp_path / "usulan").exists()
    with new_uow() as uow:
        assert (
            uow.proposals.latest_proposal(unit_id=ids["SIAP"], year=YEAR, predicate=Predicate.WBK)
            is None
        )


def test_zi_propose_prints_the_size_and_every_volume(
    new_uow: NewUow,
    period: tuple[int, dict[str, int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = monitored(new_uow, period, tmp_path)
    with_evidence(new_uow, ids["SIAP"], tmp_path / "bukti-siap", tmp_path)
    monkeypatch.setenv("ZI_PACKAGE_MAX_BYTES", "150000")
    get_settings.cache_clear()
    start = propose(new_uow, ids["SIAP"], tmp_path, package_max_bytes=150_000)
    with new_uow() as uow:
        unit = uow.units.get_unit(unit_id=ids["SIAP"])
    assert unit is not None and start.total_bytes is not None
    console = Console(record=True, width=80)

    print_start(console, unit, start)

    lines = console.export_text().splitlines()
    assert str(start.volumes[0]) in lines  # alone on its line, whole
    assert f"Jilid {len(start.volumes) + 1}:" in lines
    assert (
        f"Ukuran paket: {ukuran(start.total_bytes)} dalam {len(start.volumes) + 1} jilid "
        "(batas 146,5 KB per jilid)."
    ) in lines
