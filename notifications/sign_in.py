"""The portal's sign-in e-mail: a personal link that works once, for a short time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifications.messages import OutgoingMessage, render_message
from zi_domain.indonesian import tanggal


@dataclass(frozen=True)
class SignInLink:
    email: str
    name: str
    instansi: str  # the instansi (or instansi) the person works for, named in the footer
    url: str
    expires_at: datetime  # in the product's time zone
    key: str  # the link's identity (its token's SHA-256): each link is its own message


def sign_in_message(link: SignInLink) -> OutgoingMessage:
    expires = f"{tanggal(link.expires_at.date())} pukul {link.expires_at:%H.%M}"
    return render_message(
        "sign_in",
        to=(link.email, link.name),
        kind="portal.sign_in",
        key=(f"masuk:{link.key[:48]}", "portal.sign_in", link.expires_at.date()),
        subject="[ZI] Tautan masuk portal Zona Integritas",
        instansi=link.instansi,
        url=link.url,
        expires=expires,
    )
