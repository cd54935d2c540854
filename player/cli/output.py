"""What the command line writes to the terminal can never act on it.

``safe_output()`` puts a thin wrapper around ``sys.stdout`` and ``sys.stderr`` for the length of
one command: every control character in what is written (but newline and tab) becomes a visible
escape (``player.safe_text.printable``). Course ids and titles, lesson text and a server's
messages come from outside; a title holding ``ESC ]0;…`` or ``ESC [2J`` would otherwise set the
terminal's title or clear the screen. The one writer that needs a carriage return (the progress
line of ``sync``) writes to ``raw_stderr()``, with text of its own.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from player.safe_text import printable


class SafeStream:
    """A text stream that escapes control characters before passing text on."""

    def __init__(self, target: TextIO) -> None:
        self.target = target

    def write(self, text: str) -> int:
        self.target.write(printable(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.target.flush()

    def isatty(self) -> bool:
        return self.target.isatty()

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, buffer, …
        return getattr(self.target, name)


@contextmanager
def safe_output() -> Iterator[None]:
    """Wrap stdout and stderr in ``SafeStream`` for the ``with`` block."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = SafeStream(out)
    sys.stderr = SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def raw_stderr() -> TextIO:
    """The terminal's stderr itself, for text the player wrote entirely (a progress line)."""
    stream = sys.stderr
    return stream.target if isinstance(stream, SafeStream) else stream
