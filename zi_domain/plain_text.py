"""Text from data as people may be shown it, in a terminal, an e-mail, a report or a log line.

A name typed into a workbook may hold what a reader must never get: an escape sequence that
repaints a terminal, a control character, a bidi override that makes "gnp.exe" read "exe.png", a
line break that starts a forged line of its own. `printable` drops them and keeps tabs and line
breaks; `one_line` also folds white space, for subjects, names, cells and log lines. One
definition for every output (`zi_cli.output.clean`, the e-mails, the reports, the flows' prints).
"""

from __future__ import annotations

import re

# CSI (ESC [ or 0x9B) and OSC (ESC ] or 0x9D, up to BEL or ST) sequences, and any other ESC pair.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
# C0 controls but tab and line breaks, DEL, C1 controls, and the bidi embeddings, overrides and
# isolates.
_UNSHOWN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` without escape sequences, control characters (tab and line breaks kept) or bidi
    controls."""
    if text.isascii() and text.isprintable():  # most text: nothing to drop, no regex to run
        return text
    return _UNSHOWN.sub("", _ESCAPE_SEQUENCE.sub("", text))


def one_line(text: str) -> str:
    """`printable` text on one line: every run of white space (line breaks too) one space."""
    return " ".join(printable(" ".join(text.split())).split())


def shortened(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut with an ellipsis: subjects, table cells and
    terminal columns stay readable."""
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
