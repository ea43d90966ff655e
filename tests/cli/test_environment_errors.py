"""What the operator must fix around a command, and bad values, through the real CLI: exit 2 with
one Indonesian message (never a traceback, never a password), SQLite and PostgreSQL alike.

A database that does not answer or a URL that cannot be used, a full or read-only data folder
(a real tmpfs of a few KB when this runs as root, else an injected ENOSPC), 25-digit and
non-ASCII numbers where a unit or instansi is named, dates and years nobody means, Click's own
usage errors, answers files that are empty, huge or wrong a million times.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner, Result

from config.framework_files import load_framework
from config.settings import get_settings
from tests.cli.test_proposal_commands import cli_database  # noqa: F401
from tests.services.test_monitoring_service import period  # noqa: F401
from zi_cli.main import app

runner = CliRunner()
PASSWORD = "Rahasia-9f3b"
FRAMEWORK = load_framework("permenpanrb-90-2021")
ENGLISH = ("Traceback", "Error", "Invalid value", "invalid literal", "Missing", "No such")


def zi(*args: object) -> Result:
    get_settings.cache_clear()
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "300"})


def refused(result: Result) -> str:
    """The message of a clean exit 2, on one line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert "Galat:" in message, message
    for word in ENGLISH:
        assert word not in message, message
    assert PASSWORD not in result.output
    return message


# --- the database --------------------------------------------------------------------------------

