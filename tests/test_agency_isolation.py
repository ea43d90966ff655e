"""One database, three instansi: what the TPI and the unit teams of one of them receive never
names a unit (or a person, a document, a comment) of another.

Instansi A (Kabupaten Uji) shares the database with B and C, whose units, people and texts all
carry the word RAHASIA ("secret"): instansi and unit codes and names, e-mail addresses, periods,
work items, evidence, comments, complaints, milestones. Every agency has the same history
(declared, two units with TPI answers, monitored the same Monday, one unit newly meeting WBK
and proposed), so that every output of A has rows of the others to leak into. Each test reads
outputs of A whole (the e-mails of the day, the monitoring report and its Prefect artifacts, the
letter with its SPTJM and the unit's package, the pending proposals, the CLI's tables and
workbooks, the portal's pages and downloads), checks that they show A's own units (an empty
output cannot pass) and that RAHASIA appears nowhere in them. On SQLite and PostgreSQL.

Instansi with alike names (long names cut to the same file name) keep their own package
folders.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from starlette.testclient import TestClient
from typer.testing import CliRunner

from config.settings import get_settings
from notifications.messages import FailedDelivery, OutgoingMessage
from persistence.tables import (
    AssessmentKind,
    ComplaintCreate,
    DeadlineCreate,
    EvidenceDocumentCreate,
    InstansiCreate,
    InstansiKind,
    LifecycleEventCreate,
    ProposalCreate,
    QuestionCommentCreate,
    TeamMemberCreate,
    ThresholdCrossing,
    UnitKerjaCreate,
    WorkItemCreate,
)
from persistence.unit_of_work import SqlUnitOfWork
from portal.app import create_app
from reports.monitoring import (
    MonitoringReport,
    PendingProposal,
    monitoring_artifacts,
    pending_lines,
    report_folder,
    write_monitoring_report,
)
from services.assessments import record_answers
from services.monitoring import MonitoringOutcome, monitor_period
from services.pending_proposals import pending_proposals
from services.proposals import letter_up_to_date, propose_unit
from services.reminders import is_digest_day, mail_for_day, reminder_policy
from tests.builders import Agency, instansi_standing
from tests.database_fixtures import tpi_period, unit_standing
from tests.domain.worksheets import lke
from tests.portal.portal_world import MailBox, PortalWorld
from tests.services.test_monitoring_service import WBK_ONLY, bottom_answers
from zi_cli.main import app
from zi_domain.predicates import Predicate

NewUow = Callable[[], SqlUnitOfWork]
YEAR = 2026
MONDAY = date(YEAR, 3, 2)  # the first working day of its week: reminders, digests, summary
PROPOSED_ON = date(YEAR, 3, 3)
SECRET = re.compile("rahasia", re.IGNORECASE)  # in every name, code and text of B and C
PORTAL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    domain: str
    units: dict[str, str]  # code -> name; the first meets WBK, the second is far from it


A = Spec(
    "KABUJI",
    "Pemerintah Kabupaten Uji",
    "uji.go.id",
    {"UJI-SIAP": "Dinas Perizinan Uji", "UJI-RENDAH": "Dinas Pendidikan Uji"},
)
B = Spec(
    "KOTA-RAHASIA-B",
    "Pemerintah Kota Rahasia B",
    "rahasia-b.go.id",
    {"RAHASIA-B-SIAP": "Dinas Perizinan RAHASIA-B", "RAHASIA-B-RENDAH": "RSUD RAHASIA-B"},
)
C = Spec(
    "KAB-RAHASIA-C",
    "Pemerintah Kabupaten Rahasia C",
    "rahasia-c.go.id",
    {"RAHASIA-C-SIAP": "Dinas Dukcapil RAHASIA-C", "RAHASIA-C-RENDAH": "Dinas Sosial RAHASIA-C"},
)


@dataclass(frozen=True)
class Built:
    instansi_id: int
    period_id: int
    units: dict[str, int]  # code -> id
    tpi: str  # the TPI member's e-mail
    heads: dict[str, str]  # unit code -> its head's e-mail
    monitoring: MonitoringOutcome


@dataclass(frozen=True)
class Agencies:
    a: Built
    b: Built
    c: Built
    data_dir: Path
    packages: dict[str, tuple[Path, Path]]  # instansi code -> its unit's package, its letter


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 5, tzinfo=UTC)  # 12:00 in Jakarta


def step(
    instansi_id: int, unit_id: int | None, kind: str, on: date, was: str | None = None
) -> LifecycleEventCreate:
    """A lifecycle event: the declaration of the instansi, or a unit's designation."""
    to_state = {"declaration": "declared", "designate": "designated"}[kind]
    return LifecycleEventCreate(
        instansi_id=instansi_id,
        unit_id=unit_id,
        year=on.year,
        kind=kind,
        from_state=was,
        to_state=to_state,
        actor="setup",
        occurred_at=noon(on),
    )


