"""The limits a course package must keep, checked when it is parsed (file import and sync alike).

Each limit is far above what a real course needs and low enough that a hostile or broken package
cannot make every later command slow or the player run out of memory: a package is parsed again
each time a course is opened, so what is accepted once is paid for on every read. ``docs/limits.md``
gives the reason for each figure.
"""

from __future__ import annotations

MAX_PACKAGE_BYTES = 64 * 1024 * 1024
"""The size of a package file or download (bytes), images included."""

MAX_DEPTH = 64
"""How deeply JSON arrays and objects may nest (a real package needs fewer than 10 levels)."""

MAX_LESSONS = 5_000
"""Lessons in one package."""

MAX_BLOCKS_PER_LESSON = 5_000
"""Content blocks in one lesson."""

MAX_BLOCKS = 100_000
"""Content blocks in the whole package."""

MAX_TEXT_CHARS = 1_000_000
"""Characters in one text (a title, a paragraph, a code block…); an image's data is bounded by
``MAX_PACKAGE_BYTES`` instead."""

MAX_VALUES = 1_000_000
"""JSON values (objects, arrays, strings, numbers…) in the whole package, unknown fields included."""
