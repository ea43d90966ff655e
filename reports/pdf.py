"""HTML to PDF with WeasyPrint, byte-reproducibly: the same HTML and date give the same bytes.

WeasyPrint writes no creation date unless the document asks for one, but two things vary
between runs: the PDF's file identifier (random unless given) and the embedded font subsets,
whose `head` table fontTools stamps with the current time unless SOURCE_DATE_EPOCH is set
(the reproducible-builds convention). Both are pinned here: the identifier from the HTML's
hash, the font time from the document's own date.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import partial

_ENVIRONMENT = threading.Lock()  # SOURCE_DATE_EPOCH is process-wide
_EPOCH = "SOURCE_DATE_EPOCH"


def _fresh_lock() -> None:
    """In a forked worker (`render_pdfs`): not the parent's lock, which another of its threads
    may have held at the fork."""
    global _ENVIRONMENT
    _ENVIRONMENT = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_fresh_lock)

# WeasyPrint logs every CSS property it does not support at WARNING; a document is checked by
# its tests, not by a log full of them.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)
# Without the HarfBuzz-Subset library WeasyPrint subsets fonts with fontTools (pinned below) and
# warns that a future version will need it; the output is the same either way.
warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)


def render_pdf(html: str, *, dated: date) -> bytes:
    """The PDF of a self-contained `html` page (no external resources), dated `dated`."""
    import weasyprint  # here, after the warning filter above; it loads Pango when imported

    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    with _fixed_font_time(dated):
        document = weasyprint.HTML(string=html, base_url=None).render()
        pdf: bytes = document.write_pdf(pdf_identifier=identifier)
    return pdf


def render_pdfs(pages: Mapping[str, str], *, dated: date) -> dict[str, bytes]:
    """`render_pdf` of several pages, side by side on the machine's cores: layout is CPU-bound
    Python (most of a proposal package's time), so threads would not help. The same bytes as
    one by one: each worker renders a whole page with the same code."""
    workers = min(len(pages), _cores())
    if workers < 2 or sys.platform != "linux":
        return {name: render_pdf(html, dated=dated) for name, html in pages.items()}
    # Forked: the workers start at once, with this process's modules, and run no `__main__`
    # again (spawn and forkserver would); they only render, and end without atexit handlers.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        rendered = pool.map(partial(render_pdf, dated=dated), pages.values())
        return dict(zip(pages, rendered, strict=True))


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def _fixed_font_time(dated: date) -> Iterator[None]:
    epoch = int(datetime(dated.year, dated.month, dated.day, tzinfo=UTC).timestamp())
    with _ENVIRONMENT:
        before = os.environ.get(_EPOCH)
        os.environ[_EPOCH] = str(epoch)
        try:
            yield
        finally:
            if before is None:
                del os.environ[_EPOCH]
            else:
                os.environ[_EPOCH] = before
