"""The Jinja2 environment of every document the product writes (reports, proposal letters)."""

from __future__ import annotations

import functools

import jinja2

from zi_domain.indonesian import TEMPLATE_FILTERS
from zi_domain.plain_text import printable


# C0 control characters but tab, line feed and carriage return: a PDF's text and a worksheet's
# cells cannot hold them, and a name typed by someone may (a pasted bell, an escape sequence).
def _finalize(value: object) -> object:
    """Every value a template prints passes here: text from data loses control characters
    and escape sequences (`zi_domain.plain_text.printable`)."""
    return printable(value) if isinstance(value, str) else value


@functools.cache
def environment() -> jinja2.Environment:
    """Templates from the installed package, escaped by default; a missing name is an error."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters.update(TEMPLATE_FILTERS)
    return env
