"""The portal served for real (uvicorn on a free port of 127.0.0.1) and driven in Debian's
Chromium through Playwright; sign-in links read from the local mail sink's Maildir, as a person
reads them; screenshots written under `$ZI_TEST_ARTIFACTS` (default build/test-artifacts)."""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright
from starlette.applications import Starlette

from notifications.sink import default_folder
from tests.programs import required_program

ARTIFACTS = Path(os.environ.get("ZI_TEST_ARTIFACTS", "build/test-artifacts")) / "portal"
LINK = re.compile(r"https?://[^\s]+/masuk/[A-Za-z0-9_\-.]+")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"lebar": 1280, "ponsel": 390}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(app: Starlette, port: int) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the portal did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)


@contextmanager
def chromium() -> Iterator[Browser]:
    executable = required_program("chromium", package="chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def mails_to(data_dir: Path, address: str) -> list[EmailMessage]:
    """The messages the local sink stored for `address`, oldest first."""
    folder = default_folder(data_dir) / "new"
    found = []
    for path in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if address in str(message["To"]):
            found.append(message)
    return found


def sign_in_link(data_dir: Path, address: str) -> str:
    """The link of the latest sign-in e-mail to `address`, from its text part."""
    messages = mails_to(data_dir, address)
    assert messages, f"no e-mail to {address}"
    body = messages[-1].get_body(preferencelist=("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group(0)


def screenshot(page: Page, name: str) -> None:
    """The page at a desktop and a phone width, whole, as artifacts of the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS["lebar"], "height": 900})


def fits(page: Page) -> bool:
    """Nothing wider than the window (no sideways scrolling)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def sign_in(page: Page, base: str, address: str, data_dir: Path) -> None:
    """Signs `address` in as a person does: asks for a link, follows it from the mail sink."""
    page.goto(f"{base}/masuk")
    page.get_by_label("Alamat e-mail").fill(address)
    page.get_by_role("button", name="Kirim tautan masuk").click()
    expect(page.get_by_role("status")).to_contain_text("tautan masuk telah dikirim")
    page.goto(sign_in_link(data_dir, address))
    page.get_by_role("button", name="Masuk").click()
