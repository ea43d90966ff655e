"""What every `zi` command shares: the consoles, the bad-input exit, the common options.

Exit status 2 means bad input: the message names the file, row or option and the problem, in
Indonesian for the people who fix the data. Text from the data passes `shown` (or `clean`) before
Rich prints it: a name with brackets is shown as typed, never read as markup, and an escape
sequence, a carriage return or a bidi override in a name cannot repaint the terminal.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from reports.rendering import printable

console = Console()
errors = Console(stderr=True)

BAD_INPUT = 2

AsOf = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Tanggal (YYYY-MM-DD); bawaan: hari ini."),
]
InstansiCode = Annotated[
    str,
    typer.Option("--instansi", help="Kode instansi (atau namanya) seperti di buku kerja agensi."),
]
OptionalInstansi = Annotated[
    str | None,
    typer.Option("--instansi", help="Kode instansi; bawaan: semua instansi."),
]


# ANSI escape sequences as a terminal reads them: CSI (ESC [ or the C1 byte 0x9B) with its
# parameters, OSC (ESC ] up to BEL or ST, e.g. a hyperlink or window title), and ESC with one byte.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
# What `printable` keeps but a terminal line must not get from data: C1 controls (0x80-0x9F),
# and the bidi embeddings, overrides and isolates that make a text read other than it is stored.
_UNSHOWN = re.compile(r"[\x80-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")


def clean(text: object, *, lines: bool = False) -> str:
    """Text from data as a terminal may show it: no escape sequences, no control characters.

    A line break in data becomes a space, so a name cannot start a line of its own; with `lines`
    (a message whose line breaks the product put there) a break stays one newline.
    """
    plain = printable(_ESCAPE_SEQUENCE.sub("", str(text)).replace("\t", " "))
    plain = _LINE_BREAK.sub("\n" if lines else " ", plain)
    return _UNSHOWN.sub("", plain)


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
        f"[bold red]Galat:[/] {shown(message, lines=True)}", highlight=False, soft_wrap=True
    )
    raise typer.Exit(BAD_INPUT)


def day(as_of: datetime | None) -> date:
    from config.settings import today

    return as_of.date() if as_of is not None else today()


def say(text: str) -> None:
    """Prints text that carries data (names, codes) without reading it as markup; its own line
    breaks stay (wrap data in `clean` so that a break in a name does not)."""
    console.print(shown(text, lines=True), highlight=False, soft_wrap=True)
