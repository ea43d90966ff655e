"""Records with a text longer than its database column (records not read from a file, which
`read_agency_file` would have refused at the cell) are refused by the import before it writes
anything, on SQLite (which would store them) and PostgreSQL (which would fail mid-import); an
existing unit renamed too long too, where no model validates the new value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select

from persistence.tables import Instansi, TeamMember, UnitKerja
from persistence.unit_of_work import SqlUnitOfWork
from services.agency import AgencyRefused, import_agency
from tests.builders import agency_records
from zi_domain.agency import AgencyRecords

NewUow = Callable[[], SqlUnitOfWork]
BASE = agency_records()
LONG = "Nama " * 60  # 300 characters


def stored(engine: Engine) -> tuple[int, int, int, list[str]]:
    with engine.connect() as connection:
        count = [
            int(connection.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (Instansi, UnitKerja, TeamMember)
        ]
        names = list(connection.execute(select(UnitKerja.name)).scalars())  # type: ignore[call-overload]
    return count[0], count[1], count[2], sorted(names)


def refused(new_uow: NewUow, records: AgencyRecords) -> str:
    with new_uow() as uow, pytest.raises(AgencyRefused) as raised:
        import_agency(uow, records=records, dry_run=False)
    return str(raised.value)


@pytest.mark.parametrize(
    ("records", "message"),
    [
        (
            replace(BASE, instansi=replace(BASE.instansi, head_title=LONG)),
            "instansi KABUJI: jabatan pimpinan terlalu panjang (300 karakter), paling banyak 255 "
            "karakter",
        ),
        (
            replace(BASE, units=(*BASE.units, replace(BASE.units[0], code="K" * 100))),
            f"unit {'K' * 39}…: kode terlalu panjang (100 karakter), paling banyak 64 karakter",
        ),
        (
            replace(BASE, members=(*BASE.members, replace(BASE.members[0], name=LONG))),
            "anggota tim bupati@uji.go.id (pimpinan_instansi): nama terlalu panjang (300 "
            "karakter), paling banyak 255 karakter",
        ),
    ],
    ids=["instansi", "unit", "member"],
)
def test_a_text_too_long_is_refused_before_anything_is_written(
    new_uow: NewUow, engine: Engine, records: AgencyRecords, message: str
) -> None:
    assert refused(new_uow, records) == message
    assert stored(engine) == (0, 0, 0, [])


def test_an_existing_unit_renamed_too_long_is_refused_and_kept(
    new_uow: NewUow, engine: Engine
) -> None:
    with new_uow() as uow:
        import_agency(uow, records=BASE, dry_run=False)
    before = stored(engine)
    renamed = replace(BASE, units=(replace(BASE.units[0], name=LONG), *BASE.units[1:]))
    assert refused(new_uow, renamed).startswith("unit DPMPTSP: nama terlalu panjang (300 ")
    assert stored(engine) == before
    # As long as the column: stored as it is.
    fits = replace(BASE, units=(replace(BASE.units[0], name=LONG[:255]), *BASE.units[1:]))
    with new_uow() as uow:
        import_agency(uow, records=fits, dry_run=False)
    assert LONG[:255] in stored(engine)[3]