def add_agency(new_uow: NewUow, spec: Spec) -> tuple[int, int, dict[str, int], dict[str, str]]:
    """The instansi declared with a good standing, its period, its TPI and head, and two
    developing units with their heads, standings, TPI answers, work items (one late, one due in
    a week), evidence, a TPI comment of last week and a complaint; ids and the heads' e-mails."""
    with new_uow() as uow:
        instansi = uow.instansi.add_instansi(
            instansi=InstansiCreate(
                name=spec.name,
                code=spec.code,
                kind=InstansiKind.PEMERINTAH_DAERAH,
                head_name=f"Kepala {spec.name}",
                head_title=f"Bupati {spec.name}",
                head_elected=True,
            )
        )
        assert instansi.id is not None
        uow.instansi.set_prerequisites(prerequisites=instansi_standing(instansi.id, YEAR))
        uow.units.record_event(event=step(instansi.id, None, "declaration", date(YEAR, 1, 5)))
        named = tpi_period(instansi.id, YEAR)
        period = uow.assessments.add_period(
            period=named.model_copy(update={"name": f"{named.name} {spec.code}"})
        )
        assert period.id is not None
        uow.deadlines.add_deadline(
            deadline=DeadlineCreate(
                instansi_id=instansi.id,
                kind="milestone",
                title=f"Rapat evaluasi {spec.name}",
                due_on=MONDAY + timedelta(days=7),
            )
        )
        ids: dict[str, int] = {}
        heads: dict[str, str] = {}
        for code, name in spec.units.items():
            unit = uow.units.add_unit(
                unit=UnitKerjaCreate(
                    instansi_id=instansi.id,
                    code=code,
                    name=name,
                    core_service=True,
                    high_corruption_risk=True,
                    wide_public_impact=True,
                    state="developing",
                )
            )
            assert unit.id is not None
            ids[code] = unit.id
            heads[code] = f"kepala-{code.lower()}@{spec.domain}"
            uow.units.record_event(
                event=step(instansi.id, unit.id, "designate", date(YEAR - 1, 1, 20), "declared")
            )
            uow.units.set_prerequisites(prerequisites=unit_standing(unit.id, YEAR))
            uow.work_plans.add_items(
                items=[
                    WorkItemCreate(
                        unit_id=unit.id,
                        year=YEAR,
                        code="A.I.1.i",
                        title=f"Tim kerja {name}",
                        due_on=MONDAY - timedelta(days=10),
                    ),
                    WorkItemCreate(
                        unit_id=unit.id,
                        year=YEAR,
                        code="survei:ipak",
                        title=f"Survei IPAK {name}",
                        due_on=MONDAY + timedelta(days=7),
                    ),
                ]
            )
            uow.evidence.add_document(
                document=EvidenceDocumentCreate(
                    unit_id=unit.id,
                    code="A.I.1.i.a",
                    title=f"SK Tim {name}",
                    location=f"A.I.1.i/SK {code}.pdf",
                    year=YEAR,
                    sha256=f"{unit.id:064x}",
                )
            )
            uow.comments.add_comment(
                comment=QuestionCommentCreate(
                    unit_id=unit.id,
                    period_id=period.id,
                    code="A.I.1.i.a",
                    author=f"tpi@{spec.domain}",
                    body=f"Lengkapi SK tim {name}",
                    created_at=noon(MONDAY - timedelta(days=3)),
                )
            )
            uow.units.add_complaint(
                complaint=ComplaintCreate(
                    instansi_id=instansi.id,
                    unit_id=unit.id,
                    received_on=date(YEAR, 2, 10),
                    summary=f"Pungutan di loket {name}",
                    actor="TPI",
                )
            )
        people = [
            (None, f"TPI {spec.name}", "tpi", f"tpi@{spec.domain}"),
            (None, f"Kepala {spec.name}", "pimpinan_instansi", f"pimpinan@{spec.domain}"),
            *((ids[c], f"Kepala {spec.units[c]}", "kepala_unit", heads[c]) for c in ids),
        ]
        for unit_id, name, role, email in people:
            uow.units.add_team_member(
                member=TeamMemberCreate(
                    instansi_id=instansi.id, unit_id=unit_id, name=name, role=role, email=email
                )
            )
        uow.commit()
    for (code, _), answers in zip(spec.units.items(), (WBK_ONLY, bottom_answers()), strict=True):
        rows = pd.DataFrame(list(answers.items()), columns=["code", "answer"])
        with new_uow() as uow:
            record_answers(
                uow,
                unit_id=ids[code],
                period_id=period.id,
                kind=AssessmentKind.TPI,
                framework=lke(),
                rows=rows.assign(row=range(2, len(rows) + 2)),
            )
    return instansi.id, period.id, ids, heads


