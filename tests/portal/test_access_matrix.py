"""Every page of the portal, asked by the wrong person: the routes are read from the app itself,
so a page added later is tried too. A unit team member of the same instansi gets 404 on another
unit's pages and 403 on the TPI's; the TPI of another instansi gets 404 everywhere; nobody
signed in is sent to sign in (GET) or refused (POST)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from persistence.tables import EvidenceDocumentCreate, TeamMemberCreate
from persistence.unit_of_work import SqlUnitOfWork
from tests.builders import candidate_instansi
from tests.portal.portal_world import PortalWorld, form_token, portal_world
from zi_domain.agency import TPI_ROLE

NewUow = Callable[[], SqlUnitOfWork]
PUBLIC = {"/masuk", "/masuk/{token}", "/keluar", "/sehat", "/"}
OTHER_TPI = "tpi@kota-lain.go.id"


@pytest.fixture
def world(new_uow: NewUow, data_dir: Path) -> PortalWorld:
    return portal_world(new_uow)


def guarded_routes(world: PortalWorld) -> list[tuple[str, str]]:
    """(method, path template) of every page that belongs to a unit or an instansi."""
    found = []
    for route in world.client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route) or route.path in PUBLIC:
            continue
        assert re.search(r"\{(unit_id|instansi_id)\}", route.path), route.path
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, route.path))
    return found


def test_every_page_refuses_the_wrong_person(world: PortalWorld, new_uow: NewUow) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    with new_uow() as uow:
        other = candidate_instansi(
            uow, name="Kota Lain", standing_years=(2026,), units={"LAIN": True}, unit_year=2026
        )
        uow.units.add_team_member(
            member=TeamMemberCreate(
                instansi_id=other["instansi"], name="TPI Lain", role=TPI_ROLE, email=OTHER_TPI
            )
        )
        document = uow.evidence.add_document(
            document=EvidenceDocumentCreate(
                unit_id=unit_id,
                code="A.I.1.i.a",
                title="SK",
                location="A.I.1.i/SK.pdf",
                year=2026,
                sha256="ab" * 32,
            )
        )
        (item, _) = uow.work_plans.items(unit_id=unit_id, year=2026)
        uow.commit()
    values = {
        "unit_id": unit_id,
        "instansi_id": world.agency.instansi_id,
        "document_id": document.id,
        "item_id": item.id,
        "code": "A.I.1.i.a",
    }
    dewi = world.sign_in("dewi@uji.go.id")  # DUKCAPIL's team, the same instansi
    stranger = world.sign_in(OTHER_TPI)  # the TPI of another instansi
    anonymous = TestClient(world.client.app)
    routes = guarded_routes(world)
    assert len(routes) >= 15, routes

    for method, template in routes:
        path = template.format(**values)
        own_instansi_page = template.startswith("/instansi/")
        for who, browser, expected in (
            ("dewi", dewi, 403 if own_instansi_page else 404),
            ("stranger", stranger, 404),
        ):
            token = form_token(browser.get("/").text)
            answer = (
                browser.get(path, follow_redirects=False)
                if method == "GET"
                else browser.post(path, data={"csrf": token}, follow_redirects=False)
            )
            assert answer.status_code == expected, (who, method, path, answer.status_code)
        if method == "GET":
            sent = anonymous.get(path, follow_redirects=False)
            assert sent.headers.get("location") == "/masuk", (method, path)
        else:
            assert anonymous.post(path, data={"csrf": "0" * 32}).status_code == 403, path
