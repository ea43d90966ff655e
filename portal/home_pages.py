"""The first page after signing in: a unit team member with one unit goes straight to it; anyone
else sees the units they may open, and a TPI member their instansi's pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from persistence.tables import Instansi, UnitKerja
from portal.web import go, portal_of, render, signed_in


def home(request: Request) -> Response:
    viewer = signed_in(request)
    if not viewer.tpi_of and len(viewer.team_units) == 1:
        (unit_id,) = viewer.team_units
        return go(f"/unit/{unit_id}")
    instansi: list[tuple[Instansi, list[UnitKerja]]] = []
    team: list[UnitKerja] = []
    with portal_of(request).new_uow() as uow:
        for instansi_id in sorted(viewer.tpi_of):
            found = uow.instansi.get_instansi(instansi_id=instansi_id)
            if found is not None:
                instansi.append((found, uow.units.list_units(instansi_id=instansi_id)))
        for unit_id in sorted(viewer.team_units):
            unit = uow.units.get_unit(unit_id=unit_id)
            if unit is not None and unit.instansi_id not in viewer.tpi_of:
                team.append(unit)
    return render(request, "beranda.html.j2", title="Beranda", instansi=instansi, team=team)


routes = [Route("/", home, methods=["GET"])]
