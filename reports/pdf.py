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
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

_ENVIRONMENT = threading.Lock()  # SOURCE_DATE_EPOCH is process-wide
_EPOCH = "SOURCE_DATE_EPOCH"

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