def monitored(new_uow: NewUow, spec: Spec, data_dir: Path) -> Built:
    """The agency added and monitored on MONDAY: its ready unit newly meets WBK."""
    instansi_id, period_id, ids, heads = add_agency(new_uow, spec)
    with new_uow() as uow:
        outcome = monitor_period(
            uow,
            period_id=period_id,
            framework=lke(),
            as_of=MONDAY,
            report_dir=data_dir / "laporan" / spec.code,
        )
    assert [(c.code, c.predicate) for c in outcome.crossings] == [(next(iter(spec.units)), "WBK")]
    return Built(instansi_id, period_id, ids, f"tpi@{spec.domain}", heads, outcome)


def proposal_rows(new_uow: NewUow, built: Built, spec: Spec, data_dir: Path) -> None:
    """The ready unit's draft proposal as `propose_unit` records it (its package named, not
    built: PDFs take seconds), settling the crossing."""
    code = next(iter(spec.units))
    with new_uow() as uow:
        proposal = uow.proposals.add_proposal(
            proposal=ProposalCreate(
                unit_id=built.units[code],
                year=YEAR,
                predicate=Predicate.WBK,
                state="draft",
                tpi_total=97.38,
                package_path=str(data_dir / "usulan" / str(YEAR) / spec.code / f"{code}.zip"),
            ),
            actor=f"TPI {spec.name}",
        )
        assert proposal.id is not None
        uow.monitoring.settle_crossings(
            unit_id=built.units[code], predicate=Predicate.WBK, year=YEAR, proposal_id=proposal.id
        )
        uow.commit()


def proposed(new_uow: NewUow, built: Built, spec: Spec, data_dir: Path) -> Path:
    """The ready unit proposed the day after MONDAY; the zip of its package."""
    with new_uow() as uow:
        start = propose_unit(
            uow,
            unit_id=built.units[next(iter(spec.units))],
            year=YEAR,
            as_of=PROPOSED_ON,
            actor="TPI",
            framework=lke(),
            data_dir=data_dir,
        )
    assert start.package is not None
    return start.package


def letter_of(new_uow: NewUow, built: Built, data_dir: Path) -> Path:
    """The instansi's letter (with its SPTJM) of the year, as the proposal flow writes it."""
    with new_uow() as uow:
        letter = letter_up_to_date(
            uow, instansi_id=built.instansi_id, year=YEAR, as_of=PROPOSED_ON, data_dir=data_dir
        )
    assert letter is not None
    return letter


def three_agencies(new_uow: NewUow, data_dir: Path, *, packages: bool = False) -> Agencies:
    """A, B and C monitored, each with its ready unit's proposal: for B and A (in this order,
    the same year) made by `propose_unit` with their packages and letters when `packages`."""
    # B and C first: A's outputs are made when the others' rows already exist.
    b, c, a = (monitored(new_uow, spec, data_dir) for spec in (B, C, A))
    built: dict[str, tuple[Path, Path]] = {}
    for each, spec in ((b, B), (c, C), (a, A)):
        if packages and spec is not C:
            package = proposed(new_uow, each, spec, data_dir)
            built[spec.code] = (package, letter_of(new_uow, each, data_dir))
        else:
            proposal_rows(new_uow, each, spec, data_dir)
    return Agencies(a, b, c, data_dir, built)


@pytest.fixture
def agencies(new_uow: NewUow, data_dir: Path) -> Agencies:
    return three_agencies(new_uow, data_dir)


def assert_only_a(text: str, where: str, *, shows: Iterable[str] = ()) -> None:
    """`text` shows each of `shows` (A's own units: the output is not empty) and nothing of B's
    or C's."""
    leaked = SECRET.search(text)
    assert leaked is None, f"{where}: {text[max(0, leaked.start() - 200) : leaked.end() + 200]}"
    for expected in shows:
        assert expected in text, f"{where} does not show {expected!r}"