DATABASE_COMMANDS = [
    ["propose", "--unit", "SIAP"],
    ["proposals"],
    ["submit", "--instansi", "Kementerian Uji"],
    ["tpn-result", "--unit", "SIAP", "--result", "rejected"],
    ["status"],
    ["period", "list", "--instansi", "X"],
    ["db", "upgrade"],
]


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_database_that_does_not_answer(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZI_DATABASE_URL", f"postgresql+psycopg://zi:{PASSWORD}@127.0.0.1:1/zi")

    message = refused(zi(*command))

    assert "tidak dapat terhubung ke basis data postgresql+psycopg://zi:***@127.0.0.1:1/zi" in (
        message
    )
    assert "periksa ZI_DATABASE_URL" in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("foo://x", "URL basis data foo://x tidak dapat dipakai"),
        (f"mysql://zi:{PASSWORD}@x/y", "URL basis data mysql://zi:***@x/y tidak dapat dipakai"),
        (f"postgresql+nodriver://zi:{PASSWORD}@h/x", "driver 'postgresql+nodriver' tidak dikenal"),
        (f"zi:{PASSWORD} bukan url", "URL basis data (ZI_DATABASE_URL) tidak dapat dibaca"),
        ("sqlite:////proc/nope/zi.db", "folder basis data SQLite /proc/nope tidak dapat dibuat"),
    ],
)
@pytest.mark.parametrize("command", [["proposals"], ["db", "upgrade"], ["status"]])
def test_a_database_url_that_cannot_be_used(
    url: str, expected: str, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZI_DATABASE_URL", url)

    assert expected in refused(zi(*command))


def test_the_installed_zi_says_it_too(tmp_path: Path) -> None:
    """The console script itself (not only CliRunner): exit 2, one line, no traceback."""
    zi_script = Path(os.environ.get("VIRTUAL_ENV", ".venv")) / "bin" / "zi"
    if not zi_script.exists():
        zi_script = Path(".venv/bin/zi")
    env = {
        **os.environ,
        "ZI_DATA_DIR": str(tmp_path),
        "ZI_DATABASE_URL": f"postgresql+psycopg://zi:{PASSWORD}@127.0.0.1:1/zi",
    }
    done = subprocess.run(
        [str(zi_script), "proposals"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Galat: tidak dapat terhubung") and PASSWORD not in done.stderr
    assert "Traceback" not in done.stderr


# --- numbers where a code is expected (SQLite and PostgreSQL) -----------------------------------


@pytest.mark.parametrize("key", ["1234567890123456789012345", "²", "9" * 600, "4294967296"])
def test_numbers_that_are_no_database_id(cli_database: Path, key: str) -> None:  # noqa: F811
    assert "tidak ditemukan" in refused(zi("propose", "--unit", key))
    assert "tidak ditemukan" in refused(zi("tpn-result", "--unit", key, "--result", "rejected"))
    assert "tidak ditemukan" in refused(zi("status", "--instansi", key))
    assert "tidak ditemukan" in refused(zi("propose", "--instansi", key, "--year", "2027"))


# --- a full or read-only data folder --------------------------------------------------------------


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Iterator[Path]:
    """A real 32 KB file system when we may mount one (root), else a plain folder."""
    folder = tmp_path / "klein"
    folder.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )
    try:
        yield folder if mounted else pytest.skip("no tmpfs (not root)")
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=False)


def test_a_full_data_folder_while_proposing(
    cli_database: Path,  # noqa: F811
    tiny_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZI_DATA_DIR", str(tiny_folder))  # the database stays where it was

    message = refused(zi("propose", "--unit", "SIAP", "--as-of", "2027-03-02"))

    assert "tidak disimpan" in message and "ruang disk habis" in message
    listed = zi("proposals")
    assert listed.exit_code == 0 and "SIAP" not in listed.stdout


def test_the_letter_fails_after_the_proposal_was_saved(
    cli_database: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import services.proposals

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(cli_database / "surat.pdf"))

    build_letter = services.proposals.build_instansi_letter
    monkeypatch.setattr(services.proposals, "build_instansi_letter", full)

    message = refused(zi("propose", "--unit", "SIAP", "--as-of", "2027-03-02"))

    assert "revisi 1 TERSIMPAN dengan paketnya" in message
    assert "surat pengajuan instansi tidak dapat ditulis" in message
    assert "ruang disk habis" in message and "jalankan ulang `zi propose --unit SIAP`" in message
    listed = zi("proposals")
    assert listed.exit_code == 0 and "SIAP" in listed.stdout
    # With space again, the rerun the message names keeps the draft and writes the letter.
    monkeypatch.setattr(services.proposals, "build_instansi_letter", build_letter)
    assert not list(cli_database.rglob("surat-pengajuan-*.zip"))
    rerun = zi("propose", "--unit", "SIAP", "--as-of", "2027-03-02")
    assert rerun.exit_code == 0, rerun.output
    assert len(list(cli_database.rglob("surat-pengajuan-*.zip"))) == 1


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_workbook_that_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    import spreadsheets.agency_workbook

    def refuse(path: Path, *args: object) -> None:
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(spreadsheets.agency_workbook, "write_agency_workbook", refuse)

    message = refused(zi("agency", "template", tmp_path / "agensi.xlsx"))

    assert f"tidak dapat menulis {tmp_path / 'agensi.xlsx'}" in message


def test_an_unexpected_error_stays_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import spreadsheets.agency_workbook

    def bug(*args: object) -> None:
        raise KeyError("a bug, not the environment")

    monkeypatch.setattr(spreadsheets.agency_workbook, "write_agency_workbook", bug)

    result = zi("agency", "template", tmp_path / "agensi.xlsx")

    assert result.exit_code == 1 and isinstance(result.exception, KeyError)


# --- dates, years and Click's own messages ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--as-of", "0001-01-01"], "opsi --as-of: 0001-01-01: di luar rentang yang diterima"),
        (["--as-of", "9999-12-31"], "opsi --as-of: 9999-12-31: di luar rentang yang diterima"),
        (["--as-of", "2026-13-01"], "opsi --as-of: '2026-13-01' bukan tanggal YYYY-MM-DD"),
        (["--year", "0"], "opsi --year: 0 terlalu kecil; paling kecil 2000"),
        (["--year", "20266"], "opsi --year: 20266 terlalu besar; paling besar 2100"),
        (["--year", "abc"], "opsi --year: 'abc' bukan bilangan bulat"),
        (["--bogus"], "opsi tidak dikenal: --bogus"),
        (["--as-of"], "opsi --as-of memerlukan nilai"),
    ],
)
def test_submit_refuses_values_nobody_means(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    monkeypatch.setenv("ZI_DATA_DIR", str(tmp_path))

    message = refused(zi("submit", "--instansi", "X", *args))

    assert expected in message and "(lihat `" in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nosuch"], "perintah tidak dikenal: 'nosuch'"),
        (["submit"], "opsi --instansi wajib diisi"),
        (["score"], "argumen ANSWERS wajib diisi"),
        (["score", "a.csv", "b.csv"], "argumen berlebih: b.csv"),
        (
            ["tpn-result", "--unit", "U", "--result", "rejected", "--score", "101"],
            "paling besar 100",
        ),
        (["tpn-result", "--unit", "U", "--result", "awarded", "--predicate", "XYZ"], "pilih WBK"),
        (["award", "--unit", "U", "--decree", "1", "--decree-date", "0001-01-01"], "di luar"),
        (["period", "open", "--instansi", "X", "--start", "x", "--end", "2026-01-01"], "bukan"),
        (["remind", "--days", "0"], "opsi --days: 0 terlalu kecil"),
        (["calendar", "deadline", "--year", "0", "--date", "2026-05-01"], "paling kecil 2000"),
    ],
)
def test_usage_errors_are_indonesian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    monkeypatch.setenv("ZI_DATA_DIR", str(tmp_path))

    assert expected in refused(zi(*args))


