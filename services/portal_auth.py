"""Signing in to the portal without a password to forget: a personal link by e-mail.

A link carries a random token and its HMAC under the portal's key, so a forged or altered link
is refused before the database is asked; the database keeps only the token's SHA-256, so a copy
of it signs no one in. A link works once (marked used in one conditional UPDATE) and for
`link_minutes`. Redeeming it opens a session: its cookie is another random token, also kept
only as its SHA-256, valid for `session_hours` or until the person signs out.

Who may sign in is who is on a team (a unit's or the TPI's); an unknown address gets no e-mail,
and the page says the same either way, so the portal does not tell which addresses exist.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from config.portal_key import portal_key
from config.settings import Settings
from notifications.sign_in import SignInLink
from persistence.tables import PortalSessionCreate, PortalSignInCreate, TeamMember
from persistence.unit_of_work import UnitOfWork
from zi_domain.portal_access import Membership, Viewer

RATE_WINDOW = timedelta(minutes=15)
LINKS_PER_WINDOW = 5  # sign-in e-mails one address may be sent per window


@dataclass(frozen=True)
class SignInPolicy:
    """The portal's settings for signing in, taken as one value."""

    key: bytes
    base_url: str
    link_minutes: int
    session_hours: int
    timezone: str

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.timezone))


def sign_in_policy(settings: Settings) -> SignInPolicy:
    return SignInPolicy(
        key=portal_key(settings),
        base_url=settings.portal_url,
        link_minutes=settings.web_link_minutes,
        session_hours=settings.web_session_hours,
        timezone=settings.timezone,
    )


class LinkProblem(enum.Enum):
    INVALID = "Tautan masuk ini tidak sah. Mintalah tautan baru."
    USED = "Tautan masuk ini sudah dipakai. Setiap tautan hanya berlaku sekali; mintalah yang baru."
    EXPIRED = "Tautan masuk ini sudah kedaluwarsa. Mintalah tautan baru."


class SignInRefused(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        self.problem = problem
        super().__init__(problem.value)


class TooManyLinks(Exception):
    """More sign-in e-mails asked for one address than the window allows."""


@dataclass(frozen=True)
class OpenedSession:
    cookie: str
    expires_at: datetime


def request_sign_in(
    uow: UnitOfWork, *, email: str, policy: SignInPolicy, now: datetime
) -> SignInLink | None:
    """A new link for a team member's address (committed), None for any other address;
    TooManyLinks past the window's allowance."""
    address = email.strip()
    members = uow.portal.members_by_email(email=address)
    if not members:
        return None
    if uow.portal.sign_ins_since(email=members[0].email, since=now - RATE_WINDOW) >= (
        LINKS_PER_WINDOW
    ):
        raise TooManyLinks
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(minutes=policy.link_minutes)
    uow.portal.add_sign_in(
        sign_in=PortalSignInCreate(
            email=members[0].email, token_sha256=_sha256(token), expires_at=expires_at
        )
    )
    instansi = _instansi_names(uow, members)
    uow.commit()
    return SignInLink(
        email=members[0].email,
        name=members[0].name,
        instansi=instansi,
        url=f"{policy.base_url.rstrip('/')}/masuk/{_signed(policy.key, 'masuk', token)}",
        expires_at=policy.local(expires_at),
        key=_sha256(token),
    )


def redeem_sign_in(
    uow: UnitOfWork, *, link_token: str, policy: SignInPolicy, now: datetime
) -> OpenedSession:
    """Exchanges a link's token for a session (committed); SignInRefused says why not."""
    token = _verified(policy.key, "masuk", link_token)
    found = uow.portal.sign_in_by_token(token_sha256=_sha256(token)) if token else None
    if found is None or found.id is None:
        raise SignInRefused(LinkProblem.INVALID)
    if found.used_at is not None:
        raise SignInRefused(LinkProblem.USED)
    if found.expires_at <= now:
        raise SignInRefused(LinkProblem.EXPIRED)
    if not uow.portal.use_sign_in(sign_in_id=found.id, at=now):
        raise SignInRefused(LinkProblem.USED)  # another browser redeemed it a moment ago
    return open_session(uow, email=found.email, policy=policy, now=now)


def open_session(
    uow: UnitOfWork, *, email: str, policy: SignInPolicy, now: datetime
) -> OpenedSession:
    """A new session for `email` (committed): what a redeemed link gives; the load benchmark
    opens its sessions directly."""
    cookie = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=policy.session_hours)
    uow.portal.add_session(
        session=PortalSessionCreate(
            email=email, token_sha256=_sha256(cookie), expires_at=expires_at
        )
    )
    uow.commit()
    return OpenedSession(cookie, expires_at)


def session_viewer(uow: UnitOfWork, *, cookie: str, now: datetime) -> Viewer | None:
    """The person of a live session, with every team they are on now; None for no session,
    an ended or expired one, or a person no longer on any team."""
    found = uow.portal.session_by_token(token_sha256=_sha256(cookie)) if cookie else None
    if found is None or found.ended_at is not None or found.expires_at <= now:
        return None
    members = uow.portal.members_by_email(email=found.email)
    if not members:
        return None
    memberships = tuple(Membership(m.instansi_id, m.unit_id, m.role) for m in members)
    return Viewer(email=found.email, name=members[0].name, memberships=memberships)


def end_session(uow: UnitOfWork, *, cookie: str, now: datetime) -> None:
    found = uow.portal.session_by_token(token_sha256=_sha256(cookie)) if cookie else None
    if found is not None and found.id is not None:
        uow.portal.end_session(session_id=found.id, at=now)
        uow.commit()


def form_token(key: bytes, cookie: str) -> str:
    """The CSRF token of a session's forms: bound to the session, unguessable without the key."""
    return _mac(key, "formulir", cookie)


def form_token_matches(key: bytes, cookie: str, given: str) -> bool:
    return bool(cookie) and hmac.compare_digest(form_token(key, cookie), given)


def _instansi_names(uow: UnitOfWork, members: list[TeamMember]) -> str:
    names = []
    for instansi_id in dict.fromkeys(m.instansi_id for m in members):
        instansi = uow.instansi.get_instansi(instansi_id=instansi_id)
        if instansi is not None:
            names.append(instansi.name)
    return ", ".join(names)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mac(key: bytes, purpose: str, token: str) -> str:
    return hmac.new(key, f"{purpose}:{token}".encode(), hashlib.sha256).hexdigest()[:32]


def _signed(key: bytes, purpose: str, token: str) -> str:
    return f"{token}.{_mac(key, purpose, token)}"


def _verified(key: bytes, purpose: str, signed: str) -> str | None:
    """The token of a signed value whose HMAC holds (compared in constant time), else None."""
    token, _, mac = signed.rpartition(".")
    if not token or not hmac.compare_digest(_mac(key, purpose, token), mac):
        return None
    return token