def message_text(message: OutgoingMessage) -> str:
    """The whole message: addressee, subject, both bodies and the attachments (the calendar)."""
    attached = [f"{a.filename}\n{a.data.decode('utf-8', 'replace')}" for a in message.attachments]
    return "\n".join((message.recipient, message.subject, message.text, message.html, *attached))


def pdf_text(content: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages)


def zip_text(path: Path) -> str:
    """Every name in the archive and every file's text (a PDF's and a workbook's extracted,
    others decoded)."""
    parts = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            parts.append(name)
            if name.endswith(".pdf"):
                parts.append(pdf_text(content))
            elif name.endswith(".xlsx"):
                parts.append(workbook_text(content))
            else:
                parts.append(content.decode("utf-8", "replace"))
    return "\n".join(parts)


def workbook_text(path: Path | bytes) -> str:
    workbook = load_workbook(io.BytesIO(path) if isinstance(path, bytes) else path)
    return "\n".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


# --- the e-mails, the monitoring report and artifacts, the letter and package -----------------


def day_mail(
    new_uow: NewUow, instansi_id: int, failures: Iterable[FailedDelivery] = ()
) -> list[OutgoingMessage]:
    """Everything the instansi's people are sent on MONDAY: reminders, unit digests and the
    TPI summary, with the week's failed deliveries as `flows.reminders` passes them (every
    instansi's: the outbox keeps no instansi)."""
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi(instansi_id=instansi_id)
        assert instansi is not None
        mail = mail_for_day(
            uow,
            instansi=instansi,
            as_of=MONDAY,
            policy=reminder_policy(get_settings()),
            framework=lke(),
            failures=failures,
            portal_url=PORTAL,
        )
    return list(mail.messages)


def test_the_e_mails_monitoring_and_letter_of_a_name_only_a(
    new_uow: NewUow, engine: Engine, data_dir: Path
) -> None:
    agencies = three_agencies(new_uow, data_dir, packages=True)
    a = agencies.a
    # The e-mails of the day: each message whole (subject, text, HTML, the calendar attached).
    assert is_digest_day(MONDAY)
    failures = [
        FailedDelivery(recipient=agencies.b.tpi, reason="550 mailbox tpi@rahasia-b.go.id unknown"),
        FailedDelivery(recipient=agencies.c.heads["RAHASIA-C-SIAP"], reason="550 user unknown"),
        FailedDelivery(recipient=a.heads["UJI-RENDAH"], reason="550 user unknown"),
    ]
    messages = day_mail(new_uow, a.instansi_id, failures)
    assert {"reminder.daily", "digest.unit", "summary.tpi"} <= {m.kind for m in messages}
    assert {m.recipient for m in messages} <= {a.tpi, *a.heads.values()}
    for message in messages:
        assert_only_a(message_text(message), f"{message.kind} to {message.recipient}")
    (summary,) = [m for m in messages if m.kind == "summary.tpi"]
    # A's units, A's late items and A's own failed delivery are there: the summary was read.
    shows = [*A.units.values(), "Tim kerja Dinas Perizinan Uji", a.heads["UJI-RENDAH"]]
    assert_only_a(message_text(summary), "the TPI summary", shows=shows)
    # The unit still building gets its digest (UJI-SIAP, proposed, no longer does).
    name = A.units["UJI-RENDAH"]
    (digest,) = [m for m in messages if m.kind == "digest.unit"]
    assert digest.recipient == a.heads["UJI-RENDAH"]
    shows = [name, f"Lengkapi SK tim {name}", f"Survei IPAK {name}"]
    assert_only_a(message_text(digest), "UJI-RENDAH's digest", shows=shows)
    # The other way round: B's people get B's alone, nothing of A or C.
    for message in day_mail(new_uow, agencies.b.instansi_id, failures):
        assert message.recipient.endswith("@rahasia-b.go.id"), message.recipient
        text = message_text(message)
        assert "Uji" not in text and "RAHASIA-C" not in text, (message.kind, text)

    # The monitoring report (HTML) and the Prefect artifacts made of it.
    outcome = a.monitoring
    assert outcome.report_path is not None
    assert {row.code for row in outcome.report.units} == set(A.units)
    html = outcome.report_path.read_text(encoding="utf-8")
    assert_only_a(html, "the HTML report", shows=[*A.units, *A.units.values()])
    artifacts = monitoring_artifacts(outcome.report, str(outcome.report_path))
    table = json.dumps(list(artifacts.table.rows), default=str, ensure_ascii=False)
    assert_only_a(table, "the artifact table", shows=["UJI-SIAP"])
    assert_only_a(artifacts.description, "the artifact's description")
    assert_only_a(artifacts.markdown, "the artifact's summary", shows=["UJI-SIAP"])

    # The letter with its SPTJM, and the proposed unit's package (B proposed first, the same
    # year): every file of each zip, a PDF's text and a workbook's cells included.
    package, letter = agencies.packages[A.code]
    assert_only_a(zip_text(letter), "A's letter and SPTJM", shows=["UJI-SIAP", A.units["UJI-SIAP"]])
    assert_only_a(zip_text(package), "UJI-SIAP's package", shows=[A.units["UJI-SIAP"]])
    b_letter = zip_text(agencies.packages[B.code][1])  # the other way round
    assert "RAHASIA-B-SIAP" in b_letter and "UJI-SIAP" not in b_letter

    # The proposals still pending (a failed build, another run's crossing), read per period,
    # as the report, the artifacts and `zi monitor` list them.
    with engine.begin() as connection:  # every instansi's crossing waits for its proposal
        connection.execute(sa.update(ThresholdCrossing).values(proposal_id=None))
    with new_uow() as uow:
        pending = pending_proposals(uow, period_ids=[a.period_id])
    assert [p.code for p in pending] == ["UJI-SIAP"]
    assert_only_a("\n".join(pending_lines(pending)), "the pending lines", shows=["UJI-SIAP"])


