"""run(): a real start in a subprocess, samples installed, first paint, clean exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from player.policy import MIN_PIN_ITERATIONS, hash_pin
from player.services.learn import LearnService
from player.services.profiles import ensure_guest
from player.settings import Settings
from player.store.db import Store
from player.ui.shell.app import FIRST_PAINT_ENV, READY_ENV, theme_choice
from player.ui.shell.main_window import MainWindow
from player.ui.tasks import ImmediatePool
from tests.conftest import REPO, SAMPLES
from tests.ui.conftest import MakeWindow

CHILD = """
import sys
from pathlib import Path
from player.store.db import Store
from player.ui.shell.app import run
sys.exit(run(Store(Path(sys.argv[1])), argv=["course-player"]))
"""


def test_run_opens_the_window_and_installs_the_samples(tmp_path: Path) -> None:
    env = _child_env(tmp_path)
    marker = tmp_path / "ready.txt"
    env[READY_ENV] = str(marker)  # the catalog shows the installed samples, then it quits
    data = tmp_path / "data"
    result = run_child(["-c", CHILD, str(data)], env)
    assert result.returncode == 0, result.stderr
    assert marker.read_text().strip()
    assert (tmp_path / "xdg_config_home" / "CoursePlayer" / "course-player.ini").is_file()
    store = Store(data)
    try:
        course_ids = [c.course_id for c in LearnService(store, ensure_guest(store)).list_courses()]
    finally:
        store.close()
    expected = sorted(json.loads(p.read_bytes())["courseId"] for p in SAMPLES.glob("*.json"))
    assert sorted(course_ids) == expected and expected


READY_CHILD = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import player.ui.shell.app as app_module
from player.store.db import Store

def ready(window, target):
    catalog = window.catalog
    print("READY rows", catalog.model.rowCount(), "visible", catalog.view.isVisible(),
          "enabled", catalog.view.isEnabled(), "httpx", "httpx" in sys.modules, flush=True)
    app_module._write_time(target)

    def later():
        from player.ui.sync.attach import SyncWiring
        print("WIRED", len(window.findChildren(SyncWiring)), flush=True)
        QApplication.exit(0)

    QTimer.singleShot(500, later)

app_module._write_ready = ready
sys.exit(app_module.run(Store(Path(sys.argv[1])), argv=["course-player"]))
"""


