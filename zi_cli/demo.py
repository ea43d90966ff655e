"""The demo: a fictional regency's ZI year replayed week by week through the real flows.

Pemerintah Kabupaten Sukamaju (fiktif) declared ZI in 2025 and designated ten units, which have
been building since. The replay covers 2026: the new declaration and its calendar, the
designation of new candidates (one refused), development, weekly TPI monitoring from February to
May while the units' answers improve, units crossing the WBK floors and being proposed, one unit
meeting even the WBBM floors but proposed for WBK first (WBBM only after WBK), one held back by a
prerequisite, then TPN's stages and the awards of 7 December. After them the year goes on as the
regulation has it: the awarded units build on toward WBBM, the rejected one goes back to
development, the Bupati awards WBK mandiri to the Puskesmas (5/2024), and one awarded unit is
revoked after complaints of maladministration (its building goes on; no proposal for two years).

Everything goes through the same flows, services and database code as real use, in a data folder
of its own (`demo/` under the data folder: SQLite database, reports, e-mails in a Maildir), made
anew at every run. The year's reminders and digests go to the local mail sink.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from notifications.sink import default_folder, sink_process
from persistence.database import default_engine
from persistence.tables import AssessmentKind, LifecycleEventCreate
from persistence.unit_of_work import SqlUnitOfWork
from services.agency import import_agency
from services.assessments import AssessmentImport, import_assessments, open_period
from zi_cli.output import print_path, progress
from zi_domain.agency import (
    INSTANSI_HEAD_ROLE,
    TEAM_MEMBER_ROLE,
    TPI_ROLE,
    UNIT_HEAD_ROLE,
    AgencyRecords,
    InstansiRecord,
    InstansiStanding,
    MemberRecord,
    UnitRecord,
    UnitStanding,
)
from zi_domain.framework import Framework
from zi_domain.indonesian import angka, tanggal
from zi_domain.lifecycle import STATE_LABELS, UnitState
from zi_domain.predicates import Predicate
from zi_domain.proposal import ProposalState
from zi_domain.surveys import SurveyMethod

INSTANSI = "Pemerintah Kabupaten Sukamaju (fiktif)"
INSTANSI_CODE = "KAB-SKM"
YEAR = 2026
FIRST_MONITORING = date(YEAR, 2, 2)
LAST_MONITORING = date(YEAR, 5, 25)
SURVEYS_DONE = date(YEAR, 3, 30)
SURVEY_FIELDWORK = date(YEAR, 2, 2)  # the TPI's respondents were served from here to SURVEYS_DONE
SERVICE_TYPES = {
    "DISDUKCAPIL": ("Kartu Tanda Penduduk elektronik", "Kartu Keluarga", "Akta kelahiran"),
    "RSUD": ("Rawat jalan", "Rawat inap", "Instalasi gawat darurat"),
    "DLH": ("Persetujuan lingkungan", "Pengangkutan sampah"),
    "DPMPTSP": ("Perizinan berusaha", "Persetujuan bangunan gedung"),
    "BAPENDA": ("Pajak bumi dan bangunan", "Pajak daerah lainnya"),
    "DISDIK": ("Legalisasi ijazah", "Mutasi peserta didik"),
    "DINSOS": ("Bantuan sosial", "Rekomendasi penerima bantuan iuran jaminan kesehatan"),
    "DISNAKER": ("Kartu pencari kerja", "Pelatihan kerja"),
    "KEC-KOTA": ("Surat keterangan", "Rekomendasi perizinan"),
    "DISHUB": ("Uji berkala kendaraan bermotor", "Izin trayek"),
    "SATPOLPP": ("Pengaduan ketertiban umum",),
    "PUSKESMAS": ("Pemeriksaan umum", "Kesehatan ibu dan anak"),
}
"""Each unit's service types as its agency records name them: every one answered for in its
surveys (Lampiran II p.56 e)."""


@dataclass(frozen=True)
class DemoUnit:
    """A unit of the story: where its answers start and end, its surveys, its standing."""

    code: str
    name: str
    start: float  # share of questions at the top answer in February
    end: float  # ... by the end of May
    ipak: str
    kinerja: str
    ipkp: str
    new: bool = False  # designated in 2026 (building since then)
    wide_impact: bool = True
    lhkasn: float = 100.0
    tpn: str = "awarded"  # what TPN decides if the unit is proposed
    wbk_decree: date | None = None  # awarded WBK before the replayed year: builds toward WBBM
    story: str = ""
    extra: dict[str, str] = field(default_factory=dict)


UNITS = (
    DemoUnit(
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil",
        0.80,
        1.0,
        "3,85",
        "A",
        "3,80",
    ),
    DemoUnit(
        "RSUD",
        "RSUD Sukamaju",
        0.85,
        1.0,
        "3,90",
        "A",
        "3,85",
        story="memenuhi batas WBBM, tetapi WBBM hanya setelah WBK",
    ),
    DemoUnit(
        "DLH",
        "Dinas Lingkungan Hidup",
        0.85,
        1.0,
        "3,92",
        "A",
        "3,88",
        wbk_decree=date(YEAR - 2, 12, 9),
        story="WBK sejak 9 Desember 2024: membangun menuju WBBM, diusulkan WBBM",
    ),
    DemoUnit(
        "DPMPTSP",
        "Dinas Penanaman Modal dan PTSP",
        0.70,
        0.97,
        "3,75",
        "B",
        "3,60",
    ),
    DemoUnit(
        "BAPENDA",
        "Badan Pendapatan Daerah",
        0.65,
        0.95,
        "3,70",
        "B",
        "3,45",
        tpn="rejected",
        story="ditolak pada evaluasi lapangan: kembali membangun, dapat diusulkan lagi 2027",
    ),
    DemoUnit(
        "DISDIK",
        "Dinas Pendidikan",
        0.70,
        0.97,
        "3,75",
        "B",
        "3,19",
        story="IPKP 3,19: kurang pada pelayanan prima",
    ),
    DemoUnit(
        "DINSOS",
        "Dinas Sosial",
        0.75,
        0.98,
        "3,70",
        "B",
        "3,50",
        lhkasn=92.0,
        story="memenuhi batas WBK, tertahan prasyarat LHKASN 92 %",
    ),
    DemoUnit(
        "DISNAKER",
        "Dinas Tenaga Kerja",
        0.70,
        0.95,
        "3,72",
        "D",
        "3,60",
        story="kinerja D: kurang pada capaian kinerja",
    ),
    DemoUnit(
        "KEC-KOTA",
        "Kecamatan Sukamaju Kota",
        0.45,
        0.80,
        "3,55",
        "C",
        "3,40",
        story="membaik, belum memenuhi batas",
    ),
    DemoUnit(
        "DISHUB",
        "Dinas Perhubungan",
        0.30,
        0.60,
        "3,30",
        "C",
        "3,10",
        story="masih jauh dari batas",
    ),
    DemoUnit(
        "SATPOLPP",
        "Satuan Polisi Pamong Praja",
        0.20,
        0.45,
        "3,00",
        "D",
        "2,90",
        story="masih jauh dari batas",
    ),
    DemoUnit(
        "PUSKESMAS",
        "Puskesmas Sukamaju",
        0.80,
        1.0,
        "3,80",
        "B",
        "3,70",
        new=True,
        story="ditetapkan 2026: belum satu tahun membangun untuk diusulkan ke TPN",
    ),
    DemoUnit(
        "SETDA-UMUM",
        "Bagian Umum Sekretariat Daerah",
        0.5,
        0.7,
        "3,4",
        "C",
        "3,3",
        new=True,
        wide_impact=False,
        story="ditetapkan; kriteria dampak luas tidak terpenuhi (ditimbang, dicatat)",
    ),
)


@dataclass(frozen=True)
class DemoResult:
    database: Path
    reports: Path
    last_report: Path | None


@contextmanager
def demo_data_folder(data_dir: Path) -> Iterator[Path]:
    """The demo's own data folder (`<data folder>/demo`: database, reports, e-mails), made
    anew, with the product's settings pointed at it for the duration of the demo."""
    from config.settings import DEFAULT_PORTAL_URL, get_settings

    folder = data_dir / "demo"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    saved = {
        name: os.environ.get(name)
        for name in ("ZI_DATA_DIR", "ZI_DATABASE_URL", "ZI_SMTP_HOST", "ZI_WEB_BASE_URL")
    }
    os.environ["ZI_DATA_DIR"] = str(folder)
    os.environ["ZI_WEB_BASE_URL"] = DEFAULT_PORTAL_URL  # the digests link to `zi web --demo`
    os.environ.pop("ZI_DATABASE_URL", None)  # the embedded SQLite file of the demo folder
    os.environ.pop("ZI_SMTP_HOST", None)  # e-mails to the local sink, never to a real relay
    get_settings.cache_clear()
    try:
        yield folder
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def mondays(first: date, last: date) -> Iterator[date]:
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    while day <= last:
        yield day
        day += timedelta(days=7)


