"""The portal under load: 200 concurrent clients on the unit page and the instansi dashboard,
beside the app's bare `/sehat` route (its floor: the same server, no database, no template).

The portal is `zi web --demo` on the demo's data (`zi demo` first, if it has not run), one
uvicorn process; the load is `wrk` (Debian's package) from a second process on 127.0.0.1, for a
bounded time per route, with a signed-in session's cookie. Prints median and p99 latency,
requests per second, and the server's peak memory (VmHWM).

    .venv/bin/python bench/web_load.py [--connections 200] [--seconds 15]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.request import urlopen

from config.settings import get_settings
from persistence.database import make_engine
from persistence.unit_of_work import SqlUnitOfWork
from services.portal_auth import open_session, sign_in_policy

LOG = Path("/tmp/zi-web-load.log")  # the portal's own output (errors, if any)
TPI = "inspektur.pembantu.i@inspektorat.sukamaju.go.id"
UNIT_HEAD = "kepala.disdukcapil@sukamaju.go.id"


def demo_folder() -> Path:
    folder = get_settings().data_dir / "demo"
    if not (folder / "zi.db").exists():
        subprocess.run([str(Path(sys.executable).with_name("zi")), "demo"], check=True)
    return folder


def session_cookie(folder: Path, email: str, base_url: str) -> str:
    os.environ["ZI_DATA_DIR"] = str(folder)
    os.environ["ZI_WEB_BASE_URL"] = base_url
    get_settings.cache_clear()
    policy = sign_in_policy(get_settings())
    uow = SqlUnitOfWork(make_engine(get_settings().database_url_value()))
    now = datetime.now(UTC)
    with uow:
        return open_session(uow, email=email, policy=policy, now=now).cookie


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_portal(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    zi = Path(sys.executable).with_name("zi")
    server = subprocess.Popen(
        [str(zi), "web", "--demo", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=LOG.open("w"),
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urlopen(f"http://127.0.0.1:{port}/sehat", timeout=1) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the portal did not start")


def peak_rss_mib(pid: int) -> float:
    """The process's peak RSS plus its children's (uvicorn's workers)."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    own = int(found.group(1)) / 1024 if found else 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return own + sum(peak_rss_mib(int(child)) for child in children)


def load(url: str, cookie: str | None, connections: int, seconds: int) -> dict[str, str]:
    command = [
        "wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", url,
    ]  # fmt: skip
    if cookie:
        command[1:1] = ["-H", f"Cookie: zi_sesi={cookie}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    found = {
        "p50": re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE),
        "p99": re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE),
        "rps": re.search(r"Requests/sec:\s+(\S+)", output),
        "non2xx": re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output),
        "errors": re.search(r"Socket errors:([^\n]+)", output),
    }
    return {key: (match.group(1).strip() if match else "0") for key, match in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=1)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    env = dict(os.environ)  # before the sessions point this process at the demo's folder
    folder = demo_folder()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tpi, head = session_cookie(folder, TPI, base), session_cookie(folder, UNIT_HEAD, base)
    with SqlUnitOfWork(make_engine(get_settings().database_url_value())) as uow:
        member = uow.portal.members_by_email(email=UNIT_HEAD)[0]
    assert member.unit_id is not None
    routes = [
        ("/sehat (floor)", f"{base}/sehat", None),
        ("unit page", f"{base}/unit/{member.unit_id}", head),
        ("instansi dashboard", f"{base}/instansi/{member.instansi_id}", tpi),
    ]
    server = start_portal(port, options.workers, env)
    try:
        print(
            f"{options.connections} connections, {options.seconds} s per route, "
            f"{options.workers} portal process(es)"
        )
        for name, url, cookie in routes:
            found = load(url, cookie, options.connections, options.seconds)
            print(
                f"{name}: median {found['p50']}, p99 {found['p99']}, {found['rps']} req/s, "
                f"non-2xx {found['non2xx']}, socket errors {found['errors']}"
            )
        print(f"server peak RSS {peak_rss_mib(server.pid):.0f} MiB")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)


if __name__ == "__main__":
    main()