def report_of(spec: Spec) -> MonitoringReport:
    """A monitoring report of the instansi whose ready unit waits for its proposal."""
    code = next(iter(spec.units))
    waiting = PendingProposal(1, 1, code, spec.units[code], "WBK", MONDAY, None)
    return MonitoringReport(
        instansi=spec.name,
        period=f"TPI {YEAR} {spec.code}",
        as_of=MONDAY,
        framework=lke().title,
        area_names={a.number: a.name for a in lke().areas},
        total_floors={"WBK": 75.0, "WBBM": 85.0},
        area_floors={"WBK": 60.0, "WBBM": 75.0},
        units=(),
        pending=(waiting,),
    )


def test_two_instansi_monitored_the_same_day_keep_their_own_report(data_dir: Path) -> None:
    reports = get_settings().data_dir / "reports"  # the flow's folder for every instansi
    a, b = report_of(A), report_of(B)
    a_path = write_monitoring_report(a, report_folder(reports, instansi=a.instansi, period_id=1))
    assert_only_a(a_path.read_text(encoding="utf-8"), "A's report", shows=["UJI-SIAP"])
    # B's run, later the same Monday, in the folder the flow gives B's period.
    write_monitoring_report(b, report_folder(reports, instansi=b.instansi, period_id=2))
    assert_only_a(a_path.read_text(encoding="utf-8"), "A's report", shows=["UJI-SIAP"])


KANWIL = "Kementerian Hukum dan Hak Asasi Manusia Republik Indonesia Kantor Wilayah Provinsi"


def test_instansi_with_alike_names_keep_their_own_packages(
    database_url: URL, data_dir: Path, request: pytest.FixtureRequest
) -> None:
    if database_url.get_backend_name() != "sqlite":
        pytest.skip("the file layout is the same on every database: tested once, on SQLite")
    new_uow: NewUow = request.getfixturevalue("new_uow")
    units = {"RUTAN-1": "Rutan Kelas I", "LAPAS-2": "Lapas Kelas II"}
    alike = (
        Spec("KANWIL-JABAR", f"{KANWIL} Jawa Barat", "jabar.go.id", units),
        Spec("KANWIL-RAHASIA", f"{KANWIL} Jawa Timur", "jatim.go.id", units),
    )
    # Each monitored and its RUTAN-1 proposed, the one of Jawa Barat (A) first.
    packages = [
        proposed(new_uow, monitored(new_uow, spec, data_dir), spec, data_dir) for spec in alike
    ]
    # A's package, read after B's proposal: A's documents, not B's.
    assert "Jawa Timur" not in zip_text(packages[0])
    assert packages[0] != packages[1]


# --- the CLI -------------------------------------------------------------------------------


