"""`zi web` serves the portal; `zi web-link` prints a person's sign-in link (for the first
sign-in of a fresh install, or when e-mail does not reach them)."""

from __future__ import annotations

from typing import Annotated

import typer

from zi_cli.output import fail, print_path, say

Host = Annotated[
    str,
    typer.Option(
        "--host",
        metavar="ALAMAT",
        help="Alamat dengar; 127.0.0.1 di belakang reverse proxy, 0.0.0.0 untuk jaringan.",
    ),
]
Port = Annotated[int, typer.Option("--port", metavar="PORT", min=1, max=65535, help="Port.")]
Proxy = Annotated[
    str,
    typer.Option(
        "--proxy",
        metavar="ALAMAT",
        help="Alamat reverse proxy yang dipercaya untuk X-Forwarded-For/-Proto (mis. 127.0.0.1).",
    ),
]


Workers = Annotated[
    int,
    typer.Option(
        "--workers",
        metavar="N",
        min=1,
        max=64,
        help="Jumlah proses portal (mis. satu per inti prosesor).",
    ),
]
Demo = Annotated[
    bool,
    typer.Option(
        "--demo",
        help="Buka data demo (`zi demo`) dan cetak tautan masuk untuk TPI dan kepala unit.",
    ),
]
DEMO_PEOPLE = (
    "inspektur.pembantu.i@inspektorat.sukamaju.go.id",
    "kepala.disdukcapil@sukamaju.go.id",
)


def web(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    proxy: Proxy = "127.0.0.1",
    workers: Workers = 1,
    demo: Demo = False,
) -> None:
    """Jalankan portal web untuk tim unit kerja dan TPI (Ctrl-C untuk berhenti)."""
    import uvicorn

    from config.settings import get_settings
    from persistence.database import DatabaseUnavailable, safe_url
    from persistence.migrate import upgrade_database
    from portal.app import create_app

    if demo:
        _use_demo_data(f"http://{host}:{port}")
    settings = get_settings()
    url = settings.database_url_value()
    try:
        upgrade_database(url)
    except DatabaseUnavailable as error:
        fail(str(error))
    say(f"Portal: http://{host}:{port} (alamat publik: {settings.portal_url})")
    print_path("Basis data:", safe_url(url))
    if demo:
        for email in DEMO_PEOPLE:
            _print_link(email, required=False)
    uvicorn.run(
        "portal.app:create_app" if workers > 1 else create_app(settings),
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=proxy,
        log_level="warning",
        server_header=False,
    )


def _use_demo_data(base_url: str) -> None:
    """The demo's data folder (`<data folder>/demo`, as `zi demo` left it) for this process."""
    import os

    from config.settings import get_settings

    folder = get_settings().data_dir / "demo"
    if not (folder / "zi.db").exists():
        fail(f"{folder}: belum ada data demo; jalankan `zi demo` (atau `make demo`) dulu")
    os.environ["ZI_DATA_DIR"] = str(folder)
    os.environ.pop("ZI_DATABASE_URL", None)
    os.environ.pop("ZI_SMTP_HOST", None)  # sign-in e-mails to the demo's local mail folder
    os.environ["ZI_WEB_BASE_URL"] = base_url
    get_settings.cache_clear()


def web_link(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="Alamat e-mail anggota tim.")],
) -> None:
    """Cetak tautan masuk portal untuk seorang anggota tim (berlaku sekali)."""
    _print_link(email)


def _print_link(email: str, *, required: bool = True) -> None:
    """Prints the person's new sign-in link; a refusal fails the command when `required`, and
    is only said otherwise (the demo's portal starts anyway)."""
    from datetime import UTC, datetime

    from config.settings import get_settings
    from persistence.unit_of_work import default_unit_of_work
    from services.portal_auth import TooManyLinks, request_sign_in, sign_in_policy

    policy = sign_in_policy(get_settings())
    problem = None
    with default_unit_of_work() as uow:
        try:
            link = request_sign_in(uow, email=email, policy=policy, now=datetime.now(UTC))
        except TooManyLinks:
            link = None
            problem = f"{email}: terlalu banyak tautan dalam 15 menit; tunggu, lalu coba lagi"
    if link is None:
        problem = problem or f"{email}: bukan alamat anggota tim ZI atau TPI mana pun"
        if required:
            fail(problem)
        say(problem)
        return
    say(
        f"Tautan masuk untuk {link.name} <{link.email}>, berlaku sekali sampai "
        f"{link.expires_at:%d-%m-%Y %H.%M}:"
    )
    print_path(None, link.url)