def run_demo(framework: Framework, data_dir: Path, console: Console) -> DemoResult:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with (
        demo_data_folder(data_dir) as folder,
        temporary_settings(
            {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}  # a replay, not a production run
        ),
        sink_process(default_folder(folder)),  # one mail sink for the year's 52 reminder runs
    ):
        ids = seed(framework)
        last_report = replay_year(framework, ids, console)
        print_summary(console, ids)
    reports, mail, database = folder / "reports", default_folder(folder), folder / "zi.db"
    print_path("Laporan pemantauan mingguan (HTML):", reports, to=console)
    if last_report is not None:
        print_path("Laporan terakhir:", last_report, to=console)
    count = len(list((mail / "new").glob("*")))
    print_path(
        f"E-mail pengingat dan ringkasan: {count} pesan, folder Maildir (mutt -f FOLDER):",
        mail,
        to=console,
    )
    print_packages(console, folder)
    print_path("Basis data demo:", database, to=console)
    return DemoResult(database=database, reports=reports, last_report=last_report)


def seed(framework: Framework) -> dict[str, int]:
    """The regency, its units and their standing, registered from its agency records as a real
    agency does (`zi agency import`); 2025's declaration and designation."""
    from flows.declare import declare
    from flows.designate import designate
    from flows.develop import develop
    from zi_cli.stages import prefect_api_started_meanwhile

    with prefect_api_started_meanwhile():  # the flows below need it; registering does not
        ids = register(framework)
    previous = [u.code for u in UNITS if not u.new]
    declare(instansi=ids["instansi"], year=YEAR - 1, as_of=date(YEAR - 1, 1, 6))
    designate(
        instansi=ids["instansi"],
        candidates=previous,
        sk_number="800/15/2025",
        year=YEAR - 1,
        as_of=date(YEAR - 1, 1, 27),
    )
    develop(
        instansi=ids["instansi"],
        year=YEAR - 1,
        as_of=date(YEAR - 1, 2, 3),
        framework=framework.name,
    )
    finish_last_years_plans(ids)
    record_earlier_awards(ids)
    return ids


