"""The unit teams' LKE through the intake service (SQLite and PostgreSQL): the prefilled workbook
out, a filled one in as a new version scored as zi_domain scores, a bad one refused writing
nothing, the long CSV of many units, and the assessment periods an import falls in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from persistence.tables import (
    Answer,
    Assessment,
    AssessmentKind,
    AssessmentVersion,
    WorkItem,
)
from persistence.unit_of_work import SqlUnitOfWork
from services.agency import import_agency
from services.assessments import PeriodRefused, open_period, period_on, stored_answers
from services.lke_intake import (
    IntakeRefused,
    WorkbookIntake,
    import_long_answers,
    import_workbook,
)
from spreadsheets.lke_form import (
    INSTANSI_CODE_CELL,
    LKE_SHEET,
    UNIT_CODE_CELL,
    answer_rows,
    read_lke_form,
)
from tests.builders import (
    INTAKE_ANSWERS,
    INTAKE_SCOPE,
    INTAKE_YEAR,
    Agency,
    agency_records,
    blank_form,
    fill_lke_form,
    top_answers,
    write_long_csv,
    zi_domain_total,
)
from zi_cli.answers_file import read_long_answers_file

NewUow = Callable[[], SqlUnitOfWork]
SCOPE = INTAKE_SCOPE
FRAMEWORK = SCOPE.framework
YEAR = INTAKE_YEAR
ANSWERS = INTAKE_ANSWERS
UNIT_NAME = "Pemerintah Kabupaten Uji"


# --- helpers -------------------------------------------------------------------------------------


def filled_form(
    new_uow: NewUow,
    folder: Path,
    answers: Mapping[str, str],
    *,
    code: str = "DPMPTSP",
    done: Mapping[str, tuple[date, str]] | None = None,
) -> Path:
    return fill_lke_form(blank_form(new_uow, folder, code), answers, done=done)


def take(new_uow: NewUow, path: Path) -> WorkbookIntake:
    with new_uow() as uow:
        return import_workbook(uow, path=path, scope=SCOPE)


def form_answers(path: Path) -> dict[str, str]:
    content = read_lke_form(path, framework=FRAMEWORK)
    assert content.problems == ()
    return dict(zip(content.answers["code"], content.answers["answer"], strict=True))


def count(engine: Engine, model: type[Assessment | AssessmentVersion | Answer]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def stored(new_uow: NewUow, unit_id: int, period_id: int) -> dict[str, str]:
    with new_uow() as uow:
        return dict(
            stored_answers(uow, unit_id=unit_id, period_id=period_id, kind=AssessmentKind.TPI)
        )


def versions(engine: Engine) -> list[AssessmentVersion]:
    with Session(engine) as session:
        query = select(AssessmentVersion).order_by(col(AssessmentVersion.version))
        return list(session.exec(query))


def work_items(new_uow: NewUow, unit_id: int) -> dict[str, WorkItem]:
    with new_uow() as uow:
        return {i.code: i for i in uow.work_plans.items(unit_id=unit_id, year=YEAR)}


def answer_rows_in_database(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        table = Answer.__table__  # type: ignore[attr-defined]
        return [tuple(r) for r in connection.execute(select(table).order_by(table.c.id))]


def set_cell(path: Path, at: str, value: str) -> None:
    workbook = load_workbook(path)
    workbook[LKE_SHEET][at] = value
    workbook.save(path)


# --- out: the prefilled workbook -----------------------------------------------------------------


def test_the_unit_workbook_is_prefilled_with_the_stored_answers(
    new_uow: NewUow, agency: Agency, tmp_path: Path
) -> None:
    blank = blank_form(new_uow, tmp_path / "kosong")
    empty = read_lke_form(blank, framework=FRAMEWORK)
    assert (empty.unit_code, empty.instansi_code) == ("DPMPTSP", "KABUJI")
    assert empty.answers.empty and empty.problems == ()
    assert [(i.code, i.done) for i in empty.work_items] == [
        ("A.I.1.i", False),
        ("survei:ipak", False),
    ]

    # Numbers written as a spreadsheet shows them back (3.85, not 3,85), so the round trip is exact.
    given = top_answers(FRAMEWORK, ipak="3.85", ipkp="3.19") | {"A.I.1.i.b": "C"}
    del given["A.I.1.ii.a"]  # unanswered: its cell stays empty
    take(
        new_uow,
        filled_form(
            new_uow, tmp_path / "isi", given, done={"survei:ipak": (date(YEAR, 3, 20), "Siti")}
        ),
    )

    prefilled = blank_form(new_uow, tmp_path / "terisi")
    assert form_answers(prefilled) == given
    content = read_lke_form(prefilled, framework=FRAMEWORK)
    assert [(i.code, i.done, i.completed_on, i.completed_by) for i in content.work_items] == [
        ("A.I.1.i", False, None, None),
        ("survei:ipak", True, date(YEAR, 3, 20), "Siti"),
    ]


def test_a_prefilled_workbook_sent_back_unchanged_makes_no_new_version(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    take(new_uow, filled_form(new_uow, tmp_path / "isi", ANSWERS))
    returned = take(new_uow, blank_form(new_uow, tmp_path / "kembali"))
    assert returned.imported.created is False
    assert count(engine, AssessmentVersion) == 1


# --- in: a filled workbook -----------------------------------------------------------------------


def test_a_filled_workbook_becomes_version_1_scored_as_zi_domain_scores(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    path = filled_form(new_uow, tmp_path, ANSWERS)
    intake = take(new_uow, path)

    total = zi_domain_total(ANSWERS)
    assert 80 < total < 100, "a total short of the top, so a wrong sum would show"
    imported = intake.imported
    assert (imported.version, imported.created, imported.previous_total) == (1, True, None)
    assert imported.total == pytest.approx(total, abs=1e-9)
    assert imported.missing == 0
    assert imported.meets == {"WBK": False, "WBBM": False}  # IPKP 3,19: pelayanan prima short
    assert intake.unit.code == "DPMPTSP" and intake.period.id == agency.period_id

    in_form = form_answers(path)
    assert in_form == ANSWERS
    assert stored(new_uow, agency.units["DPMPTSP"], agency.period_id) == in_form
    (version,) = versions(engine)
    assert version.version == 1 and version.answers == in_form
    assert version.total == pytest.approx(total, abs=1e-9)
    assert version.source == path.name and version.actor == "Rina (TPI)"
    assert count(engine, Assessment) == 1


def test_the_identical_file_again_writes_nothing(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    path = filled_form(new_uow, tmp_path, ANSWERS)
    first = take(new_uow, path).imported
    answers_before = answer_rows_in_database(engine)

    again = take(new_uow, path).imported
    assert (again.created, again.version) == (False, 1)
    assert again.total == pytest.approx(first.total, abs=1e-9)
    assert count(engine, AssessmentVersion) == 1
    assert answer_rows_in_database(engine) == answers_before, "answers not even rewritten"


def test_a_changed_answer_makes_version_2_with_the_previous_total(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    first = take(new_uow, filled_form(new_uow, tmp_path / "1", ANSWERS)).imported
    better = ANSWERS | {"B.II.a": "3,80"}
    second = take(new_uow, filled_form(new_uow, tmp_path / "2", better)).imported

    assert (second.version, second.created) == (2, True)
    assert second.previous_total == pytest.approx(first.total, abs=1e-9)
    assert second.total == pytest.approx(zi_domain_total(better), abs=1e-9)
    assert second.total > first.total
    assert second.meets["WBK"] is True
    assert [v.version for v in versions(engine)] == [1, 2]
    assert stored(new_uow, agency.units["DPMPTSP"], agency.period_id)["B.II.a"] == "3,80"


def test_a_bad_answer_refuses_the_whole_workbook_and_writes_nothing(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    bad = ANSWERS | {"A.I.1.i.b": "Z", "B.I.a": "4,5"}
    path = filled_form(new_uow, tmp_path, bad, done={"A.I.1.i": (date(YEAR, 2, 20), "Siti")})
    with pytest.raises(IntakeRefused) as refused:
        take(new_uow, path)

    rows = answer_rows(FRAMEWORK)
    problems = refused.value.problems
    assert len(problems) == 2
    assert problems[0].startswith(f"LKE!F{rows['A.I.1.i.b']}: A.I.1.i.b: jawaban tidak sah")
    assert problems[1].startswith(f"LKE!F{rows['B.I.a']}: B.I.a: nilai indeks tidak sah")
    assert "2 masalah, tidak ada yang disimpan" in str(refused.value)
    assert f"{path.name}: LKE!F{rows['A.I.1.i.b']}" in str(refused.value)
    assert refused.value.unit is not None and refused.value.unit.code == "DPMPTSP"
    assert count(engine, Assessment) == 0
    assert count(engine, AssessmentVersion) == 0
    assert count(engine, Answer) == 0
    assert work_items(new_uow, agency.units["DPMPTSP"])["A.I.1.i"].completed_on is None


def test_a_bad_workbook_after_a_good_one_keeps_the_good_version(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    take(new_uow, filled_form(new_uow, tmp_path / "baik", ANSWERS))
    answers_before = answer_rows_in_database(engine)
    with pytest.raises(IntakeRefused):
        take(new_uow, filled_form(new_uow, tmp_path / "buruk", ANSWERS | {"B.I.b": "Z"}))
    assert count(engine, AssessmentVersion) == 1
    assert answer_rows_in_database(engine) == answers_before


def test_work_items_marked_done_are_closed_with_their_date_and_who(
    new_uow: NewUow, agency: Agency, tmp_path: Path
) -> None:
    done = {"A.I.1.i": (date(YEAR, 2, 20), "Siti Rahmawati")}
    path = filled_form(new_uow, tmp_path, ANSWERS, done=done)
    assert take(new_uow, path).closed_items == 1

    items = work_items(new_uow, agency.units["DPMPTSP"])
    assert (items["A.I.1.i"].completed_on, items["A.I.1.i"].completed_by) == (
        date(YEAR, 2, 20),
        "Siti Rahmawati",
    )
    assert items["survei:ipak"].completed_on is None
    assert take(new_uow, path).closed_items == 0, "a closed item is not closed again"


def test_an_unknown_unit_or_instansi_in_the_workbook_is_refused_naming_it(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    path = filled_form(new_uow, tmp_path, ANSWERS)
    set_cell(path, UNIT_CODE_CELL, "TIDAKADA")
    with pytest.raises(IntakeRefused) as unit:
        take(new_uow, path)
    assert unit.value.problems == [f"unit kerja 'TIDAKADA' tidak ada di instansi {UNIT_NAME}"]
    assert unit.value.unit is None

    set_cell(path, INSTANSI_CODE_CELL, "KABLAIN")
    with pytest.raises(IntakeRefused) as instansi:
        take(new_uow, path)
    assert instansi.value.problems == ["instansi 'KABLAIN' tidak ditemukan (yang ada: KABUJI)"]
    assert count(engine, Assessment) == 0


def test_a_workbook_of_another_unit_code_goes_to_that_unit(
    new_uow: NewUow, agency: Agency, tmp_path: Path
) -> None:
    path = filled_form(new_uow, tmp_path, ANSWERS, code="RSUD")
    intake = take(new_uow, path)
    assert intake.unit.code == "RSUD"
    assert stored(new_uow, agency.units["RSUD"], agency.period_id) == ANSWERS
    assert stored(new_uow, agency.units["DPMPTSP"], agency.period_id) == {}


# --- in: the long CSV of many units --------------------------------------------------------------

THREE_UNITS = {
    "DPMPTSP": ANSWERS,
    "DUKCAPIL": top_answers(FRAMEWORK),
    "RSUD": top_answers(FRAMEWORK, ipak="3,10", kinerja="C"),
}


def take_long(new_uow: NewUow, path: Path) -> list[tuple[str, float, int, bool]]:
    rows = read_long_answers_file(path).rows
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi_by_code(code="KABUJI")
        assert instansi is not None
        imported = import_long_answers(
            uow, instansi=instansi, rows=rows, source=path.name, scope=SCOPE
        )
    return [(unit.code, i.total, i.version, i.created) for unit, i in imported]


def test_the_long_csv_imports_every_unit_in_it(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    path = write_long_csv(tmp_path / "tiga.csv", THREE_UNITS)
    imported = take_long(new_uow, path)

    assert [(code, version, created) for code, _, version, created in imported] == [
        ("DPMPTSP", 1, True),
        ("DUKCAPIL", 1, True),
        ("RSUD", 1, True),
    ]
    for code, total, _, _ in imported:
        assert total == pytest.approx(zi_domain_total(THREE_UNITS[code]), abs=1e-9), code
    assert len({round(total, 6) for _, total, _, _ in imported}) == 3
    for code, answers in THREE_UNITS.items():
        assert stored(new_uow, agency.units[code], agency.period_id) == answers
    assert count(engine, AssessmentVersion) == 3

    again = take_long(new_uow, path)
    assert [created for *_, created in again] == [False, False, False]
    assert count(engine, AssessmentVersion) == 3


def test_the_long_csv_with_an_unknown_unit_is_refused_naming_its_row(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    units = {**THREE_UNITS, "TIDAKADA": {"A.I.1.i.a": "Ya", "A.I.1.i.b": "A"}}
    path = write_long_csv(tmp_path / "empat.csv", units)
    first_row = 2 + sum(len(answers) for answers in THREE_UNITS.values())
    with pytest.raises(IntakeRefused) as refused:
        take_long(new_uow, path)
    assert refused.value.problems == [
        f"baris {first_row}: unit kerja 'TIDAKADA' tidak ada di instansi"
    ]
    assert str(refused.value).startswith("1 masalah, tidak ada yang disimpan:\n  empat.csv: ")
    assert count(engine, Assessment) == 0


def test_the_long_csv_with_a_bad_answer_is_refused_naming_its_row(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    units = {**THREE_UNITS, "RSUD": THREE_UNITS["RSUD"] | {"B.I.b": "Z"}}
    path = write_long_csv(tmp_path / "salah.csv", units)
    rows = read_long_answers_file(path).rows
    (line,) = rows[(rows["unit"] == "RSUD") & (rows["code"] == "B.I.b")]["row"]
    with pytest.raises(IntakeRefused) as refused:
        take_long(new_uow, path)
    (problem,) = refused.value.problems
    assert problem.startswith(f"baris {line}: B.I.b: ")
    assert count(engine, Assessment) == 0 and count(engine, AssessmentVersion) == 0


def test_the_long_csv_is_read_with_a_comma_or_a_semicolon(
    new_uow: NewUow, agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    comma = write_long_csv(tmp_path / "koma.csv", THREE_UNITS, delimiter=",")
    semicolon = write_long_csv(tmp_path / "titik-koma.csv", THREE_UNITS, delimiter=";")
    assert '"3,19"' in comma.read_text() and ";3,19\n" in semicolon.read_text()

    read_comma, read_semicolon = (read_long_answers_file(p) for p in (comma, semicolon))
    assert (read_comma.delimiter, read_semicolon.delimiter) == (",", ";")
    assert read_semicolon.delimiter_words == "titik koma (;)"
    columns = ["unit", "code", "answer", "row"]
    assert read_comma.rows[columns].equals(read_semicolon.rows[columns])
    assert len(read_comma.rows) == sum(len(a) for a in THREE_UNITS.values())

    take_long(new_uow, semicolon)
    assert [created for *_, created in take_long(new_uow, comma)] == [False, False, False]
    assert count(engine, AssessmentVersion) == 3


def test_a_long_csv_answer_left_empty_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "kosong.csv"
    path.write_text("unit;code;answer\nRSUD;A.I.1.i.a;Ya\nRSUD;A.I.1.i.b;\n", encoding="utf-8")
    rows = read_long_answers_file(path).rows
    assert rows[["unit", "code", "answer", "row"]].values.tolist() == [
        ["RSUD", "A.I.1.i.a", "Ya", 2]
    ]


def test_an_unquoted_decimal_comma_in_a_comma_long_csv_is_refused(tmp_path: Path) -> None:
    from zi_cli.answers_file import AnswersFileError

    path = tmp_path / "koma.csv"
    path.write_text("unit,code,answer\nRSUD,B.I.a,3,85\n", encoding="utf-8")
    with pytest.raises(AnswersFileError, match="baris 2"):
        read_long_answers_file(path)


def test_long_csv_rows_are_numbered_as_the_file_counts_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "baris.csv"
    path.write_text("unit;code;answer\nRSUD;A.I.1.i.a;Ya\n\nRSUD;A.I.1.i.b;A\n", encoding="utf-8")
    rows = read_long_answers_file(path).rows
    assert rows["row"].tolist() == [2, 4]


# --- periods ------------------------------------------------------------------------------------


@pytest.fixture
def instansi_id(new_uow: NewUow) -> int:
    with new_uow() as uow:
        import_agency(uow, records=agency_records(), dry_run=False)
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi_by_code(code="KABUJI")
        assert instansi is not None and instansi.id is not None
        return instansi.id


def open_one(new_uow: NewUow, instansi_id: int, name: str, starts: date, ends: date) -> bool:
    with new_uow() as uow:
        opened = open_period(
            uow,
            instansi_id=instansi_id,
            year=starts.year,
            name=name,
            starts_on=starts,
            ends_on=ends,
        )
        uow.commit()
        return opened.created


def period_names(new_uow: NewUow, instansi_id: int) -> list[str]:
    with new_uow() as uow:
        return [p.name for p in uow.assessments.periods(instansi_id=instansi_id)]


def test_a_period_is_opened_once(new_uow: NewUow, instansi_id: int) -> None:
    first_half = (date(YEAR, 1, 1), date(YEAR, 6, 30))
    assert open_one(new_uow, instansi_id, "Semester I", *first_half) is True
    assert open_one(new_uow, instansi_id, "Semester I", *first_half) is False
    assert period_names(new_uow, instansi_id) == ["Semester I"]


def test_a_period_that_overlaps_or_ends_before_it_starts_is_refused(
    new_uow: NewUow, instansi_id: int
) -> None:
    open_one(new_uow, instansi_id, "Semester I", date(YEAR, 1, 1), date(YEAR, 6, 30))
    refusals = {
        "Semester II": (
            (date(YEAR, 6, 30), date(YEAR, 12, 31)),
            "periode 'Semester II' bertumpang tindih dengan 'Semester I' "
            "(1 Januari 2026 s.d. 30 Juni 2026)",
        ),
        "Terbalik": (
            (date(YEAR, 9, 1), date(YEAR, 8, 1)),
            "periode 'Terbalik': tanggal selesai sebelum tanggal mulai",
        ),
        "Semester I": (
            (date(YEAR, 1, 1), date(YEAR, 5, 31)),
            "periode 'Semester I' 2026 sudah ada (1 Januari 2026 s.d. 30 Juni 2026) dengan "
            "tanggal lain",
        ),
    }
    for name, ((starts, ends), message) in refusals.items():
        with pytest.raises(PeriodRefused) as refused:
            open_one(new_uow, instansi_id, name, starts, ends)
        assert str(refused.value) == message
    assert period_names(new_uow, instansi_id) == ["Semester I"]
    assert open_one(new_uow, instansi_id, "Semester II", date(YEAR, 7, 1), date(YEAR, 12, 31))


def test_period_on_picks_the_period_a_day_falls_in(new_uow: NewUow, instansi_id: int) -> None:
    open_one(new_uow, instansi_id, "Semester II", date(YEAR, 7, 1), date(YEAR, 12, 31))
    open_one(new_uow, instansi_id, "Semester I", date(YEAR, 1, 1), date(YEAR, 6, 30))

    def on(day: date) -> str | None:
        with new_uow() as uow:
            found = period_on(uow, instansi_id=instansi_id, day=day)
            return found.name if found else None

    assert on(date(YEAR, 3, 15)) == "Semester I"
    assert on(date(YEAR, 6, 30)) == "Semester I"
    assert on(date(YEAR, 7, 1)) == "Semester II"
    assert on(date(YEAR + 1, 2, 1)) == "Semester II", "after every period: the latest started"
    assert on(date(YEAR - 1, 12, 31)) is None
