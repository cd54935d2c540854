"""Text from outside (course ids and titles, server messages) made safe to print or log.

A course title or a server's error message may hold terminal control sequences (``ESC ]0;…``
sets the terminal's title, ``ESC [2J`` clears the screen), carriage returns that overwrite what
was printed before, or bidirectional overrides that reorder it. Everything the command line
prints and everything the log records goes through ``printable`` or ``one_line``: control
characters become visible escapes (``\\x1b``), so the text can be read but never acts.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls and DEL; newline and tab are handled by the callers' choice.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return f"\\x{ord(char):02x}"


def _strip_format(text: str) -> str:
    """Bidirectional overrides and other invisible format characters (category Cf, such as
    U+202E) shown as ``\\u202e``."""
    if text.isascii():
        return text
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cf" else c for c in text)


def printable(text: object, *, keep_newlines: bool = True) -> str:
    """``text`` with every control character (but newline and tab, when ``keep_newlines``)
    shown as an escape instead of acting on the terminal."""
    value = str(text)
    pattern = _CONTROL if keep_newlines else _CONTROL_ALL
    return _strip_format(pattern.sub(_escape, value))


def one_line(text: object, *, limit: int | None = None) -> str:
    """``text`` on one line: runs of white space become one space, control characters become
    escapes; cut to ``limit`` characters (with "…") when given."""
    value = " ".join(str(text).split())
    value = printable(value, keep_newlines=False)
    if limit is not None and len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    return value
