"""`zi survey`: the IPAK and IPKP questionnaires out, their respondents in.

`template` writes the questionnaire workbook of the configured method (and, with --csv, the
matching CSV header); `import` checks a respondent file (or an online form's export with a
mapping file), stores the index with its source, n and coverage, and records it as the unit's
LKE answer (B.I.a / B.II.a). Bad input exits 2 with every problem and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from config.survey_methods import DEFAULT_METHOD
from zi_cli.help_text import ZiTyper
from zi_cli.output import AsOf, bounded, clean, day, errors, fail, print_path, say, shown
from zi_domain.indonesian import angka
from zi_domain.predicates import next_predicate
from zi_domain.surveys import SurveyMethod
from zi_domain.unit_score import shortfall_words

if TYPE_CHECKING:
    from services.surveys import ImportedSurvey, SurveyRequest

survey_app = ZiTyper(help="Survei IPAK dan IPKP: kuesioner dan impor responden.")

Kind = Annotated[str, typer.Option("--kind", metavar="JENIS", help="ipak atau ipkp.")]
Method = Annotated[
    str | None,
    typer.Option(
        "--method",
        metavar="NAMA",
        help=f"Metode survei (config/surveys); bawaan: {DEFAULT_METHOD}.",
    ),
]
Period = Annotated[
    str | None,
    typer.Option(metavar="NAMA", help="Nama periode penilaian; bawaan: periode pada --as-of."),
]
Instansi = Annotated[
    str | None, typer.Option("--instansi", metavar="KODE", help="Kode instansi unit itu.")
]
KIND_NAMES = ("ipak", "ipkp")
SOURCE_WORDS = {
    "mandiri": "survei mandiri unit",
    "tpi": "survei TPI",
    "tpn": "survei TPN (menggantikan survei TPI untuk hasil TPN)",
}


def _kind(kind: str) -> str:
    if kind.lower() not in KIND_NAMES:
        fail(f"--kind {kind!r}: pilih ipak atau ipkp")
    return kind.lower()


def _method(name: str | None) -> SurveyMethod:
    from config.survey_methods import load_survey_method
    from zi_domain.surveys import SurveyMethodError

    try:
        return load_survey_method(name)
    except SurveyMethodError as error:
        fail(str(error))


@survey_app.command("template")
def survey_template(
    out: Annotated[Path, typer.Argument(metavar="BERKAS", help="Berkas .xlsx yang akan ditulis.")],
    kind: Kind,
    csv: Annotated[
        bool, typer.Option("--csv", help="Tulis juga kepala kolom CSV yang sama (BERKAS.csv).")
    ] = False,
    method: Method = None,
) -> None:
    """Tulis kuesioner survei (buku kerja) dengan aspek, butir, skala, dan petunjuknya."""
    from spreadsheets.survey_form import template_header, write_survey_template
    from spreadsheets.tabular import write_csv

    chosen = _kind(kind)
    if out.suffix.lower() != ".xlsx":
        fail(f"{out}: nama berkas harus berakhiran .xlsx")
    if not out.parent.is_dir():
        fail(f"{out}: folder {out.parent} tidak ada")
    loaded = _method(method)
    instrument = loaded.instrument(chosen)
    write_survey_template(out, method=loaded, instrument=instrument)
    print_path(f"Kuesioner {instrument.title} ({loaded.label}) ditulis:", out)
    if csv:
        header_file = out.with_suffix(".csv")
        write_csv(header_file, template_header(instrument), [])
        print_path("Kepala kolom CSV ditulis:", header_file)


@survey_app.command("import")
def survey_import(
    file: Annotated[
        Path, typer.Argument(metavar="BERKAS", help="Berkas responden .csv atau .xlsx.")
    ],
    kind: Kind,
    unit: Annotated[str, typer.Option("--unit", metavar="KODE", help="Kode unit kerja.")],
    source: Annotated[
        str,
        typer.Option("--source", metavar="SUMBER", help="Penyelenggara: mandiri, tpi, atau tpn."),
    ],
    period: Period = None,
    instansi: Instansi = None,
    justification: Annotated[
        str | None,
        typer.Option(
            "--justification",
            metavar="TEKS",
            help="Alasan bila responden kurang dari batas minimal (mis. 30).",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            metavar="BERKAS",
            help="CSV `form column,item`: kolom ekspor formulir daring -> butir.",
        ),
    ] = None,
    as_of: AsOf = None,
    method: Method = None,
) -> None:
    """Impor responden survei: periksa, hitung indeks, simpan, dan catat ke LKE (B.I.a/B.II.a)."""
    from config.framework_files import load_framework
    from persistence.tables import SurveyKind
    from persistence.unit_of_work import default_unit_of_work
    from services.surveys import SOURCES, SurveyRefused, SurveyRequest, import_survey

    chosen = _kind(kind)
    if source.lower() not in SOURCES:
        fail(f"--source {source!r}: pilih mandiri, tpi, atau tpn")
    for path in (file, mapping):
        if path is not None and not path.is_file():
            fail(f"{path}: berkas tidak ada")
    request = SurveyRequest(
        kind=SurveyKind(chosen),
        source=SOURCES[source.lower()],
        unit_code=unit,
        method=_method(method),
        framework=load_framework(None),
        as_of=day(as_of),
        actor="zi survey import",
        instansi=instansi,
        period_name=period,
        justification=justification,
        mapping=mapping,
    )
    with default_unit_of_work() as uow:
        try:
            imported = import_survey(uow, path=file, request=request)
        except SurveyRefused as refusal:
            errors.print(
                f"[red]Ditolak:[/] {shown(bounded(str(refusal)), lines=True)}", highlight=False
            )
            raise typer.Exit(2) from refusal
    _print_survey(imported, file, request)


def _print_survey(imported: ImportedSurvey, file: Path, request: SurveyRequest) -> None:
    result = imported.result
    survey = imported.survey
    stored = "disimpan" if imported.created else "sama dengan yang tersimpan (tidak berubah)"
    say(
        f"{clean(file.name)}: {result.kind.upper()} unit {clean(imported.unit.code)}, "
        f"periode {clean(imported.period.name)}, {SOURCE_WORDS[survey.source.value]}; {stored}"
    )
    say(f"  metode: {clean(result.method)}")
    ikm = f" (IKM {angka(result.ikm)})" if result.ikm is not None else ""
    say(
        f"  indeks: {angka(result.index)}{ikm}; n = {result.respondents}; nilai "
        f"{imported.lke_item}: {angka(result.index, 4)} / 4 × 17,50 = {angka(imported.points)}"
    )
    if survey.justification:
        say(f"  alasan jumlah responden: {clean(survey.justification)}")
    say("  cakupan per jenis layanan:")
    for service_type, count in result.coverage.items():
        say(f"    {clean(service_type)}: {count} responden")
    names = {a.key: a.name for a in request.method.instrument(result.kind).aspects}
    say("  rata-rata per aspek:")
    for key, mean in result.aspect_means.items():
        say(f"    {clean(names.get(key, key))}: {angka(mean)}")
    score = imported.score
    met = [name for name, ok in score.meets.items() if ok]
    floors = f"memenuhi {', '.join(met)}" if met else "belum memenuhi batas WBK"
    if imported.proposal is not None:
        say(
            f"  hasil TPN (usulan {imported.proposal.predicate}): total dengan survei TPN "
            f"{angka(score.total)}, {floors}"
        )
    elif imported.assessment is not None:
        version = imported.assessment
        change = f"versi {version.version}" if version.created else "tidak berubah"
        say(
            f"  LKE {('penilaian mandiri' if survey.source.value == 'mandiri' else 'TPI')}: "
            f"hasil {angka(score.hasil)}, total {angka(score.total)}, {floors} ({change})"
        )
    held = imported.unit.predicate.value if imported.unit.predicate else None
    wanted = str(next_predicate(held))
    for shortfall in [] if wanted in met else score.shortfalls.get(wanted, []):
        say(f"  belum memenuhi {wanted}: {shortfall_words(shortfall, request.framework)}")


@survey_app.command("report")
def survey_report(
    unit: Annotated[str, typer.Option("--unit", metavar="KODE", help="Kode unit kerja.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="BERKAS",
            help="Berkas .pdf atau .html; bawaan: survei-UNIT-TAHUN.pdf di folder ini.",
        ),
    ] = None,
    period: Period = None,
    instansi: Instansi = None,
    as_of: AsOf = None,
) -> None:
    """Tulis laporan survei satu halaman: n, cakupan, rata-rata aspek, indeks, dan nilainya."""
    from config.framework_files import load_framework
    from persistence.unit_of_work import default_unit_of_work
    from reports.survey_report import survey_report_html, survey_report_pdf
    from services.survey_report import unit_survey_report
    from services.surveys import SurveyRefused
    from zi_domain.file_names import safe_file_name

    if out is not None and out.suffix.lower() not in (".pdf", ".html"):
        fail(f"{out}: nama berkas harus berakhiran .pdf atau .html")
    if out is not None and not out.parent.is_dir():
        fail(f"{out}: folder {out.parent} tidak ada")
    with default_unit_of_work() as uow:
        try:
            report = unit_survey_report(
                uow,
                unit_code=unit,
                instansi=instansi,
                period_name=period,
                as_of=day(as_of),
                framework=load_framework(None),
            )
        except SurveyRefused as refusal:
            fail("\n".join(refusal.problems))
    path = out or Path(f"{safe_file_name(f'survei-{report.unit_code}-{report.year}')}.pdf")
    if path.suffix.lower() == ".html":
        path.write_text(survey_report_html(report), encoding="utf-8")
    else:
        path.write_bytes(survey_report_pdf(report))
    print_path(f"Laporan survei {len(report.sections)} survei ditulis:", path)
