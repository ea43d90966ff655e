"""The agency workbook's records into the database and back (SQLite and PostgreSQL): what an import
adds, changes, leaves and misses, that it never deletes, and that a dry run writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from persistence.tables import (
    Instansi,
    InstansiCreate,
    InstansiKind,
    InstansiPrerequisite,
    TeamMember,
    UnitKerja,
    UnitPrerequisite,
)
from persistence.unit_of_work import SqlUnitOfWork
from services.agency import AgencyImport, export_agency, import_agency
from spreadsheets.agency_workbook import read_agency_file, sorted_records, write_agency_workbook
from tests.builders import agency_records
from zi_domain.agency import AgencyRecords

NewUow = Callable[[], SqlUnitOfWork]
AGENCY_TABLES = (Instansi, UnitKerja, TeamMember, InstansiPrerequisite, UnitPrerequisite)

EVERY_RECORD = {
    "instansi KABUJI",
    "unit DPMPTSP",
    "unit DUKCAPIL",
    "unit RSUD",
    "anggota tim bupati@uji.go.id (pimpinan_instansi)",
    "anggota tim rina@uji.go.id (tpi)",
    "anggota tim siti@uji.go.id (kepala_unit, unit DPMPTSP)",
    "anggota tim agus@uji.go.id (anggota_tim, unit DPMPTSP)",
    "anggota tim dewi@uji.go.id (kepala_unit, unit DUKCAPIL)",
    "syarat instansi 2025",
    "syarat unit DPMPTSP 2025",
}


def run_import(new_uow: NewUow, records: AgencyRecords, *, dry_run: bool = False) -> AgencyImport:
    with new_uow() as uow:
        return import_agency(uow, records=records, dry_run=dry_run)


def outcomes(report: AgencyImport) -> dict[str, str]:
    """What each record became, by its name ("unit RSUD" -> "missing")."""
    found: dict[str, str] = {change.what: change.outcome for change in report.changes}
    assert len(found) == len(report.changes), "a record is reported once"
    return found


def details(report: AgencyImport, what: str) -> tuple[str, ...]:
    (change,) = [c for c in report.changes if c.what == what]
    return change.details


def database_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the agency's tables, in id order: equal before and after means untouched."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for model in AGENCY_TABLES:
            table = SQLModel.metadata.tables[str(model.__tablename__)]
            query = select(table).order_by(table.c.id)
            rows[table.name] = [tuple(row) for row in connection.execute(query)]
    return rows


def units_by_code(new_uow: NewUow, code: str = "KABUJI") -> dict[str, UnitKerja]:
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi_by_code(code=code)
        assert instansi is not None and instansi.id is not None
        return {u.code: u for u in uow.units.list_units(instansi_id=instansi.id)}


def members_by_email(new_uow: NewUow) -> dict[str, TeamMember]:
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi_by_code(code="KABUJI")
        assert instansi is not None and instansi.id is not None
        return {m.email: m for m in uow.units.members(instansi_id=instansi.id)}


def test_a_first_import_adds_every_record(new_uow: NewUow) -> None:
    report = run_import(new_uow, agency_records())
    assert report.instansi_code == "KABUJI"
    assert outcomes(report) == dict.fromkeys(EVERY_RECORD, "added")

    units = units_by_code(new_uow)
    assert sorted(units) == ["DPMPTSP", "DUKCAPIL", "RSUD"]
    dpmptsp = units["DPMPTSP"]
    assert dpmptsp.name == "Dinas Penanaman Modal dan PTSP"
    assert dpmptsp.service_types == ["perizinan", "pengaduan"]
    assert (dpmptsp.core_service, dpmptsp.high_corruption_risk, dpmptsp.wide_public_impact) == (
        True,
        True,
        True,
    )
    assert dpmptsp.priority_regional_service is True
    assert {u.state for u in units.values()} == {"declared"}, "ready for designation"
    members = members_by_email(new_uow)
    assert members["siti@uji.go.id"].nip == "198501012010012001"
    assert members["siti@uji.go.id"].unit_id == dpmptsp.id
    assert members["bupati@uji.go.id"].unit_id is None and members["bupati@uji.go.id"].nip is None
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi_by_code(code="KABUJI")
        assert instansi is not None and instansi.id is not None
        assert instansi.head_title == "Bupati Uji" and instansi.head_elected is True
        standing = uow.units.get_prerequisites(unit_id=dpmptsp.id or 0, year=2025)
        assert standing is not None and standing.follow_up_findings_percent == 92.5
        assert uow.instansi.get_prerequisites(instansi_id=instansi.id, year=2025) is not None


def test_a_second_identical_import_changes_nothing(new_uow: NewUow, engine: Engine) -> None:
    run_import(new_uow, agency_records())
    before = database_rows(engine)
    report = run_import(new_uow, agency_records())
    assert outcomes(report) == dict.fromkeys(EVERY_RECORD, "unchanged")
    assert all(change.details == () for change in report.changes)
    assert database_rows(engine) == before


def changed_records() -> AgencyRecords:
    """DPMPTSP renamed, no longer at high risk, with one service type; Siti's NIP corrected;
    DPMPTSP's LHKPN down to 97,5 %."""
    records = agency_records()
    dpmptsp, *other_units = records.units
    units = (
        replace(
            dpmptsp,
            name="Dinas PMPTSP Kabupaten Uji",
            high_corruption_risk=False,
            service_types=("perizinan",),
        ),
        *other_units,
    )
    members = tuple(
        replace(m, nip="198501012010012099") if m.email == "siti@uji.go.id" else m
        for m in records.members
    )
    standings = (replace(records.unit_standings[0], lhkpn_percent=97.5),)
    return replace(records, units=units, members=members, unit_standings=standings)