def register(framework: Framework) -> dict[str, int]:
    """The regency and its units registered from its agency records (`zi agency import`), their
    evidence, and the TPI's assessment period of the year; their ids by code."""
    with SqlUnitOfWork(default_engine()) as uow:
        import_agency(uow, records=agency_records(), dry_run=False)
        instansi = uow.instansi.get_instansi_by_code(code=INSTANSI_CODE)
        assert instansi is not None and instansi.id is not None
        ids = {"instansi": instansi.id}
        for unit in uow.units.list_units(instansi_id=instansi.id):
            assert unit.id is not None
            ids[unit.code] = unit.id
        add_evidence(uow, framework)
        opened = open_period(
            uow,
            instansi_id=instansi.id,
            year=YEAR,
            name=f"Penilaian TPI {YEAR}",
            starts_on=date(YEAR, 2, 1),
            ends_on=date(YEAR, 5, 31),
        )
        assert opened.period.id is not None
        ids["period"] = opened.period.id
        uow.commit()
    return ids


def record_earlier_awards(ids: dict[str, int]) -> None:
    """The units awarded WBK before the replayed year, as that year's records left them: the
    Minister's decree, then building on toward WBBM from its date (Tabel 5 counts the year of
    building toward WBBM from there)."""
    from services.lifecycle import at_noon

    with SqlUnitOfWork(default_engine()) as uow:
        for unit in UNITS:
            if unit.wbk_decree is None:
                continue
            row = uow.units.get_unit(unit_id=ids[unit.code])
            assert row is not None and row.id is not None
            steps = (
                ("award", UnitState.TPN_PANEL, UnitState.AWARDED_WBK),
                ("resume_development", UnitState.AWARDED_WBK, UnitState.DEVELOPING),
            )
            for kind, before, after in steps:
                uow.units.record_event(
                    event=LifecycleEventCreate(
                        instansi_id=row.instansi_id,
                        unit_id=row.id,
                        year=unit.wbk_decree.year,
                        kind=kind,
                        from_state=before,
                        to_state=after,
                        sk_number=f"KEP-480/M.PANRB/12/{unit.wbk_decree.year}",
                        decree_date=unit.wbk_decree,
                        actor="TPN",
                        occurred_at=at_noon(unit.wbk_decree),
                    )
                )
            row.predicate = Predicate.WBK
        uow.commit()


