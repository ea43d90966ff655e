"""Property-based fuzzing of every `zi` command that reads a user's file: `zi score` (CSV and LKE
workbook), `zi lke import` (the long CSV and the LKE workbook) and `zi agency import` (CSV files).

Whatever the file holds, the command exits 0 or 2 (bad input), never with a traceback; a message on
exit 2 is Indonesian (no Click "Error:", no Python "invalid literal"), and the output stays
bounded (a million bad rows do not print a million lines).

A few hundred examples in the normal run; `make fuzz` sets ZI_FUZZ_FACTOR for thousands.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from typer.testing import CliRunner, Result

from config.framework_files import load_framework
from config.settings import get_settings
from spreadsheets.agency_workbook import DATA_SHEETS, write_agency_workbook
from tests.builders import agency_records, fill_lke_form
from zi_cli.main import app

FACTOR = int(os.environ.get("ZI_FUZZ_FACTOR", "1"))


def examples(count: int) -> settings:
    """`count` examples in the normal run, FACTOR times as many under `make fuzz`."""
    return settings(
        max_examples=count * FACTOR,
        deadline=None,
        database=None,  # no .hypothesis folder in the working tree
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


FRAMEWORK = load_framework("permenpanrb-90-2021")
CODES = [*FRAMEWORK.item_codes] + [
    f"{q.code}:{key}"
    for q in FRAMEWORK.questions
    for i in q.inputs
    for key in (i.key, *(p.key for p in i.parts))
]
AS_OF = "2026-03-02"
MAX_LINES, MAX_BYTES = 200, 50_000
# What a message must never show: Python's or Click's own English words.
ENGLISH = (
    "Traceback",
    "Error:",
    "Invalid value",
    "invalid literal",
    "could not convert",
    "No such option",
    "Missing option",
    "is not a valid",
    "field larger than",
)

runner = CliRunner()


def zi(*args: object) -> Result:
    get_settings.cache_clear()
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "120"})


def check(result: Result, *, document: bool = False) -> None:
    """Exit 0 or 2, no traceback, bounded output, Indonesian messages. A `document` (the JSON
    of `zi score --json`, as long as the framework) bounds only the messages on stderr."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        shown = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"traceback (exit {result.exit_code}):\n{shown}\n{result.output[-2000:]}")
    assert result.exit_code in (0, 2), result.output[-2000:]
    output = result.stderr if document and result.exit_code == 0 else result.output
    assert output.count("\n") < MAX_LINES, output[:2000]
    assert len(output.encode()) < MAX_BYTES, output[:2000]
    if result.exit_code == 2:
        assert "Galat" in output or "Ditolak" in output, output[-2000:]
        for word in ENGLISH:
            assert word not in output, output[-2000:]


# --- generated content --------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: str(d)),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(
        lambda d: str(d).replace(".", ",")
    ),
    st.integers(min_value=1, max_value=500).map(lambda n: "9" * n),
)
ANSWERS = st.one_of(
    st.sampled_from(["Ya", "Tidak", "ya", "A", "B", "C", "D", "E", "Z", "", " ", "-"]),
    NUMBERS,
    NUMBERS.map(lambda n: f"{n}%"),
    st.sampled_from(["850%", "100,0001%", "87,5%", "1e400%", "3,62", "4,5", "0", "-1", "nan"]),
    st.text(max_size=30),
    st.text(alphabet='",;\n\r\t\ufeff[]/x=', max_size=10),
)
CELL_CODES = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(CODES).map(lambda c: f" {c.lower()} "),
    st.text(max_size=20),
    st.sampled_from(["[/x]", "=HYPERLINK(1)", "\x1b[31m", "A.I.1.i.a:nope", ":", "unit"]),
)
HEADERS = st.one_of(
    st.sampled_from(["code,answer", "code;answer", "CODE , Answer", "code,answer,", "code"]),
    st.text(max_size=40),
)


