"""What `zi` prints fits an 80-column terminal, and every path it prints can be copied whole.

Every table-printing command runs at COLUMNS=80 with long names and codes: no line of stdout or
stderr is wider than 80 characters. A path (a proposal package, the monitoring report, a letter,
a framework file) is printed alone on its own line, whole, however long: the data folder here is
deep enough that each path is far wider than the terminal.
"""

# The units come from the monitoring tests' `period` fixture, imported by name.

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from typer.testing import CliRunner, Result

from tests.cli.cli_world import monitored_for_cli, rename_units
from tests.domain.worksheets import top_answers
from tests.services.test_monitoring_service import NewUow, period  # noqa: F401
from zi_cli import output
from zi_cli.main import app

runner = CliRunner()
NARROW = {"COLUMNS": "80"}
AS_OF = "2027-03-02"
LONG_NAME = "Badan Pengelolaan Keuangan, Pendapatan dan Aset Daerah Kabupaten Contoh Raya"
LONG_CODE = "BPKPAD-KAB-CONTOH-RAYA-2027"


def zi(*args: object) -> Result:
    result = runner.invoke(app, [str(a) for a in args], env=NARROW)
    assert result.exit_code in (0, 1), result.output
    return result


# A table's lines start and end with its box: a line that starts with one and does not end with
# the other was cut at the console's width (Rich crops what does not fit).
BOX_ENDS = {"┏": "┓", "┃": "┃", "┡": "┩", "│": "│", "├": "┤", "└": "┘"}


def assert_fits(result: Result, width: int = 80) -> None:
    """No line wider than `width` (but a path alone on its line, whole by design), and no table
    cut at the right edge."""
    for stream in (result.stdout, result.stderr):
        lines = stream.splitlines()
        wide = [line for line in lines if len(line) > width and not line.startswith("/")]
        assert not wide, "\n".join(wide)
        cut = [line for line in lines if line[:1] in BOX_ENDS and line[-1] != BOX_ENDS[line[0]]]
        assert not cut, "\n".join(cut)


def assert_whole(result: Result, path: Path | str) -> None:
    """The path stands alone on one line of stdout, as it is on disk."""
    assert str(path) in result.stdout.splitlines(), result.stdout


def first_column(table: str) -> str:
    return "".join(line.split("│")[1].strip() for line in table.splitlines() if line[:1] == "│")