def agency_records() -> AgencyRecords:
    """What the regency's coordinator types into the agency workbook."""
    team = tuple(
        MemberRecord(
            name=f"{person} {unit.code}",
            nip=None,
            email=f"{person.lower()}.{unit.code.lower()}@sukamaju.go.id",
            role=role,
            unit_code=unit.code,
        )
        for unit in UNITS
        for role, person in ((UNIT_HEAD_ROLE, "Kepala"), (TEAM_MEMBER_ROLE, "Anggota"))
    )
    tpi = tuple(
        MemberRecord(
            name=name,
            nip=None,
            email=f"{name.lower().replace(' ', '.')}@inspektorat.sukamaju.go.id",
            role=TPI_ROLE,
            unit_code=None,
        )
        for name in ("Inspektur Pembantu I", "Auditor Madya TPI")
    )
    head = MemberRecord("Bupati Sukamaju", None, "bupati@sukamaju.go.id", INSTANSI_HEAD_ROLE, None)
    return AgencyRecords(
        instansi=InstansiRecord(
            code=INSTANSI_CODE,
            name=INSTANSI,
            kind="pemerintah_daerah",
            region="Provinsi Nusantara (fiktif)",
            head_name="Bupati Sukamaju",
            head_title="Bupati Sukamaju",
            head_elected=True,
        ),
        units=tuple(
            UnitRecord(
                code=unit.code,
                name=unit.name,
                core_service=True,
                high_corruption_risk=True,
                wide_public_impact=unit.wide_impact,
                service_types=SERVICE_TYPES.get(unit.code, ("Pelayanan umum",)),
                priority_regional_service=False,
            )
            for unit in UNITS
        ),
        members=(head, *tpi, *team),
        instansi_standings=tuple(
            InstansiStanding(
                year=year, bpk_opinion="WTP", sakip_grade="BB", indeks_rb="B", spip_level=3
            )
            for year in (YEAR - 1, YEAR)
        ),
        unit_standings=tuple(
            UnitStanding(
                unit_code=unit.code,
                year=YEAR,
                follow_up_findings_percent=100.0,
                lhkpn_percent=100.0,
                lhkasn_percent=unit.lhkasn,
                internal_sakip_grade="BB",
            )
            for unit in UNITS
        ),
    )


def finish_last_years_plans(ids: dict[str, int]) -> None:
    """Last year's work items, done in 2025 in the share of the unit's starting quality."""
    with SqlUnitOfWork(default_engine()) as uow:
        for unit in UNITS:
            items = uow.work_plans.items(unit_id=ids[unit.code], year=YEAR - 1)
            for item in items[: int(len(items) * unit.start)]:
                assert item.id is not None
                uow.work_plans.complete_item(item_id=item.id, on=item.due_on)
        uow.commit()


def add_evidence(uow: SqlUnitOfWork, framework: Framework) -> None:
    """Evidence per indicator for the share of indicators the unit has documented, most
    dated 2024-2025 and a few 2023 (listed, never left out: the regulation sets no window):
    each unit's folder laid out by LKE code (`bukti-masuk/<unit>/A.I.1.i/...`, the date in each
    file's name), brought in as `zi evidence import` does, the files kept in the evidence store
    and carried by the packages."""
    from config.settings import get_settings
    from services.evidence import EvidenceRequest, import_evidence

    data_dir = get_settings().data_dir
    for unit in UNITS:
        folder = data_dir / "bukti-masuk" / unit.code
        documented = np.random.default_rng(len(unit.name)).random(len(framework.indicators))
        for indicator, draw in zip(framework.indicators, documented, strict=True):
            if draw > unit.end:
                continue
            year = YEAR - 3 if draw > unit.end - 0.05 else YEAR - 1 - int(draw * 10) % 2
            title = f"Bukti {indicator.code} {unit.code} {year}-06-30"
            path = folder / indicator.code / f"{title}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{title}\n{indicator.name}\n", encoding="utf-8")
        if folder.exists():
            request = EvidenceRequest(unit.code, framework, YEAR, "demo", instansi=INSTANSI_CODE)
            import_evidence(uow, folder=folder, request=request, data_dir=data_dir)