# --- answers files ------------------------------------------------------------------------------


def score(tmp_path: Path, text: str, *args: str) -> Result:
    path = tmp_path / "jawaban.csv"
    path.write_text(text, encoding="utf-8")
    return zi("score", path, *args)


@pytest.mark.parametrize(
    "text", ["code,answer\n", "code;answer\r\n", "code,answer\nA.I.1.i.a,\n,\n"]
)
def test_an_answers_file_without_answers_scores_every_question_missing(
    tmp_path: Path, text: str
) -> None:
    result = score(tmp_path, text, "--json")

    assert result.exit_code == 0, result.output
    scored = json.loads(result.stdout)
    assert scored["total"] == 0
    assert len(scored["missing"]) == len(FRAMEWORK.item_codes)


def test_a_cell_longer_than_the_csv_limit(tmp_path: Path) -> None:
    message = refused(score(tmp_path, f"code,answer\nA.I.1.i.a,{'x' * 140_000}\n"))

    assert "jawaban.csv: ada sel yang lebih panjang dari 131.072 karakter" in message


def test_a_percentage_above_100_is_counted_100_with_a_warning(tmp_path: Path) -> None:
    result = score(tmp_path, "code,answer\nA.II.1.i.a,850%\n", "--json")

    assert result.exit_code == 0, result.output
    assert "A.II.1.i.a" not in json.loads(result.stdout)["missing"]
    warning = " ".join(result.stderr.split())
    assert "Peringatan: 1 jawaban dibaca tidak persis seperti tertulis" in warning
    assert "baris 2: A.II.1.i.a: persentase 850% melebihi 100%; dihitung 100%" in warning


def test_a_count_of_400_digits_is_refused_with_its_row(tmp_path: Path) -> None:
    text = f"code,answer\nA.II.1.i.a:agen_perubahan,{'9' * 400}\nA.II.1.i.a:perubahan_dibuat,3\n"

    message = refused(score(tmp_path, text))

    assert "baris 2: A.II.1.i.a:agen_perubahan: jumlah 99999999999999999999… (400 angka)" in (
        message
    )
    assert "terlalu besar; paling besar 1.000.000.000.000.000" in message


def test_a_million_bad_rows_print_fifty(tmp_path: Path) -> None:
    rows = "".join(f"X{n},Ya\n" for n in range(20_000))

    result = score(tmp_path, "code,answer\n" + rows)

    message = refused(result)
    assert "20000 jawaban tidak dapat dibaca" in message
    assert "... dan 19950 masalah lain" in message
    assert result.stderr.count("\n") < 60


def test_long_csv_import_problems_are_capped(
    cli_database: Path,  # noqa: F811
    tmp_path: Path,
    database_url: URL,
) -> None:
    path = tmp_path / "semua.csv"
    path.write_text(
        "unit,code,answer\n" + "".join(f"SIAP,X{n},Ya\n" for n in range(5_000)), encoding="utf-8"
    )

    result = zi("lke", "import", path, "--instansi", "Kementerian Uji", "--as-of", "2027-03-02")

    assert (result.exit_code == 2 and result.exception is None) or isinstance(
        result.exception, SystemExit
    )
    assert result.stderr.count("\n") < 60, result.stderr[:3000]
    assert "masalah lain" in result.stderr


# --- the work pool -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["deploy", "worker"])
def test_the_work_pool_commands_need_a_prefect_server(
    command: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    # Unset in the environment and in Prefect's settings context: a test harness entered by an
    # earlier test (tests/flows) sets it there, and `zi deploy` then registered to its server.
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert "PREFECT_API_URL" in refused(zi(command))


def test_deploy_says_when_the_prefect_server_does_not_answer(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        message = refused(zi("deploy", "--pool", "uji"))
    assert "http://127.0.0.1:9/api tidak menjawab" in message