def test_the_cli_outputs_for_a_name_only_a(
    new_uow: NewUow,
    agencies: Agencies,
    database_url: URL,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("ZI_DATABASE_URL", database_url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    runner = CliRunner()

    def zi(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env={"COLUMNS": "300"})
        assert result.exit_code == code, (args, result.output)
        return result.output

    of_a = ("--instansi", "KABUJI")
    on = ("--as-of", MONDAY.isoformat())
    assert_only_a(zi("status", *of_a, *on), "zi status", shows=A.units)
    assert_only_a(zi("proposals", *of_a, "--riwayat"), "zi proposals", shows=["UJI-SIAP"])
    listed = zi("proposals", *of_a, "--year", str(YEAR))
    assert_only_a(listed, "zi proposals --year", shows=["UJI-SIAP", "KABUJI/UJI-SIAP.zip"])
    assert_only_a(zi("complaint", "list", *of_a), "zi complaint list", shows=A.units)
    assert_only_a(zi("period", "list", *of_a), "zi period list", shows=[f"TPI {YEAR} KABUJI"])
    for code, name in A.units.items():
        listed = zi("evidence", "list", "--unit", code, *of_a)
        assert_only_a(listed, f"zi evidence list {code}", shows=[f"SK Tim {name}"])
        # A's unit by its database number, as `find_unit` also takes it.
        by_number = zi("evidence", "list", "--unit", str(agencies.a.units[code]), *of_a)
        assert_only_a(by_number, f"zi evidence list {code} by number", shows=[f"SK Tim {name}"])
    # B's unit by its number, in a command scoped to A: not found (it was B's unit).
    for other in (*agencies.b.units.values(), *agencies.c.units.values()):
        refused = zi("evidence", "list", "--unit", str(other), *of_a, code=2)
        assert_only_a(refused, f"zi evidence list --unit {other} --instansi KABUJI")

    # The workbooks the CLI writes for A: the agency workbook and the LKE forms.
    exported = tmp_path / "agensi.xlsx"
    zi("agency", "export", str(exported), *of_a)
    assert_only_a(workbook_text(exported), "zi agency export", shows=[*A.units, A.name])
    folder = tmp_path / "lke"
    assert_only_a(zi("lke", "template", *of_a, "--out", str(folder)), "zi lke template")
    forms = sorted(folder.glob("*.xlsx"))
    assert len(forms) == len(A.units), forms
    for form in forms:
        assert_only_a(workbook_text(form), form.name, shows=["Uji"])


# --- the portal ------------------------------------------------------------------------------


def test_the_portal_shows_a_s_people_only_a(new_uow: NewUow, agencies: Agencies) -> None:
    a = agencies.a
    mail = MailBox()
    client = TestClient(create_app(get_settings(), new_uow=new_uow, send_mail=mail.send))
    portal = PortalWorld(Agency(a.instansi_id, a.period_id, a.units), client, mail, new_uow)

    tpi = portal.sign_in(a.tpi)
    pages = {
        "/": [*A.units.values()],
        f"/instansi/{a.instansi_id}": [*A.units.values()],
        f"/instansi/{a.instansi_id}/usulan": [A.units["UJI-SIAP"]],
    }
    for code, unit_id in a.units.items():
        name = A.units[code]
        pages |= {
            f"/unit/{unit_id}": [name],
            f"/unit/{unit_id}/lke": [name],
            f"/unit/{unit_id}/tinjau": [name, f"Lengkapi SK tim {name}"],
            f"/unit/{unit_id}/bukti": [f"SK Tim {name}"],
            f"/unit/{unit_id}/berkas": [name],
        }
    for page, shows in pages.items():
        answer = tpi.get(page)
        assert answer.status_code == 200, (page, answer.status_code)
        assert_only_a(answer.text, f"{page} for A's TPI", shows=shows)
    for code, unit_id in a.units.items():
        workbook = tpi.get(f"/unit/{unit_id}/berkas/lke")
        assert workbook.status_code == 200, code
        assert_only_a(workbook_text(workbook.content), f"{code}'s LKE download", shows=[code])

    head = portal.sign_in(a.heads["UJI-SIAP"])
    unit_id = a.units["UJI-SIAP"]
    for page in (f"/unit/{unit_id}", f"/unit/{unit_id}/lke", f"/unit/{unit_id}/bukti"):
        answer = head.get(page)
        assert answer.status_code == 200, page
        assert_only_a(answer.text, f"{page} for its head", shows=[A.units["UJI-SIAP"]])
    for other in (*agencies.b.units.values(), *agencies.c.units.values()):
        assert head.get(f"/unit/{other}").status_code == 404
        assert tpi.get(f"/unit/{other}").status_code == 404