def replay_year(framework: Framework, ids: dict[str, int], console: Console) -> Path | None:
    """Every Monday of the year: what the calendar holds that week, then TPI monitoring."""
    from flows.declare import declare
    from flows.designate import designate
    from flows.develop import develop
    from flows.monitor import monitor
    from flows.reminders import send_reminders
    from flows.submit import submit

    weeks = list(mondays(date(YEAR, 1, 1), date(YEAR, 12, 31)))
    readiness = {
        u.code: np.random.default_rng(len(u.code) * 7919).random(len(framework.questions))
        for u in UNITS
    }
    last_report: Path | None = None
    with progress(f"Tahun {YEAR} minggu demi minggu", len(weeks)) as steps:
        for monday in weeks:
            if monday == date(YEAR, 1, 5):
                declare(instansi=ids["instansi"], year=YEAR, as_of=monday)
            if monday == date(YEAR, 1, 19):
                outcome = designate(
                    instansi=ids["instansi"],
                    sk_number="800/9/2026",
                    candidates=[u.code for u in UNITS if u.new],
                    as_of=monday,
                )
                for code, reason in outcome["refused"].items():
                    console.print(f"[yellow]Penetapan ditolak:[/] {code}: {reason}")
                for code, note in outcome["noted"].items():
                    console.print(f"Penetapan {code}: {note}")
            if monday == date(YEAR, 1, 26):
                develop(instansi=ids["instansi"], as_of=monday, framework=framework.name)
            if FIRST_MONITORING <= monday <= LAST_MONITORING:
                record_week(framework, ids, monday, readiness)
                result = monitor(as_of=monday, instansi=ids["instansi"], framework=framework.name)
                last_report = Path(result["reports"][-1]) if result["reports"] else last_report
                for crossing in result["crossings"]:
                    code = next(u.code for u in UNITS if ids.get(u.code) == crossing["unit_id"])
                    console.print(
                        f"{tanggal(monday)}: {code} memenuhi batas {crossing['predicate']} "
                        "dan diusulkan ke TPN"
                    )
            if monday == SUBMISSION:
                sent = submit(instansi=ids["instansi"], year=YEAR, as_of=monday)
                console.print(
                    f"{tanggal(monday)}: surat usulan ditandatangani; "
                    f"{len(sent['submitted'])} usulan dikirim ke TPN"
                )
            record_tpn(ids, monday)
            after_the_awards(ids, monday, console)
            send_reminders(as_of=monday, instansi=ids["instansi"], days=7, replay=True)
            steps.advance()
    return last_report


def record_week(
    framework: Framework, ids: dict[str, int], monday: date, readiness: dict[str, np.ndarray]
) -> None:
    """The TPI's answers as they stand this week, imported for every unit at once as a real
    agency's long CSV is (a new version where they changed): each question reaches its top
    answer in the week set by its readiness; from the end of March the TPI's surveys are in
    (imported from their respondent files that week, B.I.a and B.II.a carried on from them) and
    the performance result (B.I.b) is given."""
    if SURVEYS_DONE <= monday < SURVEYS_DONE + timedelta(days=7):
        collect_surveys(framework, monday)
    progress = (monday - FIRST_MONITORING).days / (LAST_MONITORING - FIRST_MONITORING).days
    frames = []
    with SqlUnitOfWork(default_engine()) as uow:
        for unit in assessed_units():
            share = unit.start + (unit.end - unit.start) * progress
            rows = [
                (q.code, _answer(q.answer_type.values, ready < share))
                for q, ready in zip(framework.questions, readiness[unit.code], strict=True)
            ]
            if monday >= SURVEYS_DONE:
                rows.append(("B.I.b", unit.kinerja))
            rows += survey_answers(uow, ids[unit.code], ids["period"])
            frames.append(
                pd.DataFrame(rows, columns=["code", "answer"]).assign(unit=ids[unit.code])
            )
            top = {c for c, a in rows[: len(framework.questions)] if a in ("Ya", "A", "100%")}
            complete_ready_items(uow, ids[unit.code], framework, top, monday)
        answers = pd.concat(frames, ignore_index=True)
        import_assessments(
            uow,
            context=AssessmentImport(
                period_id=ids["period"],
                kind=AssessmentKind.TPI,
                framework=framework,
                source=f"jawaban TPI {monday.isoformat()}",
                actor="Inspektorat Kabupaten Sukamaju",
            ),
            answers=answers.assign(row=range(2, len(answers) + 2)),
        )