@pytest.fixture
def deep_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / ("folder-data-yang-sangat-panjang-" * 3) / "zi"
    monkeypatch.setenv("ZI_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def narrow_world(
    new_uow: NewUow,
    engine: Engine,
    period: tuple[int, dict[str, int]],  # noqa: F811
    database_url: URL,
    deep_data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The monitoring tests' ministry, one unit with a long name and code, monitored once."""
    period_id, ids = period
    rename_units(engine, ids, {"SIAP": (LONG_CODE, LONG_NAME)})
    return monitored_for_cli(new_uow, period_id, deep_data_dir, database_url, monkeypatch)


def test_tables_fit_80_columns_and_paths_are_whole(narrow_world: Path) -> None:
    status = zi("status", "--as-of", AS_OF)
    assert_fits(status)
    assert LONG_CODE in first_column(status.stdout)  # folded, not cut

    proposed = zi("propose", "--unit", LONG_CODE, "--as-of", AS_OF)
    assert proposed.exit_code == 0, proposed.output
    assert_fits(proposed)
    [package] = narrow_world.rglob(f"*{LONG_CODE}*.zip")
    assert len(str(package)) > 120
    assert_whole(proposed, package)

    listed = zi("proposals", "--riwayat")
    assert_whole(listed, package)
    assert_fits(listed)

    sent = zi("submit", "--instansi", "Kementerian Uji", "--year", "2027", "--as-of", "2027-05-24")
    lines = sent.stdout.splitlines()
    letter = Path(lines[lines.index("Surat pengajuan:") + 1])
    assert letter.is_file() and letter.name.startswith("surat-pengajuan-")

    assert_fits(zi("period", "list", "--instansi", "Kementerian Uji"))
    zi(
        "complaint",
        "add",
        "--unit",
        LONG_CODE,
        "--summary",
        "Pungutan di loket pelayanan tanpa dasar hukum, dilaporkan berulang kali oleh warga "
        "yang mengurus izin usaha dan dokumen kependudukan",
        "--source",
        "SP4N-LAPOR!",
        "--received",
        "2027-04-01",
    )
    assert_fits(zi("complaint", "list", "--instansi", "Kementerian Uji"))

    monitored = zi("monitor", "--as-of", "2027-03-08")
    [report] = [line for line in monitored.stdout.splitlines() if line.endswith(".html")]
    assert Path(report).is_file() and len(report) > 80


def test_score_and_frameworks_fit_80_columns(tmp_path: Path) -> None:
    folder = tmp_path / ("jawaban-unit-kerja-dengan-nama-folder-panjang-" * 2)
    folder.mkdir()
    answers = top_answers() | {"B.I.b": "D", "A.I.1.i.a": "Tidak"}
    path = folder / "Badan Pengelolaan Keuangan Pendapatan dan Aset Daerah.csv"
    path.write_text(
        "code,answer\n" + "".join(f'{c},"{a}"\n' for c, a in answers.items()), encoding="utf-8"
    )
    assert_fits(zi("score", path))
    frameworks = zi("frameworks")
    assert_fits(frameworks)
    installed = Path(__file__).parents[2] / "config" / "frameworks"
    [yaml] = installed.glob("permenpanrb-90-2021*")
    assert_whole(frameworks, yaml)


def test_a_console_not_on_a_terminal_is_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert output.FittedConsole(file=io.StringIO()).width == 80
    monkeypatch.setenv("COLUMNS", "120")
    assert output.FittedConsole(file=io.StringIO()).width == 120
    assert output.FittedConsole(file=io.StringIO(), width=60).width == 60
    terminal = output.FittedConsole(file=io.StringIO(), force_terminal=True, width=100)
    assert terminal.width == 100


def test_a_path_is_printed_whole_on_its_own_line() -> None:
    buffer = io.StringIO()
    narrow = Console(file=buffer, width=40)
    path = "/data/" + "sangat-panjang/" * 10 + "paket usulan.zip"
    output.print_path("Paket:", path, to=narrow)
    assert buffer.getvalue().splitlines() == ["Paket:", path]


def test_progress_shows_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(output, "errors", Console(file=screen, force_terminal=True, width=80))
    with output.progress("Menilai unit", 3) as steps:
        for _ in range(3):
            steps.advance()
        with output.progress("Mengimpor baris", None) as inner:  # nested: one display
            inner.advance()
    assert "Menilai unit" in screen.getvalue()
    quiet = io.StringIO()
    monkeypatch.setattr(output, "errors", Console(file=quiet, width=80))
    with output.progress("Menilai unit", 3) as steps:
        steps.advance(3)
    assert quiet.getvalue() == ""


def test_lines_printed_during_a_bar_go_above_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # stdout and stderr on one terminal: what stdout prints meanwhile goes through the bar's
    # console (which clears the bar, prints the line, draws the bar again), never across it.
    screen, stdout = io.StringIO(), io.StringIO()
    monkeypatch.setattr(output, "errors", Console(file=screen, force_terminal=True, width=80))
    terminal = output.FittedConsole(file=stdout, force_terminal=True, width=80)
    monkeypatch.setattr(output, "console", terminal)
    path = "/data/" + "sangat-panjang/" * 10 + "paket.zip"
    with output.progress("Membuat paket usulan", 2) as steps:
        output.print_path("Paket:", path)
        steps.advance(2)
    assert terminal.via is None and stdout.getvalue() == ""
    assert path in screen.getvalue()  # whole: not wrapped at the bar console's 80 columns
    output.say("selesai")
    assert stdout.getvalue() == "selesai\n"
