"""The exported package in headless Chromium under a real SCORM 1.2 runtime (scorm-again).

Needs Debian's ``chromium`` and ``npm ci`` in ``tests/export/browser`` (see docs/export.md). The test
is skipped, with the reason, only when Chromium is missing or cannot start; a missing scorm-again is
a setup error and fails.

For each package, ``browser/lms.html`` plays the LMS: it reads ``imsmanifest.xml``, and launches
every SCO in an iframe with a fresh ``Scorm12API`` as ``window.API``, scrolls the lesson to its end,
then unloads it. Every lesson must report ``completed`` only after reaching its end, and call
``LMSFinish`` when it goes away; without an API, a lesson stays a plain page.
"""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from player.export.lms import build_lms
from tests.export.chromium import Chromium, ChromiumUnavailable
from tests.export.conftest import fixture_parsed

pytestmark = pytest.mark.browser

BROWSER_DIR = Path(__file__).resolve().parent / "browser"
SCORM_AGAIN = BROWSER_DIR / "node_modules" / "scorm-again" / "dist" / "scorm12.js"
PACKAGES = ("git-basics.json", "multilingual.json", "hostile.json")
SESSION_TIME = re.compile(r"\d{4}:\d{2}:\d{2}")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def lms_site(tmp_path: Path) -> Iterator[str]:
    """A local web root with the test LMS, scorm-again and the unzipped packages; its base URL."""
    if not SCORM_AGAIN.is_file():
        pytest.fail(
            "scorm-again is not installed: run `npm ci` in tests/export/browser "
            "(the .ci/run script does this before the browser tests)"
        )
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(BROWSER_DIR / "lms.html", root / "lms.html")
    shutil.copy(SCORM_AGAIN, root / "scorm12.js")
    for name in PACKAGES:
        out = io.BytesIO()
        build_lms(fixture_parsed(name), out)
        zipfile.ZipFile(out).extractall(root / name.removesuffix(".json"))
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_every_lesson_reports_completion_to_the_lms(lms_site: str) -> None:
    try:
        browser = Chromium(width=900, height=700, timeout=60)
        browser.__enter__()
    except ChromiumUnavailable as error:
        pytest.skip(str(error))
    try:
        for name in PACKAGES:
            package = fixture_parsed(name).package
            browser.console.clear()
            browser.navigate(f"{lms_site}/lms.html?pkg={name.removesuffix('.json')}")
            title = browser.wait_for(
                "['done', 'failed'].includes(document.title) && document.title", timeout=60
            )
            text = browser.evaluate("document.getElementById('results').textContent")
            assert title == "done", text
            *scos, plain = json.loads(text)
            assert len(scos) == len(package.lessons)
            assert any(not sco["endInView"] for sco in scos), "some lessons need scrolling"
            for sco in scos:
                assert sco["initialized"], sco
                # Completed only once the end of the lesson has been on screen.
                assert sco["before"] == ("completed" if sco["endInView"] else "incomplete"), sco
                assert sco["after"] == "completed", sco
                assert sco["terminated"] and sco["final"] == "completed", sco
                calls = sco["calls"]
                assert calls[0] == "LMSInitialize" and calls[-1] == "LMSFinish"
                assert "cmi.core.lesson_status=completed" in calls
                [session] = [c for c in calls if c.startswith("cmi.core.session_time=")]
                assert SESSION_TIME.fullmatch(session.split("=", 1)[1])
            assert plain == {
                "plain": True,
                "buttonHidden": True,
                "lmsClass": False,
                "pagerVisible": True,
            }
            blocked = [line for line in browser.console if "Content Security Policy" in line]
            assert blocked == [], blocked  # our style, script and images are all allowed
    finally:
        browser.__exit__(None, None, None)
