"""Signing in with a link by e-mail: once, for a while, only for team members; sessions that
end; forms that need their token; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from persistence.tables import PortalSession, PortalSignIn
from persistence.unit_of_work import SqlUnitOfWork
from tests.portal.portal_world import PortalWorld, form_token, portal_world

NewUow = Callable[[], SqlUnitOfWork]


@pytest.fixture
def world(new_uow: NewUow, data_dir: Path) -> PortalWorld:
    return portal_world(new_uow)


def test_a_team_member_signs_in_through_the_link_and_lands_on_the_unit(world: PortalWorld) -> None:
    browser = TestClient(world.client.app)
    token = form_token(browser.get("/masuk").text)

    asked = browser.post("/masuk", data={"email": "Siti@Uji.go.id ", "csrf": token})

    assert asked.status_code == 200
    assert "tautan masuk telah dikirim" in asked.text
    (message,) = world.mail.messages
    assert message.recipient == "siti@uji.go.id" and "Masuk ke portal" in message.html
    assert "berlaku sampai" in message.text
    link = world.mail.link_for("siti@uji.go.id")
    shown = browser.get(link)
    assert shown.status_code == 200 and "Tekan tombol di bawah" in shown.text
    assert shown.headers["referrer-policy"] == "no-referrer"
    assert "zi_sesi" not in browser.cookies  # opening the link (a mail scanner) signs no one in

    opened = browser.post(link, data={"csrf": form_token(shown.text)}, follow_redirects=False)

    assert opened.status_code == 303
    cookie = opened.headers["set-cookie"]
    assert "zi_sesi=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = browser.get("/", follow_redirects=False)
    assert home.headers["location"] == f"/unit/{world.agency.units['DPMPTSP']}"
    unit = browser.get(home.headers["location"])
    assert unit.status_code == 200 and "Dinas Penanaman Modal dan PTSP" in unit.text
    assert unit.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in unit.headers["content-security-policy"]


def test_an_unknown_address_gets_the_same_page_and_no_mail(world: PortalWorld) -> None:
    browser = TestClient(world.client.app)
    token = form_token(browser.get("/masuk").text)

    asked = browser.post("/masuk", data={"email": "orang@luar.go.id", "csrf": token})

    assert asked.status_code == 200 and "tautan masuk telah dikirim" in asked.text
    assert world.mail.messages == []


def test_a_link_works_once(world: PortalWorld) -> None:
    world.sign_in("agus@uji.go.id")
    link = world.mail.link_for("agus@uji.go.id")
    other = TestClient(world.client.app)
    token = form_token(other.get(link).text)

    again = other.post(link, data={"csrf": token})

    assert again.status_code == 400 and "sudah dipakai" in again.text
    assert "zi_sesi" not in other.cookies


def test_an_expired_or_altered_link_says_so(world: PortalWorld, new_uow: NewUow) -> None:
    browser = TestClient(world.client.app)
    token = form_token(browser.get("/masuk").text)
    browser.post("/masuk", data={"email": "dewi@uji.go.id", "csrf": token})
    link = world.mail.link_for("dewi@uji.go.id")
    with new_uow() as uow:
        uow.portal._session.execute(  # type: ignore[attr-defined]
            sa.update(PortalSignIn).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        uow.commit()
    token = form_token(browser.get(link).text)

    expired = browser.post(link, data={"csrf": token})
    altered = browser.post(link[:-3] + "abc", data={"csrf": token})

    assert expired.status_code == 400 and "kedaluwarsa" in expired.text
    assert altered.status_code == 400 and "tidak sah" in altered.text


def test_signing_out_ends_the_session(world: PortalWorld, new_uow: NewUow) -> None:
    browser = world.sign_in("rina@uji.go.id")
    cookie = browser.cookies["zi_sesi"]
    page = browser.get("/")
    assert page.status_code == 200 and "Dasbor instansi" in page.text
    token = form_token(page.text)

    left = browser.post("/keluar", data={"csrf": token}, follow_redirects=False)

    assert left.status_code == 303 and left.headers["location"] == "/masuk?keluar=1"
    stale = TestClient(world.client.app, cookies={"zi_sesi": cookie})
    assert stale.get("/", follow_redirects=False).headers["location"] == "/masuk"
    with new_uow() as uow:
        (session,) = uow.portal._session.exec(sa.select(PortalSession)).scalars()  # type: ignore[attr-defined]
        assert session.ended_at is not None


def test_a_form_without_its_token_is_refused(world: PortalWorld) -> None:
    browser = world.sign_in("rina@uji.go.id")

    refused = browser.post("/keluar", data={"csrf": "0" * 32})
    foreign = browser.post(
        "/keluar",
        data={"csrf": form_token(browser.get("/").text)},
        headers={"origin": "https://penyerang.example"},
    )

    assert refused.status_code == 403 and "Formulir kedaluwarsa" in refused.text
    assert foreign.status_code == 403
    assert browser.get("/").status_code == 200  # still signed in


def test_sign_in_requests_are_rate_limited_per_address(world: PortalWorld) -> None:
    browser = TestClient(world.client.app)
    token = form_token(browser.get("/masuk").text)
    answers = [
        browser.post("/masuk", data={"email": "siti@uji.go.id", "csrf": token}).status_code
        for _ in range(6)
    ]

    assert answers == [200] * 5 + [429]
    assert len(world.mail.messages) == 5


def test_a_body_over_the_limit_is_refused_as_it_arrives(
    new_uow: NewUow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.settings import get_settings

    monkeypatch.setenv("ZI_WEB_UPLOAD_MAX_BYTES", "1000")
    get_settings.cache_clear()
    world = portal_world(new_uow)
    browser = world.sign_in("siti@uji.go.id")
    unit_id = world.agency.units["DPMPTSP"]
    token = form_token(browser.get(f"/unit/{unit_id}/lke").text)

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield f"csrf={token}&A.I.1.i.a=".encode()
        for _ in range(20):
            yield b"x" * 1024

    refused = browser.post(
        f"/unit/{unit_id}/lke/A.I.1.i.a",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    # 10 files x 1,000 bytes + 1 MiB for the rest is the limit: 20 KiB pass, 2 MiB do not.
    assert refused.status_code != 413

    def big() -> Iterator[bytes]:
        yield f"csrf={token}&A.I.1.i.a=".encode()
        for _ in range(2048):
            yield b"x" * 1024

    too_big = browser.post(
        f"/unit/{unit_id}/lke/A.I.1.i.a",
        content=big(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert too_big.status_code == 413 and "Berkas terlalu besar" in too_big.text
