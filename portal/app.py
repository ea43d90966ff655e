"""`zi web`: the portal, an ASGI application on the same services as the CLI.

`create_app` builds it from the settings; every page module adds its routes. Security headers
go on every response; an anonymous request for a page gets the sign-in page, an error its own
Indonesian page (never a traceback).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import timedelta
from http import HTTPStatus

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config.framework_files import load_framework
from config.settings import Settings, get_settings
from notifications.delivery import SmtpConfig, deliver
from notifications.messages import OutgoingMessage
from notifications.sink import default_folder, smtp_target
from persistence.database import default_engine
from persistence.outbox import SqlOutbox
from persistence.unit_of_work import SqlUnitOfWork, UnitOfWork
from portal import evidence_pages, home_pages, sign_in_pages, tpi_pages, unit_pages
from portal.web import Mailer, Portal, SignInNeeded, go, render
from services.portal_auth import sign_in_policy

STATIC = "statis"
ERRORS = {
    400: "Permintaan tidak dapat dibaca.",
    403: "Anda tidak berhak membuka atau mengubah ini.",
    404: "Halaman tidak ditemukan.",
    405: "Cara membuka halaman ini tidak didukung.",
    413: "Berkas terlalu besar.",
}
CONTENT_SECURITY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def create_app(
    settings: Settings | None = None,
    *,
    new_uow: Callable[[], UnitOfWork] | None = None,
    send_mail: Mailer | None = None,
) -> Starlette:
    chosen = settings or get_settings()
    portal = Portal(
        settings=chosen,
        policy=sign_in_policy(chosen),
        framework=load_framework(chosen.framework),
        new_uow=new_uow or _default_unit_of_work(),
        send_mail=send_mail or _outbox_mailer(chosen),
    )
    app = Starlette(
        routes=[
            *sign_in_pages.routes,
            *home_pages.routes,
            *unit_pages.routes,
            *evidence_pages.routes,
            *tpi_pages.routes,
            Route("/sehat", _healthy, methods=["GET"]),
            Mount(f"/{STATIC}", StaticFiles(packages=[("portal", "static")]), name=STATIC),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, limit=MAX_FILES * chosen.web_upload_max_bytes + FORM_ALLOWANCE),
        ],
        exception_handlers={HTTPException: _error_page, SignInNeeded: _sign_in_first},
    )
    app.state.portal = portal
    return app


def _default_unit_of_work() -> Callable[[], UnitOfWork]:
    """Units of work on the configured database, migrated once when the app is built."""
    engine = default_engine()
    return lambda: SqlUnitOfWork(engine)


def _outbox_mailer(settings: Settings) -> Mailer:
    """Sends through the outbox (each message once) to the relay, or to the local sink."""

    async def send(messages: Sequence[OutgoingMessage]) -> None:
        outbox = SqlOutbox(
            default_engine(), claim_timeout=timedelta(seconds=settings.outbox_claim_timeout_seconds)
        )
        config = SmtpConfig.from_settings(settings)

        def deliver_all() -> None:
            with smtp_target(config, default_folder(settings.data_dir)) as target:
                asyncio.run(deliver(list(messages), config=target, outbox=outbox))

        await asyncio.to_thread(deliver_all)

    return send


async def _healthy(request: Request) -> Response:
    """For the reverse proxy's health check (and the load benchmark's floor): no database."""
    return PlainTextResponse("ok")


async def _error_page(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    # Our own details are Indonesian sentences; Starlette's default is the English phrase.
    own = error.detail and error.detail != HTTPStatus(error.status_code).phrase
    detail = error.detail if own else None
    message = detail or ERRORS.get(error.status_code, "Terjadi kesalahan.")
    return render(
        request,
        "galat.html.j2",
        status_code=error.status_code,
        title=f"Galat {error.status_code}",
        message=message,
    )


async def _sign_in_first(request: Request, error: Exception) -> Response:
    if request.method == "GET":
        return go("/masuk")
    return render(
        request,
        "galat.html.j2",
        status_code=403,
        title="Sesi berakhir",
        message="Sesi Anda sudah berakhir. Masuk lagi, lalu ulangi.",
    )


MAX_FILES = 10  # files in one upload
FORM_ALLOWANCE = 1 << 20  # the form's other fields and the multipart framing


class BodyLimit:
    """Refuses a request body over `limit` bytes (413) as it arrives, counted on what is read:
    a chunked request carries no Content-Length to check beforehand."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413)
            return message

        await self.app(scope, counted, send)


class SecurityHeaders:
    """Headers every response carries; pages for a signed-in person are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {name.lower() for name, _ in headers}
                for name, value in _HEADERS:
                    if name not in present:
                        headers.append((name, value))
            await send(message)

        await self.app(scope, receive, with_headers)


_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]
