"""`zi propose`, `zi proposals`, `zi submit`, `zi tpn-result`: proposals to TPN from the shell.

They run the same services as the flows (no Prefect server needed) on the configured database.
A refusal or a bad name is a message about the user's data, in Indonesian; bad input exits 2.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from config.framework_files import load_framework
from config.settings import get_settings
from persistence.tables import Instansi, UnitKerja
from persistence.unit_of_work import SqlUnitOfWork, default_unit_of_work
from services.proposals import ProposalStart, propose_unit
from zi_domain.indonesian import angka, tanggal
from zi_domain.lifecycle import UnitState
from zi_domain.proposal import PROPOSAL_STATE_LABELS, ProposalState

unit_of_work = default_unit_of_work  # the same database the flows use


class NotFoundInData(LookupError):
    """A unit or instansi named on the command line that the database does not hold."""


def find_instansi(uow: SqlUnitOfWork, name: str) -> Instansi:
    found = uow.instansi.get_instansi_by_name(name=name)
    if found is None and name.isdigit():
        found = uow.instansi.get_instansi(instansi_id=int(name))
    if found is None:
        known = ", ".join(sorted(i.name for i in uow.instansi.all_instansi())) or "belum ada"
        raise NotFoundInData(f"--instansi {name!r}: instansi tidak ditemukan (yang ada: {known})")
    return found


def find_unit(uow: SqlUnitOfWork, code: str, instansi: str | None) -> UnitKerja:
    """A unit by its code within the instansi, or by its number (id)."""
    if instansi is not None:
        owner = find_instansi(uow, instansi)
        assert owner.id is not None
        unit = uow.units.get_unit_by_code(instansi_id=owner.id, code=code)
    else:
        matches = [
            u
            for i in uow.instansi.all_instansi()
            if i.id is not None and (u := uow.units.get_unit_by_code(instansi_id=i.id, code=code))
        ]
        if len(matches) > 1:
            raise NotFoundInData(
                f"--unit {code!r}: kode dipakai di {len(matches)} instansi; sebutkan --instansi"
            )
        unit = matches[0] if matches else None
    if unit is None and code.isdigit():
        unit = uow.units.get_unit(unit_id=int(code))
    if unit is None:
        raise NotFoundInData(f"--unit {code!r}: unit kerja tidak ditemukan")
    return unit


def propose_one(
    uow: SqlUnitOfWork,
    unit: UnitKerja,
    *,
    year: int,
    as_of: date,
    predicate: str | None,
    new_revision: bool,
) -> ProposalStart:
    assert unit.id is not None
    settings = get_settings()
    return propose_unit(
        uow,
        unit_id=unit.id,
        year=year,
        as_of=as_of,
        actor="Koordinator ZI (zi propose)",
        framework=load_framework(),
        data_dir=settings.data_dir,
        predicate=predicate,
        new_revision=new_revision,
    )


def candidates(uow: SqlUnitOfWork, instansi: Instansi) -> list[UnitKerja]:
    """The units a whole-instansi run tries: those under TPI evaluation (the lifecycle decides)."""
    assert instansi.id is not None
    return uow.units.list_units(instansi_id=instansi.id, state=UnitState.UNDER_TPI_EVALUATION)


def proposals_table(
    uow: SqlUnitOfWork, *, instansi: Instansi | None, year: int | None, history: bool
) -> Table:
    rows = uow.proposals.proposals_of(
        instansi_id=instansi.id if instansi is not None else None, year=year
    )
    table = Table(title="Usulan ke TPN")
    for column, justify in (
        ("Tahun", "right"),
        ("Unit kerja", "left"),
        ("Predikat", "center"),
        ("Rev.", "right"),
        ("Status", "left"),
        ("Nilai TPI", "right"),
        ("Paket", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for proposal, unit in rows:
        if proposal.state == ProposalState.SUPERSEDED and not history:
            continue
        table.add_row(
            str(proposal.year),
            f"{unit.name} ({unit.code})",
            proposal.predicate.value,
            str(proposal.revision),
            PROPOSAL_STATE_LABELS[ProposalState(proposal.state)],
            angka(proposal.tpi_total) if proposal.tpi_total is not None else "-",
            proposal.package_path or "-",
        )
        if history and proposal.id is not None:
            for event in uow.proposals.proposal_events(proposal_id=proposal.id):
                table.add_row(
                    "",
                    f"  {tanggal(event.occurred_at.date())}: {event.actor}",
                    "",
                    "",
                    f"  → {PROPOSAL_STATE_LABELS[ProposalState(event.to_state)]}",
                    "",
                    "",
                )
    return table


def print_start(console: Console, unit: UnitKerja, start: ProposalStart) -> None:
    proposal = start.proposal
    verb = (
        "dibuat" if start.created else "sudah ada (tidak diubah; --revisi-baru untuk membuat ulang)"
    )
    package = Path(start.package) if start.package else None
    console.print(
        f"[green]{unit.name}[/] ({unit.code}): usulan {proposal.predicate.value} tahun "
        f"{proposal.year} revisi {proposal.revision} {verb}.\n  Paket: {package}",
        highlight=False,
    )
