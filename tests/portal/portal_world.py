"""A portal on a real database (SQLite and PostgreSQL) with the registered test agency, and a
mail box that keeps what the portal sends (delivery itself is tested in tests/notifications)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from starlette.testclient import TestClient

from config.settings import get_settings
from notifications.messages import OutgoingMessage
from persistence.unit_of_work import SqlUnitOfWork
from portal.app import create_app
from tests.builders import Agency, registered_agency

LINK = re.compile(r"http://127\.0\.0\.1:8000(/masuk/[A-Za-z0-9_\-.]+)")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass
class MailBox:
    messages: list[OutgoingMessage] = field(default_factory=list)

    async def send(self, messages: Sequence[OutgoingMessage]) -> None:
        self.messages.extend(messages)

    def link_for(self, email: str) -> str:
        """The path of the latest sign-in link sent to `email`."""
        sent = [m for m in self.messages if m.recipient == email]
        assert sent, f"no message to {email}"
        found = LINK.search(sent[-1].text)
        assert found, sent[-1].text
        return found.group(1)


@dataclass
class PortalWorld:
    agency: Agency
    client: TestClient
    mail: MailBox
    new_uow: Callable[[], SqlUnitOfWork]

    def sign_in(self, email: str, client: TestClient | None = None) -> TestClient:
        """Signs `email` in on `client` (a new browser by default) through the e-mailed link."""
        browser = client or TestClient(self.client.app)
        token = form_token(browser.get("/masuk").text)
        browser.post("/masuk", data={"email": email, "csrf": token})
        link = self.mail.link_for(email)
        token = form_token(browser.get(link).text)
        opened = browser.post(link, data={"csrf": token}, follow_redirects=False)
        assert opened.status_code == 303, opened.text
        return browser


def form_token(page: str) -> str:
    """The CSRF token of the page's first form."""
    found = CSRF.search(page)
    assert found, page
    return found.group(1)


def portal_world(new_uow: Callable[[], SqlUnitOfWork]) -> PortalWorld:
    agency = registered_agency(new_uow)
    mail = MailBox()
    app = create_app(get_settings(), new_uow=new_uow, send_mail=mail.send)
    return PortalWorld(agency, TestClient(app), mail, new_uow)