@st.composite
def csv_texts(draw: st.DrawFn, header: st.SearchStrategy[str], width: int) -> str:
    """A CSV as people and spreadsheets write it: quoted or not, `,` or `;`, BOM or not."""
    delimiter = draw(st.sampled_from([",", ";"]))
    rows = draw(
        st.lists(
            st.lists(st.one_of(CELL_CODES, ANSWERS), min_size=0, max_size=width + 1),
            max_size=25,
        )
    )
    buffer = io.StringIO()
    if draw(st.booleans()):
        csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
        body = buffer.getvalue()
    else:  # written by hand: nothing quoted, so decimal commas split cells
        body = "".join(delimiter.join(row) + "\n" for row in rows)
    bom = draw(st.sampled_from(["", "\ufeff"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return bom + draw(header) + newline + body.replace("\n", newline)


@st.composite
def answer_csvs(draw: st.DrawFn) -> str:
    """One unit's `code,answer` file: mostly well-formed rows with odd values."""
    delimiter = draw(st.sampled_from([",", ";"]))
    rows = draw(st.lists(st.tuples(CELL_CODES, ANSWERS), max_size=40))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["code", "answer"])
    writer.writerows(rows)
    return draw(st.sampled_from(["", "\ufeff"])) + buffer.getvalue()


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return path


# --- zi score ---------------------------------------------------------------------------------


@examples(60)
@given(content=st.binary(max_size=2000))
def test_score_of_random_bytes(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        check(zi("score", write(Path(folder), "jawaban.csv", content)))


@examples(80)
@given(content=st.one_of(answer_csvs(), csv_texts(HEADERS, 2)))
def test_score_of_generated_answer_files(content: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "jawaban.csv", content.encode("utf-8", "surrogatepass"))
        check(zi("score", path))
        check(zi("score", path, "--json"), document=True)


@examples(4)
@given(
    size=st.sampled_from([0, 131_072, 131_073, 400_000]),
    header_only=st.booleans(),
    bad_rows=st.sampled_from([0, 1, 5_000]),
)
def test_score_of_huge_fields_header_only_files_and_many_bad_rows(
    size: int, header_only: bool, bad_rows: int
) -> None:
    lines = ["code,answer"]
    if not header_only:
        lines += [f"A.I.1.i.a,{'x' * size}", *(f"X{n},Ya" for n in range(bad_rows))]
    with tempfile.TemporaryDirectory() as folder:
        check(zi("score", write(Path(folder), "jawaban.csv", "\n".join(lines) + "\n")))


# What a workbook cell can hold (no control characters): what a person can type into the form.
CELL_ANSWERS = ANSWERS.filter(lambda answer: not ILLEGAL_CHARACTERS_RE.search(answer))


@examples(15)
@given(answers=st.dictionaries(st.sampled_from(CODES), CELL_ANSWERS, max_size=20))
def test_score_of_an_lke_workbook_with_generated_answers(answers: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "LKE-UNIT.xlsx"
        write_template(path)
        fill_lke_form(path, answers)
        check(zi("score", path))


def write_template(path: Path) -> None:
    """The empty LKE form of the builders' unit DPMPTSP (agency KABUJI), 2026."""
    from spreadsheets.lke_form import LkeFormUnit, write_lke_form

    unit = LkeFormUnit(
        instansi_code="KABUJI",
        instansi_name="Kabupaten Uji",
        unit_code="DPMPTSP",
        unit_name="Dinas Penanaman Modal dan PTSP",
        year=2026,
        period_name="Penilaian TPI 2026",
    )
    write_lke_form(path, framework=FRAMEWORK, unit=unit, answers={}, work_items=())


# --- importers on a database (SQLite in a temporary folder) ------------------------------------


@pytest.fixture(scope="module")
def registered() -> Iterator[Path]:
    """A data folder with the builders' agency imported and its 2026 period open."""
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        data = Path(folder) / "data"
        patch.setenv("ZI_DATA_DIR", str(data))
        patch.delenv("ZI_DATABASE_URL", raising=False)
        path = Path(folder) / "agensi.xlsx"
        write_agency_workbook(path, agency_records())
        assert zi("agency", "import", path).exit_code == 0
        opened = zi(
            "period", "open", "--instansi", "KABUJI", "--start", "2026-01-01", "--end", "2026-12-31"
        )
        assert opened.exit_code == 0, opened.output
        yield Path(folder)


UNITS = st.one_of(st.sampled_from(["DPMPTSP", "RSUD", "DUKCAPIL", "dpmptsp"]), st.text(max_size=12))


@st.composite
def long_csvs(draw: st.DrawFn) -> str:
    delimiter = draw(st.sampled_from([",", ";"]))
    rows = draw(st.lists(st.tuples(UNITS, CELL_CODES, ANSWERS), max_size=40))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["unit", "code", "answer"])
    writer.writerows(rows)
    return buffer.getvalue()


@examples(40)
@given(
    content=st.one_of(
        long_csvs(),
        csv_texts(st.sampled_from(["unit,code,answer", "unit;code;answer"]), 3),
        st.binary(max_size=500).map(lambda b: b.decode("latin-1")),
    )
)
def test_lke_import_of_generated_long_csvs(registered: Path, content: str) -> None:
    with tempfile.TemporaryDirectory(dir=registered) as folder:
        path = write(Path(folder), "semua.csv", content)
        check(zi("lke", "import", path, "--instansi", "KABUJI", "--as-of", AS_OF))


@examples(10)
@given(answers=st.dictionaries(st.sampled_from(CODES), CELL_ANSWERS, max_size=15))
def test_lke_import_of_a_workbook_with_generated_answers(
    registered: Path, answers: dict[str, str]
) -> None:
    with tempfile.TemporaryDirectory(dir=registered) as folder:
        path = Path(folder) / "LKE-DPMPTSP-2026.xlsx"
        write_template(path)
        fill_lke_form(path, answers)
        check(zi("lke", "import", path, "--as-of", AS_OF))


@examples(10)
@given(content=st.binary(max_size=3000))
def test_lke_import_of_random_bytes_named_xlsx(registered: Path, content: bytes) -> None:
    with tempfile.TemporaryDirectory(dir=registered) as folder:
        check(zi("lke", "import", write(Path(folder), "LKE.xlsx", content), "--as-of", AS_OF))


SHEET_HEADERS = {spec.name: ",".join(spec.headers) for spec in DATA_SHEETS}


@st.composite
def agency_csv_files(draw: st.DrawFn) -> dict[str, str]:
    """One to three CSV files named after the agency workbook's sheets, with its headers (or
    odd ones) and generated rows."""
    names = draw(st.lists(st.sampled_from(sorted(SHEET_HEADERS)), min_size=1, max_size=3))
    files = {}
    for name in dict.fromkeys(names):
        header = draw(st.one_of(st.just(SHEET_HEADERS[name]), HEADERS))
        width = SHEET_HEADERS[name].count(",") + 1
        files[f"{name}.csv"] = draw(csv_texts(st.just(header), width))
    return files


@examples(40)
@given(files=agency_csv_files(), dry_run=st.booleans())
def test_agency_import_of_generated_csv_files(
    registered: Path, files: dict[str, str], dry_run: bool
) -> None:
    with tempfile.TemporaryDirectory(dir=registered) as folder:
        paths = [write(Path(folder), name, content) for name, content in files.items()]
        check(zi("agency", "import", *paths, *(["--dry-run"] if dry_run else [])))
