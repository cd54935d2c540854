"""Sub-commands for sync (filled in by the sync work)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add this module's sub-commands to the parser."""
