"""`--help` speaks Indonesian, like every other message of `zi`, and shows no type noise."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
from typer._click import Command
from typer.testing import CliRunner

from zi_cli.main import app

runner = CliRunner()

ENGLISH = re.compile(
    r"\b(Usage|Options|Commands|Arguments|Show this message|default|required|"
    r"Did you mean|Error|Aborted)\b"
)
# Typer's type labels: `<bool>` on a plain flag, `<str>`, `<int range>`, `<path>`, ...
TYPE_NOISE = re.compile(r"<(bool|str|int|float|path|datetime|list|text|integer)[^>]*>", re.I)


def command_paths(command: Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from command_paths(sub, (*path, name))


PATHS = list(command_paths(typer.main.get_command(app)))


def test_every_command_is_listed() -> None:
    # The tree is walked, not listed by hand: a command added later is checked too.
    assert ("score",) in PATHS and ("period", "open") in PATHS and len(PATHS) > 35


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(("zi", *p)))
def test_help_is_indonesian_without_type_noise(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], prog_name="zi", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(f"Pemakaian: {' '.join(('zi', *path))} [OPSI]")
    assert "Opsi:" in text
    assert "--help  " in text and "Tampilkan bantuan ini lalu keluar." in text
    assert not ENGLISH.search(text), ENGLISH.search(text)
    assert not TYPE_NOISE.search(text), TYPE_NOISE.search(text)
    assert max(len(line) for line in text.splitlines()) <= 80


def test_flags_show_no_value_and_options_name_theirs() -> None:
    text = runner.invoke(app, ["propose", "--help"], prog_name="zi").stdout
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("  --")}
    assert lines["--revisi-baru"].split()[1] == "Buat"  # a flag: its help follows at once
    assert lines["--unit"].split()[1] == "KODE"
    assert lines["--year"].split()[1] == "TAHUN"
    assert "[2000 sampai 2100]" in lines["--year"]
    score = runner.invoke(app, ["score", "--help"], prog_name="zi").stdout
    assert "Pemakaian: zi score [OPSI] BERKAS" in score
    assert "Argumen:" in score and "[wajib]" in score
    assert re.search(r"--json +Keluaran", score)
    groups = runner.invoke(app, ["--help"], prog_name="zi").stdout
    assert "Pemakaian: zi [OPSI] PERINTAH [ARGUMEN]..." in groups and "Perintah:" in groups
    lke = runner.invoke(app, ["lke", "template", "--help"], prog_name="zi").stdout
    assert "[bawaan: tpi]" in lke


def test_no_arguments_prints_the_indonesian_help() -> None:
    result = runner.invoke(app, [], prog_name="zi")
    assert "Pemakaian: zi [OPSI] PERINTAH" in result.output
    assert not ENGLISH.search(result.output)


def test_a_mistyped_command_is_guessed_in_indonesian() -> None:
    result = runner.invoke(app, ["scor"], prog_name="zi")
    assert result.exit_code == 2
    assert "perintah tidak dikenal: 'scor'; maksudnya 'score'?" in result.stderr
    assert not ENGLISH.search(result.stderr)


def test_console_script_help() -> None:
    zi = Path(sys.executable).with_name("zi")
    done = subprocess.run(
        [str(zi), "score", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Pemakaian: zi score [OPSI] BERKAS")
    assert not ENGLISH.search(done.stdout) and not TYPE_NOISE.search(done.stdout)
