"""Hostile names through the real flows, on SQLite and PostgreSQL: what the e-mails, the files
and the Prefect artifacts make of them.

Units, the instansi and team members are named like a formula, HTML, Markdown, a header
injection (CRLF + "Bcc:"), an escape sequence, a bidi override, and up to the database's 255
characters. The daily reminders (digests and the TPI summary) and the weekly monitoring
(report, proposal packages, artifacts) run on them; then every message has one recipient and no
header made from data, every file and zip entry a plain relative name, and every artifact the
names as inert text.

`tests/cli/test_hostile_names.py` checks the terminal, the HTML report, the PDF text and the
xlsx cells.
"""

from __future__ import annotations

import email
import json
import re
import unicodedata
import zipfile
from datetime import date, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import URL, Engine

from persistence.database import default_engine
from persistence.tables import (
    AssessmentKind,
    AssessmentPeriodCreate,
    BpkOpinion,
    InstansiCreate,
    InstansiKind,
    InstansiPrerequisiteCreate,
    TeamMemberCreate,
    UnitKerjaCreate,
    UnitPrerequisiteCreate,
)
from persistence.unit_of_work import SqlUnitOfWork
from services.assessments import record_answers
from services.proposals import PACKAGES_FOLDER
from tests.domain.worksheets import lke, top_answers
from zi_domain.agency import TPI_ROLE, UNIT_HEAD_ROLE

pytestmark = pytest.mark.usefixtures("prefect_harness")

DAY = date(2027, 3, 1)  # a Monday: the weekly digests and the TPI summary go out

LINK = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
CRLF = "Unit\r\nBcc: evil@x.test"
ESC = "\x1b[31mMerah\x1b[0m \u202eUnit terbalik"
MARKDOWN = "[klik](http://evil.test) | sel ` kode` *tebal* _miring_ ~coret~ \\ &amp;"
LONG = (MARKDOWN + " " + "Nama sangat panjang " * 20)[:255]
INSTANSI = "Kota <b>Uji</b> | [x](http://evil.test) \x1b[31m\u202e"
MEMBER = "Kepala\r\nBcc: evil@x.test <b>tebal</b>"
# code -> name; SIAP* meet every WBK floor and are proposed, KURANG is not.
UNITS = {"SIAP1": LINK, "SIAP2": SCRIPT, "SIAP3": CRLF, "SIAP4": ESC, "KURANG": LONG}
READY = ("SIAP1", "SIAP2", "SIAP3", "SIAP4")


