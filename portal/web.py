"""What every page of the portal shares: the portal's context (settings, database, mail), the
signed-in viewer, the access checks, the forms' CSRF check, and rendering.

Pages are plain functions `(request) -> Response` that call the services, like the CLI does; a
rule about who may see what is `zi_domain.portal_access`'s, never a page's.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock
from typing import Any
from urllib.parse import quote

import jinja2
import markupsafe
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from config.settings import Settings
from notifications.messages import OutgoingMessage
from persistence.tables import Instansi, UnitKerja
from persistence.unit_of_work import UnitOfWork
from services.portal_auth import SignInPolicy, form_token, form_token_matches, session_viewer
from zi_domain.framework import Framework
from zi_domain.indonesian import angka, tanggal, ukuran
from zi_domain.plain_text import printable
from zi_domain.portal_access import Access, Need, Viewer, instansi_access, unit_access

SESSION_COOKIE = "zi_sesi"
PRE_SESSION_COOKIE = "zi_pra"  # the CSRF cookie of the sign-in forms, before any session
FORM_FIELD = "csrf"
TEMPLATES = Path(__file__).parent / "templates"

Mailer = Callable[[Sequence[OutgoingMessage]], Awaitable[None]]


class RateLimit:
    """At most `allowed` events per key in a sliding `window_seconds` (per process: the
    database's per-address limit is the one that holds across processes)."""

    def __init__(self, allowed: int, window_seconds: float) -> None:
        self.allowed, self.window = allowed, window_seconds
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    def admit(self, key: str, now: float | None = None) -> bool:
        moment = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen[key]
            while seen and moment - seen[0] >= self.window:
                seen.popleft()
            if len(seen) >= self.allowed:
                return False
            seen.append(moment)
            return True


@dataclass(frozen=True)
class Portal:
    """The portal's one context, built once by `create_app`."""

    settings: Settings
    policy: SignInPolicy
    framework: Framework
    new_uow: Callable[[], UnitOfWork]
    send_mail: Mailer
    sign_in_limit: RateLimit = field(default_factory=lambda: RateLimit(20, 15 * 60))

    @property
    def secure_cookies(self) -> bool:
        return self.settings.portal_url.startswith("https://")


def portal_of(request: Request) -> Portal:
    found: Portal = request.app.state.portal
    return found


def now_utc() -> datetime:
    return datetime.now(UTC)


# --- who is asking ----------------------------------------------------------------------------


def viewer_of(request: Request) -> Viewer | None:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if not cookie:
        return None
    portal = portal_of(request)
    with portal.new_uow() as uow:
        return session_viewer(uow, cookie=cookie, now=now_utc())


class SignInNeeded(Exception):
    """Raised by a page for an anonymous request: the app answers with the sign-in page."""


def signed_in(request: Request) -> Viewer:
    viewer = viewer_of(request)
    if viewer is None:
        raise SignInNeeded
    request.state.viewer = viewer
    return viewer


def require(access: Access) -> None:
    if access is Access.HIDDEN:
        raise HTTPException(404)
    if access is Access.FORBIDDEN:
        raise HTTPException(403)


def visible_unit(uow: UnitOfWork, viewer: Viewer, unit_id: int, need: Need) -> UnitKerja:
    """The unit, when the viewer may `need` it; 404 or 403 otherwise."""
    unit = uow.units.get_unit(unit_id=unit_id)
    if unit is None or unit.id is None:
        raise HTTPException(404)
    require(unit_access(viewer, instansi_id=unit.instansi_id, unit_id=unit.id, need=need))
    return unit


def visible_instansi(uow: UnitOfWork, viewer: Viewer, instansi_id: int) -> Instansi:
    instansi = uow.instansi.get_instansi(instansi_id=instansi_id)
    if instansi is None:
        raise HTTPException(404)
    require(instansi_access(viewer, instansi_id=instansi_id))
    return instansi


def path_id(request: Request, name: str) -> int:
    """A numeric path parameter; 404 for anything else (no traceback, no 500)."""
    text = str(request.path_params.get(name, ""))
    if not text.isdigit() or len(text) > 18:
        raise HTTPException(404)
    return int(text)


# --- forms -------------------------------------------------------------------------------------


def csrf_for(request: Request) -> str:
    """The token every form of this page carries."""
    portal = portal_of(request)
    cookie = request.cookies.get(SESSION_COOKIE) or _pre_session(request)
    return form_token(portal.policy.key, cookie)


def _pre_session(request: Request) -> str:
    cookie = request.cookies.get(PRE_SESSION_COOKIE) or getattr(request.state, "pre_session", "")
    if not cookie:
        cookie = secrets.token_urlsafe(24)
        request.state.pre_session = cookie  # set on the response by `render`
    return str(cookie)


async def checked_form(request: Request, *, max_bytes: int | None = None) -> FormData:
    """The posted form, after its CSRF token and its origin are checked (403 otherwise)."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and not _same_origin(request, origin):
        raise HTTPException(403, "Asal formulir tidak dikenal.")
    limit = max_bytes or portal_of(request).settings.web_upload_max_bytes
    size = request.headers.get("content-length")
    if size is not None and size.isdigit() and int(size) > limit + 1_000_000:
        raise HTTPException(413, "Berkas terlalu besar.")
    form = await request.form(max_files=20, max_fields=2_000)
    portal = portal_of(request)
    given = str(form.get(FORM_FIELD, ""))
    cookie = request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_SESSION_COOKIE, "")
    if not form_token_matches(portal.policy.key, cookie, given):
        raise HTTPException(403, "Formulir kedaluwarsa atau tidak sah; muat ulang halamannya.")
    return form


def _same_origin(request: Request, origin: str) -> bool:
    base = portal_of(request).settings.portal_url
    here = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return origin in (base, here)


# --- pages --------------------------------------------------------------------------------------


def _finalize(value: object) -> object:
    """Text from data loses control and bidi characters; markup (a macro's output) is kept."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return printable(value)
    return value


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(angka=angka, tanggal=tanggal, ukuran=ukuran)
    return env


ENVIRONMENT = _environment()


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    title: str,
    **context: Any,
) -> HTMLResponse:
    """A page in the portal's layout, with the viewer (if any) and the forms' token."""
    viewer = getattr(request.state, "viewer", None)
    local = portal_of(request).policy.local
    page = ENVIRONMENT.get_template(template).render(
        request=request,
        viewer=viewer,
        csrf=csrf_for(request),
        title=title,
        local_time=lambda moment: f"{local(moment):%d-%m-%Y %H.%M}",
        **context,
    )
    response = HTMLResponse(page, status_code=status_code)
    pre_session = getattr(request.state, "pre_session", "")
    if pre_session:
        portal = portal_of(request)
        response.set_cookie(
            PRE_SESSION_COOKIE,
            pre_session,
            httponly=True,
            samesite="strict",
            secure=portal.secure_cookies,
            path="/",
        )
    return response


def go(url: str) -> RedirectResponse:
    """After a POST: the page to show next (303, so a reload does not post again)."""
    return RedirectResponse(url, status_code=303)


def flash_query(message: str) -> str:
    """The query that carries a message to the next page (shown once, escaped like any text)."""
    return f"?pesan={quote(message)}"
