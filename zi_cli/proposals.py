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
from zi_cli.output import shown
from zi_domain.indonesian import angka, tanggal
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
        ("Nilai TPN", "right"),
        ("Paket", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for proposal, unit in rows:
        if proposal.state == ProposalState.SUPERSEDED and not history:
            continue
        table.add_row(
            str(proposal.year),
            f"{shown(unit.name)} ({shown(unit.code)})",
            proposal.predicate.value,
            str(proposal.revision),
            PROPOSAL_STATE_LABELS[ProposalState(proposal.state)],
            angka(proposal.tpi_total) if proposal.tpi_total is not None else "-",
            angka(proposal.tpn_total) if proposal.tpn_total is not None else "-",
            shown(proposal.package_path or "-"),
        )
        if history and proposal.id is not None:
            for event in uow.proposals.proposal_events(proposal_id=proposal.id):
                table.add_row(
                    "",
                    f"  {tanggal(event.occurred_at.date())}: {shown(event.actor)}",
                    "",
                    "",
                    f"  → {PROPOSAL_STATE_LABELS[ProposalState(event.to_state)]}",
                    "",
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
        f"[green]{shown(unit.name)}[/] ({shown(unit.code)}): usulan {proposal.predicate.value} "
        f"tahun {proposal.year} revisi {proposal.revision} {verb}.\n  Paket: {shown(package)}",
        highlight=False,
    )
