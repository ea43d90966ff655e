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
from services.lookup import NotFoundInData, find_instansi, find_unit
from services.proposals import ProposalStart, propose_unit
from zi_cli.output import print_path, shown
from zi_domain.indonesian import angka, tanggal, ukuran
from zi_domain.lifecycle import UnitState
from zi_domain.proposal import PROPOSAL_STATE_LABELS, ProposalState

unit_of_work = default_unit_of_work  # the same database the flows use

__all__ = ["NotFoundInData", "find_instansi", "find_unit", "unit_of_work"]


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
        evidence_max_age_years=settings.evidence_max_age_years,
        package_max_bytes=settings.package_max_bytes,
    )


def candidates(uow: SqlUnitOfWork, instansi: Instansi) -> list[UnitKerja]:
    """The units a whole-instansi run tries: those under TPI evaluation (the lifecycle decides)."""
    assert instansi.id is not None
    return uow.units.list_units(instansi_id=instansi.id, state=UnitState.UNDER_TPI_EVALUATION)


def proposals_table(
    uow: SqlUnitOfWork, *, instansi: Instansi | None, year: int | None, history: bool
) -> tuple[Table, list[tuple[str, str]]]:
    """The proposals as a table that fits 80 columns, and each package path with its label, to
    be printed whole below the table (a path in a cell breaks mid-word and cannot be copied)."""
    rows = uow.proposals.proposals_of(
        instansi_id=instansi.id if instansi is not None else None, year=year
    )
    table = Table(
        title="Usulan ke TPN",
        expand=True,
        caption="Usulan: tahun, predikat, revisi (r); nilai total TPI dan TPN",
    )
    table.add_column("Unit kerja", overflow="fold", ratio=3)
    table.add_column("Usulan", no_wrap=True)
    table.add_column("Status", ratio=3)
    table.add_column("TPI", justify="right", no_wrap=True)
    table.add_column("TPN", justify="right", no_wrap=True)
    packages: list[tuple[str, str]] = []
    for proposal, unit in rows:
        if proposal.state == ProposalState.SUPERSEDED and not history:
            continue
        table.add_row(
            f"{shown(unit.name)} ({shown(unit.code)})",
            f"{proposal.year} {proposal.predicate.value} r{proposal.revision}",
            PROPOSAL_STATE_LABELS[ProposalState(proposal.state)],
            angka(proposal.tpi_total) if proposal.tpi_total is not None else "-",
            angka(proposal.tpn_total) if proposal.tpn_total is not None else "-",
        )
        if proposal.package_path:
            packages.append(
                (
                    f"Paket {unit.code} {proposal.predicate.value} {proposal.year} "
                    f"revisi {proposal.revision}:",
                    proposal.package_path,
                )
            )
        if history and proposal.id is not None:
            for event in uow.proposals.proposal_events(proposal_id=proposal.id):
                table.add_row(
                    f"  {tanggal(event.occurred_at.date())}: {shown(event.actor)}",
                    "",
                    f"  → {PROPOSAL_STATE_LABELS[ProposalState(event.to_state)]}",
                    "",
                    "",
                )
    return table, packages


def print_start(console: Console, unit: UnitKerja, start: ProposalStart) -> None:
    proposal = start.proposal
    verb = (
        "dibuat" if start.created else "sudah ada (tidak diubah; --revisi-baru untuk membuat ulang)"
    )
    console.print(
        f"[green]{shown(unit.name)}[/] ({shown(unit.code)}): usulan {proposal.predicate.value} "
        f"tahun {proposal.year} revisi {proposal.revision} {verb}.",
        highlight=False,
    )
    if start.package:
        print_path("Paket:", Path(start.package), to=console)
    for number, volume in enumerate(start.volumes, start=2):
        print_path(f"Jilid {number}:", volume, to=console)
    if start.total_bytes is not None:
        limit = get_settings().package_max_bytes
        split = f" dalam {len(start.volumes) + 1} jilid" if start.volumes else ""
        most = f" (batas {ukuran(limit)} per jilid)" if limit is not None else ""
        console.print(f"Ukuran paket: {ukuran(start.total_bytes)}{split}{most}.", highlight=False)
