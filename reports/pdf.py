"""Data to PDF with Typst, byte-reproducibly: the same data and date give the same bytes.

Every PDF is a static Typst template (`reports/templates/*.typ`) that reads its data as JSON
from `sys.inputs`: text from data is only ever a Typst string shown as text, never spliced into
markup, so a name holding `#`, `*`, `$` or `[` prints as typed. Strings lose control characters
first (`zi_domain.plain_text.printable`), as the Jinja2 templates' values do.

Nothing comes from the machine: the fonts are the DejaVu Sans files under `config/fonts/`
(system fonts ignored), and the PDF's creation date is the document's own date, never the
clock. Typst takes 10 to 30 ms a page, in-process (WeasyPrint took about ten times that).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import typst

from zi_domain.plain_text import printable

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONTS = Path(__file__).resolve().parent.parent / "config" / "fonts"
DATA = "data"  # the `sys.inputs` key the templates read their JSON from

# One compiler per process, its fonts loaded once; Typst's compiler is not meant to be shared
# by threads compiling at the same time.
_COMPILING = threading.Lock()

Json = str | int | float | bool | None | Sequence["Json"] | Mapping[str, "Json"]


@dataclass(frozen=True)
class Document:
    """A PDF to make: a template of `reports/templates`, the data it lays out, and its date
    (the PDF's creation date)."""

    template: str  # e.g. "lhe.typ"
    data: Mapping[str, Json]
    dated: date

    def json(self) -> str:
        """The data as the template reads it: plain JSON, every string printable."""
        return json.dumps(_printable(self.data), ensure_ascii=False, allow_nan=False)


def render_pdf(document: Document) -> bytes:
    """The PDF of `document`; a template error is raised (`typst.TypstError`), never hidden."""
    return compile_typst(TEMPLATES / document.template, document.json(), dated=document.dated)


def compile_typst(template: Path, data: str, *, dated: date) -> bytes:
    """`template` compiled with `data` as `sys.inputs.data`, dated `dated` (midnight UTC)."""
    timestamp = int(datetime(dated.year, dated.month, dated.day, tzinfo=UTC).timestamp())
    with _COMPILING:
        pdf = _compiler().compile(
            input=template,
            format="pdf",
            sys_inputs={DATA: data},
            timestamp=timestamp,
            pdf_tags=False,  # as WeasyPrint wrote them: tags would double the time and the size
        )
    if not isinstance(pdf, bytes):  # one PDF, never a page list (that is for PNG and SVG)
        raise TypeError(f"Typst gave {type(pdf).__name__} for {template.name}")
    return pdf


@functools.cache
def fonts() -> typst.Fonts:
    """The fonts of every PDF: the files under `config/fonts/` only, neither the system's nor
    the ones built into Typst."""
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[FONTS])


@functools.cache
def _compiler() -> typst.Compiler:
    return typst.Compiler(root=TEMPLATES, font_paths=fonts(), ignore_system_fonts=True)


def _printable(value: Json) -> Json:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, Mapping):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, Sequence):
        return [_printable(item) for item in value]
    return value
