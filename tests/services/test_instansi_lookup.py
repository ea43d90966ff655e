"""An instansi named by a person that the database does not hold (SQLite and PostgreSQL): the
message lists the known ones while they are few, and only the look-alikes when they are many."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from persistence.tables import InstansiCreate, InstansiKind
from persistence.unit_of_work import SqlUnitOfWork
from services.lookup import KNOWN_LISTED, NotFoundInData, find_instansi

NewUow = Callable[[], SqlUnitOfWork]


def register(new_uow: NewUow, codes: list[str]) -> None:
    with new_uow() as uow:
        for code in codes:
            uow.instansi.add_instansi(
                instansi=InstansiCreate(
                    code=code, name=f"Instansi {code}", kind=InstansiKind.PEMERINTAH_DAERAH
                )
            )
        uow.commit()


def refusal(new_uow: NewUow, typed: str) -> str:
    with new_uow() as uow, pytest.raises(NotFoundInData) as refused:
        find_instansi(uow, typed)
    return str(refused.value)


def test_a_few_instansi_are_all_listed(new_uow: NewUow) -> None:
    register(new_uow, ["KABUJI", "KOTAUJI"])
    assert refusal(new_uow, "KABLAIN") == (
        "instansi 'KABLAIN' tidak ditemukan (yang ada: KABUJI, KOTAUJI)"
    )


def test_among_many_only_the_look_alikes_are_named(new_uow: NewUow) -> None:
    codes = [f"KAB-{number:03d}" for number in range(1, 301)] + ["KOTA-BANDUNG"]
    assert len(codes) > KNOWN_LISTED
    register(new_uow, codes)
    message = refusal(new_uow, "kota-bandng")
    assert message == (
        "instansi 'kota-bandng' tidak ditemukan (mungkin: KOTA-BANDUNG; 301 instansi terdaftar)"
    )
    assert "KAB-001" not in message
    unlike = refusal(new_uow, "PROVINSI-XYZ")
    assert unlike == "instansi 'PROVINSI-XYZ' tidak ditemukan (301 instansi terdaftar; " + (
        "tidak ada kode yang mirip)"
    )


def test_none_registered_says_how_to_register(new_uow: NewUow) -> None:
    assert refusal(new_uow, "KABUJI") == (
        "instansi 'KABUJI' tidak ditemukan (yang ada: belum ada; daftarkan dengan "
        "`zi agency import`)"
    )