def run_child(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` from the repository, as a learner's start would run it."""
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def _child_env(tmp_path: Path) -> dict[str, str]:
    """Offscreen, the repository importable, every XDG folder in ``tmp_path``."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    return env


def test_ready_file_is_written_when_the_catalog_shows_the_courses(tmp_path: Path) -> None:
    """``COURSE_PLAYER_READY_FILE``: written when the catalog's list, filled with the stored
    courses, has painted; the HTTP client is not loaded by then, the sync's wiring right after."""
    env = _child_env(tmp_path)
    marker = tmp_path / "ready.txt"
    env[READY_ENV] = str(marker)
    result = run_child(["-c", READY_CHILD, str(tmp_path / "data")], env)
    assert result.returncode == 0, result.stderr
    samples = len(list(SAMPLES.glob("*.json")))
    assert f"READY rows {samples} visible True enabled True httpx False" in result.stdout
    assert "WIRED 1" in result.stdout
    assert float(marker.read_text()) > 0


def test_ready_file_from_the_command_line(tmp_path: Path) -> None:
    """``course-player`` with ``COURSE_PLAYER_READY_FILE`` writes the time and quits."""
    env = _child_env(tmp_path)
    marker = tmp_path / "ready.txt"
    env[READY_ENV] = str(marker)
    data = str(tmp_path / "data")
    for _start in range(2):  # the first start installs the samples, the second only reads
        marker.unlink(missing_ok=True)
        before = time.time()
        result = run_child(["-m", "player", "--data-dir", data], env)
        assert result.returncode == 0, result.stderr
        assert before < float(marker.read_text()) < time.time()


KIOSK_CHILD = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from player.ui.shell.main_window import MainWindow

show_window, attach = MainWindow.show_window, MainWindow.attach

def shown(self):
    show_window(self)
    print("FRAME full screen", self.isFullScreen(), flush=True)

def attached(self, store, **kwargs):
    attach(self, store, **kwargs)
    print("ATTACHED full screen", self.isFullScreen(), "kiosk", self.kiosk, flush=True)
    QTimer.singleShot(0, lambda: QApplication.exit(0))  # exit: a kiosk window refuses to close

MainWindow.show_window, MainWindow.attach = shown, attached
from player.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_command_line_starts_kiosk_mode_from_the_policy(tmp_path: Path) -> None:
    """``course-player --config policy.toml``: the policy reaches the window: its frame is full
    screen from the first paint, and kiosk mode starts with its idle time and PIN once the
    store is open."""
    env = _child_env(tmp_path)
    policy = tmp_path / "policy.toml"
    policy.write_text(
        "[kiosk]\nenabled = true\nidle_timeout_minutes = 7\n"
        f'pin_hash = "{hash_pin("2468", iterations=MIN_PIN_ITERATIONS)}"\n',
        encoding="utf-8",
    )
    result = run_child(
        ["-c", KIOSK_CHILD, "--data-dir", str(tmp_path / "data"), "--config", str(policy)],
        env,
    )
    assert result.returncode == 0, result.stderr
    assert "FRAME full screen True" in result.stdout  # from its first paint, no flash
    assert "ATTACHED full screen True kiosk True" in result.stdout
    logs = (tmp_path / "xdg_state_home" / "course-player" / "log" / "course-player.log").read_text(
        encoding="utf-8"
    )
    assert "kiosk mode on (idle timeout 420 s, exit PIN required)" in logs


def test_settings_theme_choice() -> None:
    assert theme_choice(None) is None
    assert theme_choice(Settings(theme="system")) is None
    assert theme_choice(Settings(theme="dark")) is True
    assert theme_choice(Settings(theme="light")) is False


def test_kiosk_window_has_no_file_import(
    imported: Store, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def get_open_file_name(*args: object, **kwargs: object) -> tuple[str, str]:
        asked.append("asked")
        return ("", "")

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(get_open_file_name))
    window = make_window(imported, kiosk=True)
    assert not window.import_action.isVisible() and not window.import_action.isEnabled()
    window.import_course()
    assert asked == []


FIRST_PAINT_CHILD = """
import sys
import player.ui.shell.app as app_module

write_time = app_module._write_time

def painted(target):
    layers = [name for name in ("sqlalchemy", "sqlmodel", "pydantic", "player.store", "httpx")
              if name in sys.modules]
    print("PAINTED with", layers or "none of the store layer", flush=True)
    write_time(target)

app_module._write_time = painted
from player.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_frame_paints_before_the_store_layer_is_imported(tmp_path: Path) -> None:
    """The window's frame (menus, the catalog's placeholder rows, the status bar) paints
    before sqlalchemy, sqlmodel, pydantic and the store's tables are imported (issue 13); the
    store opens after, and the catalog fills when it answers."""
    env = _child_env(tmp_path)
    marker = tmp_path / "painted.txt"
    env[FIRST_PAINT_ENV] = str(marker)
    result = run_child(["-c", FIRST_PAINT_CHILD, "--data-dir", str(tmp_path / "data")], env)
    assert result.returncode == 0, result.stderr
    assert "PAINTED with none of the store layer" in result.stdout, result.stdout
    assert float(marker.read_text()) > 0
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


def test_the_frame_waits_for_the_store_then_fills(qtbot: QtBot, imported: Store) -> None:
    """``MainWindow()`` without a store is the frame: the catalog paints placeholder rows and
    the entries that need the screens are disabled; ``attach`` builds the screens, enables
    them, and ``start`` fills the catalog."""
    window = MainWindow(pool=ImmediatePool(), follow_system_theme=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.catalog.view.loading and window.catalog.model.rowCount() == 0
    assert window.menuBar().actions() and not window.search_action.isEnabled()
    assert not window.settings_action.isEnabled() and window.quit_action.isEnabled()
    window.attach(imported)
    window.start()
    assert not window.catalog.view.loading
    assert "git-basics" in {c.course_id for c in window.catalog.model.courses()}
    assert window.search_action.isEnabled() and window.settings_action.isEnabled()
    assert window.import_action.isEnabled()
