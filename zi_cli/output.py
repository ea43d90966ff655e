"""What every `zi` command shares: the consoles, the bad-input exit, the common options.

Exit status 2 means bad input: the message names the file, row or option and the problem, in
Indonesian for the people who fix the data. Text from the data passes `shown` (or `clean`) before
Rich prints it: a name with brackets is shown as typed, never read as markup, and an escape
sequence, a carriage return or a bidi override in a name cannot repaint the terminal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console, ConsoleDimensions
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from zi_domain.plain_text import printable

DEFAULT_COLUMNS = 80


class FittedConsole(Console):
    """A console as wide as its terminal; written to a pipe, a file or a test it is COLUMNS
    wide, else 80 columns (Rich alone would take the width of whichever of stdin, stdout or
    stderr is a terminal, and so write 200-column tables into a file)."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self.is_terminal or self._width is not None:
            return size
        columns = os.environ.get("COLUMNS", "")
        return ConsoleDimensions(
            int(columns) if columns.isdigit() else DEFAULT_COLUMNS, size.height
        )

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size

    via: Console | None = None
    """While a progress bar runs on the terminal: the bar's console, which prints above it (Rich
    would write this console's lines straight to the terminal, across the bar)."""

    def print(self, *objects: Any, **options: Any) -> None:
        if self.via is not None:
            self.via.print(*objects, **options)
        else:
            super().print(*objects, **options)


console = FittedConsole()
errors = FittedConsole(stderr=True)

BAD_INPUT = 2

# Dates and years a command accepts: the ZI programme's time, with room for plans and decrees.
# A year before 2000 or after 2100, or a day outside them, is a typing error (0001-01-01, 9999),
# not a date anybody means; `--as-of` (the day a letter is dated, a run is recorded) is at most
# five years ahead of today, which leaves room for planning and tests but not for a typo.
FIRST_YEAR, LAST_YEAR = 2000, 2100
AS_OF_YEARS_AHEAD = 5


def _parsed_day(value: object, latest: date) -> datetime:
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    try:
        parsed = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise ValueError(f"{text!r} bukan tanggal YYYY-MM-DD") from None
    earliest = date(FIRST_YEAR, 1, 1)
    if not earliest <= parsed.date() <= latest:
        raise ValueError(
            f"{text}: di luar rentang yang diterima ({earliest.isoformat()} sampai "
            f"{latest.isoformat()})"
        )
    return parsed


def any_day(value: object) -> datetime:
    """A date option (a decree, a period's start): YYYY-MM-DD within 2000..2100."""
    return _parsed_day(value, date(LAST_YEAR, 12, 31))


def as_of_day(value: object) -> datetime:
    """`--as-of`: YYYY-MM-DD from 2000-01-01 to five years after today."""
    from config.settings import today

    now = today()
    ahead = now.replace(year=now.year + AS_OF_YEARS_AHEAD, day=min(now.day, 28))
    return _parsed_day(value, ahead)


AsOf = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        parser=as_of_day,
        metavar="YYYY-MM-DD",
        help="Tanggal (YYYY-MM-DD); bawaan: hari ini.",
    ),
]
InstansiCode = Annotated[
    str,
    typer.Option(
        "--instansi",
        metavar="KODE",
        help="Kode instansi (atau namanya) seperti di buku kerja agensi.",
    ),
]
OptionalInstansi = Annotated[
    str | None,
    typer.Option("--instansi", metavar="KODE", help="Kode instansi; bawaan: semua instansi."),
]


# ANSI escape sequences as a terminal reads them: CSI (ESC [ or the C1 byte 0x9B) with its
# parameters, OSC (ESC ] up to BEL or ST, e.g. a hyperlink or window title), and ESC with one byte.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")


def clean(text: object, *, lines: bool = False) -> str:
    """Text from data as a terminal may show it: no escape sequences, no control characters.

    A line break in data becomes a space, so a name cannot start a line of its own; with `lines`
    (a message whose line breaks the product put there) a break stays one newline.
    """
    broken = _LINE_BREAK.sub("\n" if lines else " ", str(text))
    return printable(broken.replace("\t", " "))