def assessed_units() -> Iterator[DemoUnit]:
    """The units the TPI assesses: all but the one designated without wide public impact."""
    return (u for u in UNITS if not (u.new and not u.wide_impact))


def survey_answers(uow: SqlUnitOfWork, unit_id: int, period_id: int) -> list[tuple[str, str]]:
    """B.I.a and B.II.a as the unit's stored TPI surveys computed them: a weekly import
    replaces the whole answer set, so the survey's index is carried on in it."""
    from persistence.tables import SurveyKind, SurveySource
    from zi_domain.surveys import LKE_ITEM, answer_text

    rows = []
    for kind in SurveyKind:
        found = uow.surveys.latest_survey(
            unit_id=unit_id, period_id=period_id, kind=kind, source=SurveySource.TPI
        )
        if found is not None:
            rows.append((LKE_ITEM[kind.value], answer_text(found.index)))
    return rows


def collect_surveys(framework: Framework, monday: date) -> None:
    """The TPI's IPAK and IPKP surveys of every assessed unit: a respondent file each
    (`survei-masuk/<unit>/<ipak|ipkp>-2026.csv`), imported as `zi survey import --source tpi`
    does, the index going into the TPI's B.I.a / B.II.a."""
    from config.settings import get_settings
    from config.survey_methods import load_survey_method
    from persistence.tables import SurveyKind, SurveySource
    from services.surveys import SurveyRequest, import_survey

    method = load_survey_method()
    folder = get_settings().data_dir / "survei-masuk"
    with SqlUnitOfWork(default_engine()) as uow:
        for unit in assessed_units():
            for kind in SurveyKind:
                path = folder / unit.code / f"{kind.value}-{YEAR}.csv"
                path.parent.mkdir(parents=True, exist_ok=True)
                respondent_file(unit, kind.value, method).to_csv(path, index=False)
                request = SurveyRequest(
                    kind=kind,
                    source=SurveySource.TPI,
                    unit_code=unit.code,
                    method=method,
                    framework=framework,
                    as_of=monday,
                    actor="Inspektorat Kabupaten Sukamaju",
                    instansi=INSTANSI_CODE,
                )
                import_survey(uow, path=path, request=request)


