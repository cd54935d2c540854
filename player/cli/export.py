"""Sub-commands for export (filled in by the export work)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add this module's sub-commands to the parser."""
