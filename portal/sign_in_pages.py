"""Signing in and out: ask for a link, follow it, leave.

The link's page does not sign in on GET: mail scanners open links to check them, and a single-use
link opened by a scanner would be spent. The page shows one button that posts the token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifications.sign_in import sign_in_message
from portal.web import (
    SESSION_COOKIE,
    checked_form,
    go,
    now_utc,
    portal_of,
    render,
    viewer_of,
)
from services.portal_auth import (
    SignInRefused,
    TooManyLinks,
    end_session,
    redeem_sign_in,
    request_sign_in,
)

SENT = (
    "Bila alamat itu terdaftar sebagai anggota tim ZI, tautan masuk telah dikirim ke sana. "
    "Periksa kotak masuk e-mail Anda; tautan berlaku sekali."
)
TOO_MANY = "Terlalu banyak permintaan tautan masuk. Tunggu 15 menit, lalu coba lagi."
EMAIL_LENGTH = 320


async def ask_for_link(request: Request) -> Response:
    if request.method == "GET":
        if viewer_of(request) is not None:
            return go("/")
        return render(request, "masuk.html.j2", title="Masuk", message=None, email="")
    form = await checked_form(request, max_bytes=10_000)
    email = str(form.get("email", "")).strip()[:EMAIL_LENGTH]
    portal = portal_of(request)
    client = request.client.host if request.client else "?"
    if not email or "@" not in email:
        return render(
            request,
            "masuk.html.j2",
            status_code=400,
            title="Masuk",
            message="Tulis alamat e-mail Anda.",
            email=email,
        )
    if not portal.sign_in_limit.admit(client):
        return render(
            request, "masuk.html.j2", status_code=429, title="Masuk", message=TOO_MANY, email=email
        )
    try:
        with portal.new_uow() as uow:
            link = request_sign_in(uow, email=email, policy=portal.policy, now=now_utc())
    except TooManyLinks:
        return render(
            request, "masuk.html.j2", status_code=429, title="Masuk", message=TOO_MANY, email=email
        )
    if link is not None:
        await portal.send_mail([sign_in_message(link)])
    return render(request, "masuk.html.j2", title="Masuk", message=SENT, email="")


async def follow_link(request: Request) -> Response:
    token = str(request.path_params["token"])[:200]
    if request.method == "GET":
        response = render(request, "masuk_tautan.html.j2", title="Masuk", token=token, problem=None)
        response.headers["Referrer-Policy"] = "no-referrer"  # the token never leaves in a Referer
        return response
    await checked_form(request, max_bytes=10_000)
    portal = portal_of(request)
    try:
        with portal.new_uow() as uow:
            opened = redeem_sign_in(uow, link_token=token, policy=portal.policy, now=now_utc())
    except SignInRefused as refused:
        response = render(
            request,
            "masuk_tautan.html.j2",
            status_code=400,
            title="Tautan tidak berlaku",
            token="",
            problem=refused.problem.value,
        )
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    opened_page = go("/")
    opened_page.set_cookie(
        SESSION_COOKIE,
        opened.cookie,
        max_age=portal.policy.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=portal.secure_cookies,
        path="/",
    )
    return opened_page


async def sign_out(request: Request) -> Response:
    await checked_form(request, max_bytes=10_000)
    portal = portal_of(request)
    with portal.new_uow() as uow:
        end_session(uow, cookie=request.cookies.get(SESSION_COOKIE, ""), now=now_utc())
    response = go("/masuk?keluar=1")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


routes = [
    Route("/masuk", ask_for_link, methods=["GET", "POST"]),
    Route("/masuk/{token}", follow_link, methods=["GET", "POST"]),
    Route("/keluar", sign_out, methods=["POST"]),
]