@pytest.fixture
def hostile(
    database_url: URL, engine: Engine, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:
    """The fault tests' instansi with hostile names, a head per unit and a TPI contact, all
    named with a header injection; declared, designated and building since the year before."""
    assert all(len(name) <= 255 for name in (*UNITS.values(), INSTANSI, MEMBER))
    monkeypatch.setenv("ZI_DATABASE_URL", database_url.render_as_string(hide_password=False))
    with SqlUnitOfWork(default_engine()) as uow:
        added = uow.instansi.add_instansi(
            instansi=InstansiCreate(name=INSTANSI, kind=InstansiKind.PEMERINTAH_DAERAH)
        )
        assert added.id is not None
        ids = {"instansi": added.id}
        for year in (DAY.year - 1, DAY.year):
            uow.instansi.set_prerequisites(
                prerequisites=InstansiPrerequisiteCreate(
                    instansi_id=added.id,
                    year=year,
                    bpk_opinion=BpkOpinion.WTP,
                    sakip_grade="B",
                    indeks_rb="CC",
                    spip_level=3,
                )
            )
        for code, name in UNITS.items():
            unit = uow.units.add_unit(
                unit=UnitKerjaCreate(
                    instansi_id=added.id,
                    code=code,
                    name=name,
                    core_service=True,
                    high_corruption_risk=True,
                    wide_public_impact=True,
                    state="declared",
                )
            )
            assert unit.id is not None
            ids[code] = unit.id
            uow.units.set_prerequisites(
                prerequisites=UnitPrerequisiteCreate(
                    unit_id=unit.id,
                    year=DAY.year,
                    follow_up_findings_percent=100,
                    lhkpn_percent=100,
                    lhkasn_percent=100,
                    internal_sakip_grade="B",
                )
            )
            uow.units.add_team_member(
                member=TeamMemberCreate(
                    instansi_id=added.id,
                    unit_id=unit.id,
                    name=MEMBER,
                    role=UNIT_HEAD_ROLE,
                    email=f"kepala.{code.lower()}@uji.go.id",
                )
            )
        uow.units.add_team_member(
            member=TeamMemberCreate(
                instansi_id=added.id,
                unit_id=None,
                name=MEMBER,
                role=TPI_ROLE,
                email="tpi@inspektorat.uji.go.id",
            )
        )
        period = uow.assessments.add_period(
            period=AssessmentPeriodCreate(
                instansi_id=added.id,
                year=DAY.year,
                name=f"Penilaian TPI {DAY.year}",
                starts_on=date(DAY.year, 1, 1),
                ends_on=date(DAY.year, 5, 31),
            )
        )
        assert period.id is not None
        ids["period"] = period.id
        uow.commit()
    _build_for_a_year(ids)
    record(ids, "KURANG", SHORT_ANSWERS)
    return ids


SHORT_ANSWERS = top_answers() | {"B.II.a": "3,19"}  # IPKP short of WBK's pelayanan prima floor


def record(ids: dict[str, int], code: str, answers: dict[str, str]) -> None:
    rows = pd.DataFrame(list(answers.items()), columns=["code", "answer"])
    with SqlUnitOfWork(default_engine()) as uow:
        record_answers(
            uow,
            unit_id=ids[code],
            period_id=ids["period"],
            kind=AssessmentKind.TPI,
            framework=lke(),
            rows=rows.assign(row=range(2, len(rows) + 2)),
        )


def _build_for_a_year(ids: dict[str, int]) -> None:
    from flows.declare import declare
    from flows.designate import designate
    from flows.develop import develop

    year = DAY.year - 1
    declare(instansi=ids["instansi"], year=year, as_of=date(year, 1, 5))
    designate(
        instansi=ids["instansi"],
        candidates=list(UNITS),
        sk_number=f"800/1/{year}",
        as_of=date(year, 1, 20),
    )
    develop(instansi=ids["instansi"], as_of=date(year, 2, 2))


# --- what every output must hold ------------------------------------------------------------


def controls(text: str) -> list[str]:
    """The control and bidi formatting characters in `text` (Unicode Cc and Cf)."""
    return [c for c in text if unicodedata.category(c) in ("Cc", "Cf")]


def assert_safe_name(name: str, where: object) -> None:
    assert name and not controls(name), where
    assert ".." not in name and not name.startswith(("/", "\\")), where
    assert not set(name) & set('<>"|\\:*?'), where


def received(data_dir: Path) -> list[EmailMessage]:
    folder = data_dir / "mail" / "new"
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(folder.iterdir())
    ]


def assert_safe_message(message: EmailMessage) -> None:
    recipients = message["To"].addresses
    assert len(recipients) == 1, message["To"]
    assert recipients[0].addr_spec.endswith("uji.go.id")
    assert message["Bcc"] is None and message["Cc"] is None
    for name, value in message.items():
        assert "\r" not in str(value) and "\n" not in str(value), (name, value)
        assert not name.lower().startswith(("bcc", "cc")), name
    subject = str(message["Subject"])
    assert not controls(subject), subject
    html, text = message.get_body(("html",)), message.get_body(("plain",))
    assert html is not None and text is not None
    page = html.get_content()
    assert "<script>alert" not in page and "<b>" not in page
    for body in (page, text.get_content()):
        assert not controls(body.replace("\n", "").replace("\t", "")), body
    for part in message.walk():
        if part.get_content_type() == "text/calendar":  # each line one property, none forged
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            ics = payload.decode()
            unfolded = ics.replace("\r\n ", "").replace("\r\n\t", "")
            for line in unfolded.removesuffix("\r\n").split("\r\n"):
                assert re.match(r"[A-Z][A-Z-]*[;:]", line), line
                assert "\r" not in line and "\n" not in line and not controls(line), line


def artifacts_of(flow_run_id: Any) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )


def task_runs_of(flow_run_id: Any) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        return client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )


def assert_inert_markdown(markdown: str) -> None:
    """No raw HTML, no control character, no link and no table cell opened by data: every
    Markdown character that a name brought is escaped."""
    assert "<script" not in markdown.lower() and "<b>" not in markdown
    assert not controls(markdown.replace("\n", "")), markdown
    for line in markdown.splitlines():
        assert not re.search(r"(?<!\\)\]\(", line), line  # "[...](http" only escaped
        if line.startswith("| "):  # a table row: as many cells as its header has
            assert len(re.findall(r"(?<!\\)\|", line)) in (3, 6), line