def shown(text: object, *, lines: bool = False) -> str:
    """`clean` text escaped for Rich markup: for f-strings with markup, Table cells and titles,
    progress descriptions (Rich reads markup in all of them)."""
    return escape(clean(text, lines=lines))


def quoting(message: object, *data: str | None) -> str:
    """A product message (its own line breaks kept) that quotes data, escaped for markup: each
    quoted value (a name, a code) stays on one line, so a break in a name cannot forge a line."""
    text = str(message)
    for value in data:
        if value:
            text = text.replace(value, clean(value))
    return shown(text, lines=True)


def fail(message: str) -> NoReturn:
    errors.print(
        f"[bold red]Galat:[/] {shown(bounded(message), lines=True)}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(BAD_INPUT)


MAX_LISTED = 50
"""Problems listed one per line at most; a million bad rows must not print a million lines."""
MAX_LINE = 1000
"""Characters of one line at most (a 100,000-character cell is cut, its place still named)."""


def bounded(message: str, *, limit: int = MAX_LISTED) -> str:
    """`message` with at most `limit` lines after its first (the heading of a list of problems)
    and no line longer than MAX_LINE characters; says how many more there are."""
    lines = [_short(line) for line in str(message).splitlines()] or [""]
    if len(lines) <= limit + 2:  # the heading, the problems, a line saying how many more
        return "\n".join(lines)
    more = len(lines) - 1 - limit
    return "\n".join([*lines[: limit + 1], f"  ... dan {more} masalah lain"])


def _short(line: str) -> str:
    return line if len(line) <= MAX_LINE else f"{line[: MAX_LINE - 1]}… ({len(line)} karakter)"


def day(as_of: datetime | None) -> date:
    from config.settings import today

    return as_of.date() if as_of is not None else today()


def say(text: str) -> None:
    """Prints text that carries data (names, codes) without reading it as markup; its own line
    breaks stay (wrap data in `clean` so that a break in a name does not)."""
    console.print(shown(text, lines=True), highlight=False, soft_wrap=True)


def print_path(label: str | None, path: object, *, to: Console | None = None) -> None:
    """`label` on one line (if any), then the path alone on the next, whole and unindented:
    never wrapped or cut at the console's width (a package path broken mid-word cannot be
    copied; a triple click copies the line as it is)."""
    out = to or console
    if label is not None:
        out.print(shown(label), highlight=False, soft_wrap=True)
    out.print(clean(path), highlight=False, soft_wrap=True, markup=False)


class Steps:
    """The running bar of `progress`: `advance` after each item."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self.bar, self.task = bar, task

    def advance(self, steps: int = 1) -> None:
        self.bar.advance(self.task, steps)


_running: list[Steps] = []  # the bar on screen, which a nested `progress` adds its line to


@contextmanager
def progress(description: str, total: int | None, *, at_least: int = 2) -> Iterator[Steps]:
    """A progress bar on stderr for long work (units scored, rows imported, packages built,
    weeks replayed), shown only when stderr is a terminal and there are `at_least` steps; gone
    when the work ends. `total=None`: one long step whose end is not known (a pulsing bar).
    Inside another `progress` it is one more line of the same display. What `console`, `say`,
    `print_path` and `errors` print meanwhile goes above the bar.

        with progress("Membuat paket usulan", len(units)) as steps:
            for unit in units:
                ...
                say(...)  # a line about the unit, above the bar
                steps.advance()
    """
    if _running:
        bar = _running[-1].bar
        task = bar.add_task(shown(description), total=total)
        try:
            yield Steps(bar, task)
        finally:
            bar.remove_task(task)
        return
    shown_bar = errors.is_terminal and (total is None or total >= at_least)
    # Lines printed to stdout while the bar runs go above it, when both are the terminal.
    live = shown_bar and console.is_terminal
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
        disable=not shown_bar,
        redirect_stdout=live,
        redirect_stderr=live,
    ) as bar:
        steps = Steps(bar, bar.add_task(shown(description), total=total))
        _running.append(steps)
        if live and isinstance(console, FittedConsole):
            console.via = bar.console
        try:
            yield steps
        finally:
            _running.pop()
            if isinstance(console, FittedConsole):
                console.via = None