def respondent_file(unit: DemoUnit, kind: str, method: SurveyMethod) -> pd.DataFrame:
    """The unit's respondents of one survey: at least the method's minimum, every service type
    of the unit in turn, served between the start of fieldwork and SURVEYS_DONE; the answers
    spread deterministically so that the index is the unit's intended one (`ipak`, `ipkp`), or
    as near as the scale allows. Every aspect of the default method has the same number of
    items, so the index is the mean of all answers (rescaled): n is the smallest number of
    respondents (up to 100) whose answer total comes nearest to the target."""
    from spreadsheets.survey_form import template_header

    instrument = method.instrument(kind)
    items = [item.code for item in instrument.items]
    target = float(str(getattr(unit, kind)).replace(",", ".")) * method.scale_max
    target /= method.index_max

    def total(n: int) -> int:
        cells = n * len(items)
        return min(max(round(target * cells), method.scale_min * cells), method.scale_max * cells)

    n = min(
        range(method.min_respondents, 101),
        key=lambda k: (round(abs(total(k) / (k * len(items)) - target), 9), k),
    )
    cells = n * len(items)
    values = np.full(cells, total(n) // cells)
    order = np.random.default_rng(len(unit.code) * 7 + len(kind)).permutation(cells)
    values[order[: total(n) % cells]] += 1
    grid = values.reshape(n, len(items))
    types = SERVICE_TYPES.get(unit.code, ("Pelayanan umum",))
    span = (SURVEYS_DONE - SURVEY_FIELDWORK).days
    rows = [
        [
            f"{unit.code}-{kind.upper()}-{r + 1:03d}",
            unit.code,
            types[r % len(types)],
            (SURVEY_FIELDWORK + timedelta(days=r * span // n)).isoformat(),
            *(str(int(v)) for v in grid[r]),
        ]
        for r in range(n)
    ]
    return pd.DataFrame(rows, columns=template_header(instrument))


def complete_ready_items(
    uow: SqlUnitOfWork, unit_id: int, framework: Framework, top: set[str], monday: date
) -> None:
    """The unit team ticks off a work item once every question of its indicator is at the top,
    and its survey tasks once the surveys are in (committed with the week's answers)."""
    done = {i.code for i in framework.indicators if all(q.code in top for q in i.questions)}
    if monday >= SURVEYS_DONE:
        done |= {"survei:ipak", "survei:ipkp"}
    for year in (YEAR - 1, YEAR):
        for item in uow.work_plans.items(unit_id=unit_id, year=year):
            if item.completed_on is None and item.code in done:
                assert item.id is not None
                uow.work_plans.complete_item(item_id=item.id, on=monday)


def _answer(values: dict[str, float], ready: bool) -> str:
    """The top answer when ready; otherwise the one just below it (a percentage: 50 %)."""
    if not values:
        return "100%" if ready else "50%"
    ranked = sorted(values, key=lambda k: -values[k])
    return ranked[0] if ready else ranked[1]


SUBMISSION = date(YEAR, 5, 25)  # the last Monday before TPN's deadline of 31 May
TPN_CALENDAR = (
    (date(YEAR, 7, 6), "tpn_administrative"),
    (date(YEAR, 8, 3), "tpn_desk"),
    (date(YEAR, 9, 7), "tpn_field"),
    (date(YEAR, 10, 5), "tpn_panel"),
    (date(YEAR, 12, 7), "awarded"),
)


def record_tpn(ids: dict[str, int], monday: date) -> None:
    """TPN's stages for every proposed unit; the rejected one falls at the field evaluation."""
    from flows.tpn_result import tpn_result

    stage = next((s for d, s in TPN_CALENDAR if d == monday), None)
    if stage is None:
        return
    with SqlUnitOfWork(default_engine()) as uow:
        proposals = [
            (unit, p)
            for unit in UNITS
            for predicate in Predicate
            if (
                p := uow.proposals.latest_proposal(
                    unit_id=ids[unit.code], year=YEAR, predicate=predicate
                )
            )
            is not None
        ]
        states = {u.code: uow.units.get_unit(unit_id=ids[u.code]) for u, _ in proposals}
    for unit, proposal in proposals:
        current = states[unit.code]
        predicate = proposal.predicate.value
        if current is None or proposal.state in (ProposalState.REJECTED, ProposalState.AWARDED):
            continue
        if proposal.state == ProposalState.DRAFT:
            continue  # proposed after the letter went out: it waits for next year's letter
        result = "rejected" if unit.tpn == "rejected" and stage == "tpn_field" else stage
        awarded = result == "awarded"
        tpn_result(
            unit_id=ids[unit.code],
            result=result,
            predicate=predicate,
            year=YEAR,
            as_of=monday,
            decree=AWARD_DECREE if awarded else None,
            decree_date=monday if awarded else None,
        )


AWARD_DECREE = f"KEP-512/M.PANRB/12/{YEAR}"
MANDIRI = ("PUSKESMAS", date(YEAR, 12, 14), f"188.45/731/KPTS/{YEAR}")
COMPLAINTS = (
    (date(YEAR, 12, 14), "Pungutan di luar tarif resmi pada loket pelayanan"),
    (date(YEAR, 12, 21), "Calo menawarkan percepatan layanan di halaman kantor"),
)
REVOKED = ("DISDUKCAPIL", date(YEAR, 12, 28), f"KEP-601/M.PANRB/12/{YEAR}")


def after_the_awards(ids: dict[str, int], monday: date, console: Console) -> None:
    """December after the awards: WBK mandiri by the Bupati (5/2024 Bab II B), complaints about
    an awarded unit, and its revocation by the Minister (90/2021 Lampiran II Bab III C)."""
    from services.after_award import add_complaint, award_wbk_mandiri, revoke_predicate
    from services.lifecycle import Decree

    with SqlUnitOfWork(default_engine()) as uow:
        if monday == MANDIRI[1]:
            unit = uow.units.get_unit(unit_id=ids[MANDIRI[0]])
            assert unit is not None
            award_wbk_mandiri(
                uow,
                unit=unit,
                decree=Decree(number=MANDIRI[2], dated=monday),
                as_of=monday,
                actor="Bupati Sukamaju",
            )
            console.print(f"{tanggal(monday)}: {MANDIRI[0]} berpredikat WBK mandiri ({MANDIRI[2]})")
        revoked = uow.units.get_unit(unit_id=ids[REVOKED[0]])
        assert revoked is not None
        for received, summary in COMPLAINTS:
            if monday == received and revoked.predicate is not None:
                add_complaint(
                    uow,
                    unit=revoked,
                    received_on=monday,
                    summary=summary,
                    source="SP4N-LAPOR!",
                    actor="Inspektorat Kabupaten Sukamaju",
                )
                console.print(f"{tanggal(monday)}: pengaduan atas {REVOKED[0]}: {summary}")
        if monday == REVOKED[1] and revoked.predicate is not None:
            revoke_predicate(
                uow,
                unit=revoked,
                decree=Decree(number=REVOKED[2], dated=monday),
                as_of=monday,
                actor="Menteri PANRB (atas laporan TPI)",
                reason="maladministrasi terbukti setelah klarifikasi dengan TPI",
            )
            console.print(f"{tanggal(monday)}: predikat {REVOKED[0]} dicabut ({REVOKED[2]})")


SUMMARY_CAPTION = "WBK, WBBM: total TPI terakhir memenuhi batas nilai predikat itu (ya/tidak)."


def print_summary(console: Console, ids: dict[str, int]) -> None:
    table = Table(title=f"{INSTANSI}: akhir tahun {YEAR}", caption=SUMMARY_CAPTION)
    for column, justify, ratio in (
        ("Unit kerja", "left", 2),
        ("Tahap", "left", 2),
        ("Total", "right", None),
        ("WBK", "center", None),
        ("WBBM", "center", None),
        ("Predikat", "center", None),
        ("Catatan", "left", 5),
    ):
        table.add_column(
            column,
            justify=justify,  # type: ignore[arg-type]
            ratio=ratio,
            no_wrap=ratio is None,
            overflow="fold",
        )
    with SqlUnitOfWork(default_engine()) as uow:
        crossed = {c.unit_id: c for c in uow.monitoring.crossings(period_id=ids["period"])}
        for unit in UNITS:
            row = uow.units.get_unit(unit_id=ids[unit.code])
            assert row is not None
            latest = uow.snapshots.latest_snapshot(unit_id=ids[unit.code])
            crossing = crossed.get(ids[unit.code])
            notes = (
                [f"batas {crossing.predicate.value} terpenuhi {tanggal(crossing.as_of)}, diusulkan"]
                if crossing
                else []
            ) + _after_award_notes(uow, ids, unit, row.predicate)
            table.add_row(
                unit.name,
                STATE_LABELS[UnitState(row.state)],
                angka(latest.total) if latest else "-",
                _mark(latest.meets_wbk if latest else None),
                _mark(latest.meets_wbbm if latest else None),
                row.predicate.value if row.predicate else "-",
                "; ".join(notes + ([unit.story] if unit.story else [])),
            )
    console.print(table)


def _after_award_notes(
    uow: SqlUnitOfWork, ids: dict[str, int], unit: DemoUnit, held: Predicate | None
) -> list[str]:
    """What happened to the unit after TPN's outcome, as its lifecycle events record it."""
    words = {
        ("award", UnitState.AWARDED_WBK): "ditetapkan WBK",
        ("award", UnitState.AWARDED_WBBM): "ditetapkan WBBM",
        ("award_mandiri", UnitState.AWARDED_WBK): "WBK mandiri",
        ("reject", UnitState.REJECTED): "ditolak TPN",
        ("revoke", UnitState.REVOKED): "predikat dicabut",
    }
    events = uow.units.events(instansi_id=ids["instansi"], unit_id=ids[unit.code])
    notes = [
        f"{words[(e.kind, UnitState(e.to_state))]} {tanggal(e.decree_date or e.occurred_at.date())}"
        for e in events
        if (e.kind, e.to_state) in words and e.year == YEAR
    ]
    complaints = uow.units.complaints(instansi_id=ids["instansi"], unit_id=ids[unit.code])
    if complaints:
        notes.append(f"{len(complaints)} pengaduan")
    if held == Predicate.WBK:
        notes.append("membangun menuju WBBM")
    return notes


def _mark(met: bool | None) -> str:
    return "-" if met is None else ("[green]ya[/]" if met else "[red]tidak[/]")


def print_packages(console: Console, folder: Path) -> None:
    """The year's proposal packages on disk: the instansi's letter and each unit's package."""
    from services.proposals import PACKAGES_FOLDER

    packages = sorted((folder / PACKAGES_FOLDER).rglob("*.zip"))
    console.print(
        f"Paket usulan ke TPN ({len(packages)} berkas zip, tiap zip berisi manifest.json):"
    )
    for package in packages:
        print_path(None, package, to=console)
