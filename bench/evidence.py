"""Benchmark: one evidence import of 5,000 files (2 GiB) with `services.evidence.import_evidence`,
beside hashing the same files bare (sha256, 1 MiB reads); and the same files written as a
package split into volumes (`reports.package_store.store_package`, streamed from disk).

The import checks the whole folder (codes, dates, sizes, links), copies each file into the
evidence store while hashing it, records 5,000 rows and commits once. Files are incompressible
(random bytes, like scans and photos), spread over the LKE's 42 indicators. Each measurement
runs in a fresh process (so that `ru_maxrss` is its own peak) on a freshly migrated database:
SQLite (a temporary file), and the empty PostgreSQL database `--database-url` names. Figures are
the fastest of `--repeat` runs.

    python bench/evidence.py [--files 5000] [--mib 2048] [--repeat 1] [--volume-mib 500]
                             [--database-url postgresql+psycopg://.../empty_database]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from config.framework_files import load_framework
from persistence.database import make_engine
from persistence.migrate import upgrade_database
from persistence.tables import InstansiCreate, InstansiKind, UnitKerjaCreate
from persistence.unit_of_work import SqlUnitOfWork
from reports.archive import Content, FileOnDisk, content_size
from reports.package_store import store_package
from services.evidence import EvidenceRequest, import_evidence
from zi_domain.evidence_files import split_volumes

_CHUNK = 1 << 20


def write_folder(folder: Path, files: int, total: int) -> None:
    codes = [i.code for i in load_framework(None).indicators]
    size = total // files
    for n in range(files):
        path = folder / codes[n % len(codes)] / f"dokumen {n:05d} {date(2026, 1 + n % 12, 1)}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))


def prepare(url_text: str) -> None:
    url = make_url(url_text)
    upgrade_database(url)
    engine = make_engine(url)
    with SqlUnitOfWork(engine) as uow:
        instansi = uow.instansi.add_instansi(
            instansi=InstansiCreate(name="Bench", code="BENCH", kind=InstansiKind.PEMERINTAH_DAERAH)
        )
        assert instansi.id is not None
        uow.units.add_unit(
            unit=UnitKerjaCreate(
                instansi_id=instansi.id, code="UPT", name="UPT", state="developing"
            )
        )
        uow.commit()
    engine.dispose()


def clear(url_text: str) -> None:
    """The database emptied for the next run: every table dropped."""
    engine = make_engine(make_url(url_text))
    metadata = sa.MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()


def run_import(url_text: str, folder: str, data_dir: str) -> tuple[float, int]:
    engine = make_engine(make_url(url_text))
    request = EvidenceRequest("UPT", load_framework(None), 2026, "bench", instansi="BENCH")
    started = time.perf_counter()
    with SqlUnitOfWork(engine) as uow:
        imported = import_evidence(
            uow, folder=Path(folder), request=request, data_dir=Path(data_dir)
        )
    elapsed = time.perf_counter() - started
    assert imported.added == imported.files
    engine.dispose()
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_bare(_url: str, folder: str, _data_dir: str) -> tuple[float, int]:
    started = time.perf_counter()
    for path in sorted(Path(folder).rglob("*.pdf")):
        digest = hashlib.sha256()
        with path.open("rb") as file:
            while chunk := file.read(_CHUNK):
                digest.update(chunk)
    elapsed = time.perf_counter() - started
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_copy_bare(_volume_bytes: str, folder: str, out: str) -> tuple[float, int]:
    """The package's floor: the files written twice (its folder and its zips), hashed once."""
    started = time.perf_counter()
    for number, path in enumerate(sorted(Path(folder).rglob("*.pdf"))):
        digest = hashlib.sha256()
        with (
            path.open("rb") as file,
            (Path(out) / f"a{number}").open("wb") as first,
            (Path(out) / f"b{number}").open("wb") as second,
        ):
            while chunk := file.read(_CHUNK):
                digest.update(chunk)
                first.write(chunk)
                second.write(chunk)
    elapsed = time.perf_counter() - started
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_package(volume_bytes: str, folder: str, out: str) -> tuple[float, int]:
    """The files as a package's evidence (bukti/<indicator>/<name>), split into volumes."""
    files: dict[str, Content] = {}
    for path in sorted(Path(folder).rglob("*.pdf")):
        name = f"bukti/{path.parent.name}/{path.name.replace(' ', '-')}"
        files[name] = FileOnDisk(path, path.stat().st_size, _sha256(path))
    sizes = [(name, content_size(content)) for name, content in files.items()]
    volumes = split_volumes(0, sizes, int(volume_bytes))
    started = time.perf_counter()
    stored = store_package(
        files,
        folder=Path(out) / "paket",
        zip_path=Path(out) / "paket.zip",
        top="paket",
        volumes=volumes[1:],
    )
    elapsed = time.perf_counter() - started
    assert len(stored.volumes) == len(volumes) - 1
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _fresh(task: Callable[..., tuple[float, int]], *args: str) -> tuple[float, int]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(task, *args).result()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--mib", type=int, default=2_048)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--volume-mib", type=int, default=500)
    parser.add_argument(
        "--database-url",
        help="an EMPTY PostgreSQL database to measure too (its tables are dropped after each run)",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        base = Path(temporary)
        folder = base / "bukti"
        write_folder(folder, options.files, options.mib * 2**20)
        print(f"{options.files} files, {options.mib} MiB")
        bare = min(_fresh(run_bare, "", str(folder), "") for _ in range(options.repeat))
        print(f"sha256 bare: {bare[0]:.2f} s, peak RSS {bare[1] / 1024:.0f} MiB")
        urls = {"sqlite": f"sqlite:///{base / 'zi.db'}"}
        if options.database_url:
            urls[make_url(options.database_url).get_backend_name()] = options.database_url
        for backend, url in urls.items():
            samples = []
            for run in range(options.repeat):
                data_dir = base / f"data-{backend}-{run}"
                prepare(url)
                samples.append(_fresh(run_import, url, str(folder), str(data_dir)))
                shutil.rmtree(data_dir, ignore_errors=True)
                clear(url)
            best = min(samples)
            print(f"import_evidence {backend}: {best[0]:.2f} s, peak RSS {best[1] / 1024:.0f} MiB")
        limit = str(options.volume_mib * 2**20)
        floor = base / "salinan"
        floor.mkdir()
        copied = _fresh(run_copy_bare, limit, str(folder), str(floor))
        shutil.rmtree(floor)
        print(
            f"copy bare (written twice, hashed once): {copied[0]:.2f} s, "
            f"peak RSS {copied[1] / 1024:.0f} MiB"
        )
        out = base / "paket"
        out.mkdir()
        packed = _fresh(run_package, limit, str(folder), str(out))
        volumes = len(list(out.glob("*.zip")))
        print(
            f"store_package, {volumes} volumes of at most {options.volume_mib} MiB: "
            f"{packed[0]:.2f} s, peak RSS {packed[1] / 1024:.0f} MiB"
        )


if __name__ == "__main__":
    main()
