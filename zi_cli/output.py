"""What every `zi` command shares: the consoles, the bad-input exit, the common options.

Exit status 2 means bad input: the message names the file, row or option and the problem, in
Indonesian for the people who fix the data. Text from the data is escaped before Rich prints it,
so a name with brackets is shown as typed, never read as markup.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

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


def fail(message: str) -> NoReturn:
    errors.print(f"[bold red]Galat:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(BAD_INPUT)


def day(as_of: datetime | None) -> date:
    from config.settings import today

    return as_of.date() if as_of is not None else today()


def say(text: str) -> None:
    """Prints text that carries data (names, codes) without reading it as markup."""
    console.print(escape(text), highlight=False, soft_wrap=True)
