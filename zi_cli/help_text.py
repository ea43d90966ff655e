"""`--help` in Indonesian, like every other message of `zi`.

Typer and Click write their help with English headings ("Usage:", "Options:", "Commands:"),
English type labels (`<str>`, `<int range>`, and `<bool>` even on a plain flag) and an English
help option ("Show this message and exit."). Every `zi` command and group is made by `ZiTyper`,
whose command classes write the help themselves: the same layout as Click's plain help (it fits
the terminal, 80 columns at most), with Indonesian headings, a word in capitals for each value an
option takes (its own `metavar`, or one from its type), none on a flag, and the default, range and
whether it is required in Indonesian too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import typer
from typer._click import Command, Context, HelpFormatter, Parameter
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType

USAGE = "Pemakaian: "
ARGUMENTS = "Argumen"
OPTIONS = "Opsi"
COMMANDS = "Perintah"
OPTIONS_METAVAR = "[OPSI]"
SUBCOMMAND_METAVAR = "PERINTAH [ARGUMEN]..."
HELP_OPTION = "Tampilkan bantuan ini lalu keluar."
SHORT_HELP = 300  # a command's first sentence in the list of commands, not cut at 45 characters

# A value's word when the option names none: from the type Typer reads off the annotation.
TYPE_WORDS = {
    "str": "TEKS",
    "list[str]": "TEKS",
    "int": "BILANGAN",
    "int range": "BILANGAN",
    "float": "ANGKA",
    "float range": "ANGKA",
    "path": "BERKAS",
    "list[Path]": "BERKAS",
    "datetime": "YYYY-MM-DD",
}


def value_word(param: Parameter, ctx: Context) -> str:
    """The word shown for the value a parameter takes: its metavar, else its type in words."""
    if param.metavar:
        return param.metavar
    label = param.display_type(ctx).strip("<>") if hasattr(param, "display_type") else ""
    return TYPE_WORDS.get(label, label.upper() or "NILAI")


def is_flag(param: Parameter) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


def plain_number(value: object) -> str:
    """A limit as typed: 100, 0.5 (not 100.0)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def notes(param: Parameter) -> list[str]:
    """What the help says after the text: the default, the range, whether it is required."""
    found = []
    default = param.default
    shows_default = getattr(param, "show_default", False)
    if isinstance(shows_default, str):
        found.append(f"bawaan: {shows_default}")
    elif shows_default and not is_flag(param) and default not in (None, (), []):
        found.append(f"bawaan: {default}")
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        found.append(f"{plain_number(low)} sampai {plain_number(high)}")
    elif low is not None:
        found.append(f"paling kecil {plain_number(low)}")
    elif high is not None:
        found.append(f"paling besar {plain_number(high)}")
    if param.required:
        found.append("wajib")
    return found


def help_record(param: Parameter, ctx: Context) -> tuple[str, str]:
    """(the parameter as typed, what it does) for one row of the help."""
    if param.param_type_name == "argument":
        name = value_word(param, ctx) + ("..." if param.nargs != 1 else "")
    else:
        name = " / ".join([*param.opts, *param.secondary_opts])
        if not is_flag(param):
            name += f" {value_word(param, ctx)}"
    text = getattr(param, "help", None) or ""
    extra = notes(param)
    if extra:
        text = f"{text}  [{'; '.join(extra)}]" if text else f"[{'; '.join(extra)}]"
    return name, text


class IndonesianHelp(Command):
    """The help of a command or group in Indonesian (the base of Typer's classes below)."""

    def _localize(self) -> None:
        self.options_metavar = OPTIONS_METAVAR

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [OPTIONS_METAVAR]
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                word = value_word(param, ctx) + ("..." if param.nargs != 1 else "")
                pieces.append(word if param.required else f"[{word}]")
        return pieces

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        self.format_options(ctx, formatter)
        self.format_epilog(ctx, formatter)

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        params = [p for p in self.get_params(ctx) if not getattr(p, "hidden", False)]
        for heading, kind in ((ARGUMENTS, "argument"), (OPTIONS, "option")):
            rows = [help_record(p, ctx) for p in params if p.param_type_name == kind]
            if rows:
                with formatter.section(heading):
                    formatter.write_dl(rows)


class HelpCommand(IndonesianHelp, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._localize()


class HelpGroup(IndonesianHelp, TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._localize()
        self.subcommand_metavar = SUBCOMMAND_METAVAR

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return [*super().collect_usage_pieces(ctx), SUBCOMMAND_METAVAR]

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        rows = list(self._command_rows(ctx))
        if rows:
            with formatter.section(COMMANDS):
                formatter.write_dl(rows)

    def _command_rows(self, ctx: Context) -> Iterator[tuple[str, str]]:
        """Each command with the first sentence of its help, whole (the list wraps it)."""
        for name in self.list_commands(ctx):
            command = self.commands[name]
            if not command.hidden:
                yield name, command.get_short_help_str(limit=SHORT_HELP)


class ZiTyper(typer.Typer):
    """A `typer.Typer` whose groups and commands write their help in Indonesian."""

    def __init__(self, *, cls: type[TyperGroup] | None = None, **kwargs: Any) -> None:
        super().__init__(cls=cls or HelpGroup, rich_markup_mode=None, **kwargs)

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or HelpCommand, **kwargs)