def one_line(name: str) -> str:
    """A name as plain one-line text: runs of white space one space, colour sequences (the only
    ones these names hold) and controls dropped."""
    name = re.sub(r"\x1b\[[0-9;]*m", "", name)
    return " ".join("".join(c for c in " ".join(name.split()) if not controls(c)).split())


def test_hostile_names_through_the_reminders_and_the_monitoring(
    hostile: dict[str, int], data_dir: Path
) -> None:
    from flows.monitor import monitor
    from flows.reminders import send_reminders

    # Monday 1 March 2027: the reminders of a year's deadlines (most overdue by now), the
    # digests of the five building units and the TPI summary, each head and the TPI named MEMBER.
    sent = send_reminders(as_of=DAY)
    assert sent["composed"] >= 6 and sent["sent"] == sent["composed"], sent
    messages = received(data_dir)
    assert len(messages) == sent["sent"]
    for message in messages:
        assert_safe_message(message)
    summary = next(m for m in messages if "Ringkasan mingguan TPI" in str(m["Subject"]))
    html = summary.get_body(("html",))
    assert html is not None
    page = html.get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and LINK.replace('"', "&#34;") in page
    assert "Kepala Bcc: evil@x.test &lt;b&gt;tebal&lt;/b&gt;" in page
    assert (
        str(summary["To"]) == '"Kepala Bcc: evil@x.test <b>tebal</b>" <tpi@inspektorat.uji.go.id>'
    )

    # The weekly monitoring. A week before, only KURANG is scored; now the four others meet
    # WBK's floors (newly, proposed) and KURANG's total falls (among the drops).
    monitor.with_options(retries=0)(as_of=DAY - timedelta(days=7))
    for code in READY:
        record(hostile, code, top_answers())
    record(hostile, "KURANG", SHORT_ANSWERS | {"A.I.1.i.a": "Tidak"})
    state = monitor.with_options(retries=0)(as_of=DAY, return_state=True)
    result = state.result()
    assert result["pending"] == [] and len(result["crossings"]) == len(READY), result

    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".zip", ".html", ".pdf"}
    for path in files:
        relative = path.relative_to(data_dir)
        for part in relative.parts:
            assert_safe_name(part, relative)
    zips = sorted((data_dir / PACKAGES_FOLDER).rglob("*.zip"))
    letters = [p for p in zips if p.name.startswith("surat-pengajuan-")]
    assert len(zips) - len(letters) == len(READY) and letters, [p.name for p in zips]
    for path in zips:
        with zipfile.ZipFile(path) as package:
            for entry in package.namelist():
                posix = PurePosixPath(entry)
                assert not posix.is_absolute() and "\\" not in entry, entry
                for part in posix.parts:
                    assert_safe_name(part, (path.name, entry))

    artifacts = {
        a.key.removeprefix(f"pemantauan-periode-{hostile['period']}"): a
        for a in artifacts_of(state.state_details.flow_run_id)
        if a.key
    }
    assert set(artifacts) == {"", "-ringkasan"}, artifacts
    markdown = artifacts["-ringkasan"].data
    assert isinstance(markdown, str)
    assert_inert_markdown(markdown)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert "Kota &lt;b&gt;Uji&lt;/b&gt; \\| \\[x\\](http://evil.test)" in markdown
    assert '=HYPERLINK("http://x","y")' in markdown
    assert "\\[klik\\](http://evil.test) \\| sel \\` kode\\` \\*tebal\\*" in markdown
    assert "**SIAP4** Merah Unit terbalik:" in markdown  # the whole escape sequence dropped
    assert "| KURANG | \\[klik\\](http://evil.test) \\| sel" in markdown  # a drop
    table = artifacts[""].data
    rows = json.loads(table) if isinstance(table, str) else table
    by_code = {row["kode"]: row for row in rows}
    assert set(by_code) == set(UNITS)
    for code, name in UNITS.items():
        assert by_code[code]["unit"] == one_line(name), code
    assert by_code["SIAP4"]["unit"] == "Merah Unit terbalik"
    assert by_code["SIAP3"]["unit"] == "Unit Bcc: evil@x.test"
    # The flow's tasks kept no cache key.
    keyed = {
        run.name: run.cache_key
        for run in task_runs_of(state.state_details.flow_run_id)
        if run.name.startswith("pemantauan-periode")
    }
    assert len(keyed) == 1 and set(keyed.values()) == {None}, keyed
