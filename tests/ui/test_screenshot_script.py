"""docs/screenshots/make_screenshots.py still drives the real window: it runs to the end and
writes every picture the docs show (a renamed window method once broke it unnoticed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

SCRIPT = REPO / "docs" / "screenshots" / "make_screenshots.py"


def test_the_screenshot_script_writes_every_picture_the_docs_show(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    out = tmp_path / "shots"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    committed = {p.name for p in SCRIPT.parent.glob("*.png")}
    written = {p.name for p in out.glob("*.png")}
    # the PDF and LMS pictures come from other scripts (docs/export.md)
    assert {n for n in committed if not n.startswith(("pdf-", "lms-"))} <= written
    assert all(p.stat().st_size > 1000 for p in out.glob("*.png"))