def test_changed_records_are_reported_with_their_fields(new_uow: NewUow) -> None:
    run_import(new_uow, agency_records())
    report = run_import(new_uow, changed_records())

    changed = {what for what, outcome in outcomes(report).items() if outcome == "changed"}
    assert changed == {
        "unit DPMPTSP",
        "anggota tim siti@uji.go.id (kepala_unit, unit DPMPTSP)",
        "syarat unit DPMPTSP 2025",
    }
    assert details(report, "unit DPMPTSP") == (
        "nama: Dinas PMPTSP Kabupaten Uji",
        "risiko korupsi tinggi: Tidak",
        "jenis layanan: perizinan",
    )
    assert details(report, "anggota tim siti@uji.go.id (kepala_unit, unit DPMPTSP)") == (
        "NIP: 198501012010012099",
    )
    assert details(report, "syarat unit DPMPTSP 2025") == ("LHKPN (%): 97,50",)
    assert len(report.of("unchanged")) == len(EVERY_RECORD) - 3

    dpmptsp = units_by_code(new_uow)["DPMPTSP"]
    assert dpmptsp.name == "Dinas PMPTSP Kabupaten Uji"
    assert dpmptsp.high_corruption_risk is False
    assert dpmptsp.service_types == ["perizinan"]
    assert members_by_email(new_uow)["siti@uji.go.id"].nip == "198501012010012099"
    with new_uow() as uow:
        standing = uow.units.get_prerequisites(unit_id=dpmptsp.id or 0, year=2025)
        assert standing is not None and standing.lhkpn_percent == 97.5


def test_what_the_file_leaves_out_is_reported_missing_and_kept(
    new_uow: NewUow, engine: Engine
) -> None:
    run_import(new_uow, agency_records())
    before = database_rows(engine)
    records = agency_records()
    shorter = replace(
        records,
        units=tuple(u for u in records.units if u.code != "RSUD"),
        members=tuple(m for m in records.members if m.email != "agus@uji.go.id"),
    )
    report = run_import(new_uow, shorter)

    assert {c.what for c in report.of("missing")} == {
        "unit RSUD",
        "anggota tim agus@uji.go.id (anggota_tim, unit DPMPTSP)",
    }
    assert report.of("added") == [] and report.of("changed") == []
    assert database_rows(engine) == before, "nothing is deleted by omission"
    assert "RSUD" in units_by_code(new_uow)
    assert "agus@uji.go.id" in members_by_email(new_uow)


@pytest.mark.parametrize("first_import", [True, False], ids=["empty", "stored"])
def test_a_dry_run_reports_what_an_import_would_and_writes_nothing(
    new_uow: NewUow, engine: Engine, first_import: bool
) -> None:
    if not first_import:
        run_import(new_uow, agency_records())
    records = agency_records() if first_import else changed_records()
    before = database_rows(engine)

    tried = run_import(new_uow, records, dry_run=True)
    assert database_rows(engine) == before
    assert tried.of("added" if first_import else "changed"), "the dry run has something to say"

    done = run_import(new_uow, records)
    assert tried.changes == done.changes
    assert database_rows(engine) != before


def test_export_then_import_changes_nothing(
    new_uow: NewUow, engine: Engine, tmp_path: Path
) -> None:
    run_import(new_uow, agency_records())
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi_by_code(code="KABUJI")
        assert instansi is not None
        exported = export_agency(uow, instansi=instansi)
    assert sorted_records(exported) == sorted_records(agency_records())

    path = tmp_path / "ekspor.xlsx"
    write_agency_workbook(path, exported)
    read_back = read_agency_file([path])
    assert read_back == sorted_records(agency_records())
    before = database_rows(engine)
    report = run_import(new_uow, read_back)
    assert outcomes(report) == dict.fromkeys(EVERY_RECORD, "unchanged")
    assert database_rows(engine) == before


def test_an_instansi_registered_without_a_code_is_adopted_by_its_name(new_uow: NewUow) -> None:
    with new_uow() as uow:
        earlier = uow.instansi.add_instansi(
            instansi=InstansiCreate(
                name="Pemerintah Kabupaten Uji", kind=InstansiKind.PEMERINTAH_DAERAH
            )
        )
        uow.commit()
    report = run_import(new_uow, agency_records())

    assert outcomes(report)["instansi KABUJI"] == "changed"
    assert "kode: KABUJI" in details(report, "instansi KABUJI")
    assert "nama pimpinan: Drs. Budi Santoso" in details(report, "instansi KABUJI")
    with new_uow() as uow:
        (only,) = uow.instansi.all_instansi()
        assert only.id == earlier.id and only.code == "KABUJI"
        assert only.region == "Kabupaten Uji"
    assert sorted(units_by_code(new_uow)) == ["DPMPTSP", "DUKCAPIL", "RSUD"]


def test_an_instansi_name_held_under_another_code_is_refused(
    new_uow: NewUow, engine: Engine
) -> None:
    run_import(new_uow, agency_records())
    before = database_rows(engine)
    with pytest.raises(ValueError, match="KABUJI"):
        run_import(new_uow, agency_records(code="KABUJI2"))
    assert database_rows(engine) == before
