"""Save screenshots of the real windows to docs/screenshots/.

Run from the repository root::

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_screenshots.py

It builds a throw-away data directory (the bundled samples, the multilingual and hostile
fixtures of tests/fixtures/, a learner with progress, a paid course and a course not downloaded yet), opens the
real ``MainWindow`` with its background work run in place, and saves ``widget.grab()`` PNGs:
the catalog, the overview (also locked, not downloaded, and removed from this computer), a lesson showing each block type, every lesson of the
multilingual fixture (one right to left), search (the results, a lesson opened from them with
its matches marked, find in lesson), the narrow layout at 360 px, the dark palette, the
settings dialog (with the storage each course takes) (also with the fields a lab policy fixes), and kiosk mode (the sign-in page, a
learner's catalog with Sign out, the idle warning, the text-size-only settings). Settings go to
the temporary folder too. Fonts: CJK and emoji need system fonts (on Debian,
fonts-wqy-microhei and fonts-noto-color-emoji); without them those glyphs show as boxes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QImage, QTextCursor, QTextDocument  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from player.config import CONFIG_DIR_ENV  # noqa: E402
from player.package import parse_package  # noqa: E402
from player.policy import parse_policy  # noqa: E402
from player.render.text import html_to_text, markdown_to_text  # noqa: E402
from player.services import learner_lock, packages, profiles, progress  # noqa: E402
from player.settings import Settings  # noqa: E402
from player.store.db import Store  # noqa: E402
from player.store.models import (  # noqa: E402
    CatalogEntry,
    Product,
    Profile,
    RemovedCourse,
    Tenant,
)
from player.timeutil import utcnow  # noqa: E402
from player.ui.settings.dialog import SettingsDialog  # noqa: E402
from player.ui.shell import theme  # noqa: E402
from player.ui.shell.app import create_application  # noqa: E402
from player.ui.shell.main_window import MainWindow  # noqa: E402
from player.ui.tasks import ImmediatePool  # noqa: E402

BLOCK_TYPES = (
    "heading",
    "paragraph",
    "markdown",
    "list",
    "code",
    "quote",
    "callout",
    "image",
    "html",
    "divider",
)
MAX_BYTES = 150 * 1024
EXAMPLE_POLICY = REPO / "resources" / "examples" / "policy.toml"
WIDE = (1100, 720)
NARROW = (360, 720)


#: The project's own test courses (tests/fixtures/README.md).
FIXTURES = REPO / "tests" / "fixtures"


def sample_files() -> list[Path]:
    samples = sorted((REPO / "resources" / "samples").glob("*.json"))
    return samples or [FIXTURES / "git-basics.json"]


def settle(app: QApplication, rounds: int = 3) -> None:
    """Let layouts and the reader's delayed re-layout (a 40 ms timer) finish."""
    for _ in range(rounds):
        app.processEvents()
        QTest.qWait(50)


class Shooter:
    def __init__(self, app: QApplication, out: Path) -> None:
        self.app = app
        self.out = out
        self.saved: list[Path] = []

    def __call__(self, widget: QWidget, name: str) -> None:
        settle(self.app)
        path = self.out / f"{name}.png"
        image = widget.grab().toImage()
        if not image.save(str(path), None, 9):
            raise SystemExit(f"could not write {path}")
        if path.stat().st_size > MAX_BYTES:  # dense text: 256 colours keep it readable and small
            image.convertToFormat(
                QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.AvoidDither
            ).save(str(path), None, 9)
        self.saved.append(path)
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}", end="")
        print(f"  {path.stat().st_size // 1024} KB")


def build_store(data: Path) -> tuple[Store, Profile]:
    store = Store(data)
    files = sample_files()
    for path in files[:-1] if len(files) > 1 else files:
        packages.import_file(store, path, origin="bundled")
    for name in ("multilingual.json", "hostile.json"):
        fixture = FIXTURES / name
        if fixture.is_file():
            packages.import_file(store, fixture)
    profiles.ensure_guest(store)
    ana = profiles.upsert_server_profile(
        store,
        user_id="ana",
        name="Ana Lima",
        tenant_id="t-north",
        server_url="https://learn.north.example",
        username="ana",
    )
    # Ana chose "don't ask on this computer" when she signed in (no password to switch to her)
    learner_lock.remember(store, ana, "pw-ana")
    learner_lock.set_ask(store, ana, "pw-ana", ask=False)
    samples = [json.loads(p.read_bytes()) for p in sample_files()]
    with store.write() as session:
        if session.get(Tenant, (ana.server, "t-north")) is None:
            session.add(Tenant(server=ana.server, id="t-north", name="North College"))
        if len(samples) > 1:  # the last sample is sold in Ana's tenant: locked for her
            packages.store_parsed(  # downloaded from her server (a file would open to all)
                session,
                parse_package(files[-1].read_bytes()),
                origin="server",
                server=ana.server,
                tenant_id="t-north",
            )
            paid = samples[-1]["courseId"]
            session.add(
                Product(
                    server=ana.server,
                    id="prod-north-1",
                    tenantId="t-north",
                    courseId=paid,
                    priceCents=4900,
                    currency="EUR",
                )
            )
        session.add(
            CatalogEntry(
                server=ana.server,
                tenantId="t-north",
                courseId="data-privacy-at-work",
                title="Data Privacy at Work",
                version=3,
                seenAt=utcnow(),
            )
        )
        # a course Ana removed from this computer: its page offers Download
        session.add(
            CatalogEntry(
                server=ana.server,
                tenantId="t-north",
                courseId="spreadsheets-101",
                title="Spreadsheets for Beginners",
                version=2,
                seenAt=utcnow(),
            )
        )
        session.add(
            RemovedCourse(
                server=ana.server,
                tenantKey="t-north",
                courseId="spreadsheets-101",
                removedAt=utcnow(),
            )
        )
    first = samples[0]
    progress.enroll(store, ana, first["courseId"])
    for index in range(min(3, len(first["lessons"]))):
        progress.set_lesson_completed(store, ana, first["courseId"], index)
    if len(samples) > 2:
        second = samples[1]
        progress.enroll(store, ana, second["courseId"])
        for index in range(len(second["lessons"])):
            progress.set_lesson_completed(store, ana, second["courseId"], index)
    return store, ana


def find_snippet(block: dict[str, Any]) -> str:
    kind = block.get("type")
    text = ""
    if kind in ("heading", "paragraph", "quote", "callout"):
        text = str(block.get("text", ""))
    elif kind == "list":
        text = str((block.get("items") or [""])[0])
    elif kind == "code":
        text = str(block.get("code", ""))
    elif kind == "image":
        text = str(block.get("caption") or "")
    elif kind == "markdown":
        text = markdown_to_text(str(block.get("markdown", "")))
    elif kind == "html":
        text = html_to_text(str(block.get("html", "")))
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:30]


def scroll_to(window: MainWindow, snippet: str, fraction: float) -> None:
    browser = window.reader.browser
    if not snippet:
        return
    cursor = browser.document().find(snippet, 0, QTextDocument.FindFlag(0))
    if cursor.isNull():
        return
    browser.setTextCursor(cursor)
    rect = browser.cursorRect(cursor)
    bar = browser.verticalScrollBar()
    target = bar.value() + rect.top() - int(browser.viewport().height() * fraction)
    bar.setValue(max(0, min(bar.maximum(), target)))
    cleared = browser.textCursor()
    cleared.clearSelection()
    cleared.movePosition(QTextCursor.MoveOperation.Start)
    # keep the scroll position: moving the cursor without ensureCursorVisible
    value = bar.value()
    browser.setTextCursor(cleared)
    bar.setValue(value)


def lessons_by_block_type() -> dict[str, tuple[str, int, int]]:
    """For each block type, the first (course id, lesson index, block position) using it."""
    found: dict[str, tuple[str, int, int]] = {}
    for path in sample_files():
        package = json.loads(path.read_bytes())
        for lesson in package["lessons"]:
            for position, block in enumerate(lesson["blocks"]):
                kind = block.get("type")
                if kind in BLOCK_TYPES and kind not in found:
                    found[kind] = (package["courseId"], lesson["index"], position)
    return found


def block_of(course_id: str, lesson: int, position: int) -> list[dict[str, Any]]:
    for path in sample_files():
        package = json.loads(path.read_bytes())
        if package["courseId"] == course_id:
            return list(package["lessons"][lesson]["blocks"])
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    temp = Path(tempfile.mkdtemp(prefix="course-player-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(temp / "cfg"))
    os.environ[CONFIG_DIR_ENV] = str(temp / "config")  # settings.json
    app = create_application(["make_screenshots"])
    theme.apply_theme(app, dark=False)
    store, ana = build_store(temp / "data")
    shoot = Shooter(app, out)

    window = MainWindow(store, pool=ImmediatePool(), follow_system_theme=False)
    window.resize(*WIDE)
    window.show()
    settle(app)

    # who is learning (several learners on this machine)
    window.start()
    shoot(window, "sign-in")
    window.learner_chooser.choose(ana.id)

    first_course = json.loads(sample_files()[0].read_bytes())["courseId"]
    open_course: Callable[[str], None] = window.open_course

    # catalog + overview with progress
    window.catalog.select_course(first_course)
    open_course(first_course)
    shoot(window, "catalog")
    shoot(window.overview, "overview")

    # the locked paid course, and a course not downloaded yet
    samples = [json.loads(p.read_bytes())["courseId"] for p in sample_files()]
    if len(samples) > 1:
        window.catalog.select_course(samples[-1])
        shoot(window, "overview-locked")
    window.catalog.select_course("data-privacy-at-work")
    shoot(window, "overview-not-downloaded")
    window.catalog.select_course("spreadsheets-101")
    shoot(window, "overview-removed")

    # the filter
    window.catalog.select_course(first_course)
    window.catalog.filter_edit.setText("py")
    shoot(window, "catalog-filter")
    window.catalog.filter_edit.clear()

    # a lesson for each block type, scrolled to the block
    for kind, (course_id, lesson, position) in sorted(lessons_by_block_type().items()):
        window.catalog.select_course(course_id)
        window.open_lesson(course_id, lesson)
        settle(app)
        blocks = block_of(course_id, lesson, position)
        target = blocks[position + 1] if kind == "divider" and position + 1 < len(blocks) else None
        snippet = find_snippet(target or blocks[position])
        fraction = 0.55 if kind in ("image", "divider") else 0.15
        scroll_to(window, snippet, fraction)
        shoot(window, f"lesson-{kind}")

    # the hostile fixture: still reads, nothing remote, unknown block as a note
    if window.catalog.model.course("../../etc/passwd") is not None:
        window.catalog.select_course("../../etc/passwd")
        window.open_lesson("../../etc/passwd", 0)
        shoot(window, "lesson-hostile")

    # the multilingual fixture, every lesson (lesson 3 is right to left)
    multilingual = window.catalog.model.course("welcome-multilingual")
    if multilingual is not None:
        window.catalog.select_course("welcome-multilingual")
        shoot(window, "multilingual-overview")
        for index in range(multilingual.lesson_count):
            window.open_lesson("welcome-multilingual", index)
            shoot(window, f"multilingual-lesson-{index + 1}")

    # search (Ctrl+K): results grouped by course; a result opened with its matches marked;
    # then find in lesson (Ctrl+F) with its next/previous
    window.search.show()
    window.search_view.field.setText("python list")
    window.search.run(window.search_view.query())
    settle(app)
    shoot(window, "search-results")
    results = window.search_view.tree
    course_item = results.topLevelItem(0)
    hit_item = course_item.child(1) if course_item is not None else None  # a lesson
    if hit_item is not None:
        results.setCurrentItem(hit_item)
        results.itemActivated.emit(hit_item, 0)
        settle(app)
        shoot(window, "search-lesson-highlighted")
        window.reader.find_bar.open_bar()
        window.reader.find_bar.field.setText("print")
        window.reader.find_bar.highlighter.next()
        settle(app)
        shoot(window, "find-in-lesson")
        window.reader.find_bar.close_bar()

    # notes and bookmarks: the reader's notes pane (Ctrl+Shift+N) with a note and the bookmark
    # set (Ctrl+D), then View → Notes & bookmarks
    window.catalog.select_course(first_course)
    window.open_lesson(first_course, 1)
    window.reader.set_notes_visible(True)
    pane = window.reader.notes_pane
    pane.editor.setPlainText(
        "DRSABCD: Danger comes first, every time.\nPractise the order with a partner."
    )
    pane.save_now()
    if not pane.bookmark_button.isChecked():
        pane.bookmark_button.click()
    settle(app)
    shoot(window, "notes-pane")
    window.notes_list.show()
    settle(app)
    if window.notes_list.dialog is not None:
        shoot(window.notes_list.dialog, "notes-list")
        window.notes_list.dialog.close()
    window.reader.set_notes_visible(False)

    # the narrow layout at 360 px
    window.open_lesson(first_course, 1)
    window.reader.back_requested.emit()
    window.resize(*NARROW)
    settle(app)
    window.catalog_flow.show_page()
    shoot(window, "narrow-catalog")
    window.catalog.select_course(first_course)
    window.open_course(first_course)
    shoot(window, "narrow-overview")
    window.open_lesson(first_course, 1)
    shoot(window, "narrow-reader")

    # the dark palette
    window.resize(*WIDE)
    theme.apply_theme(app, dark=True)
    settle(app)
    window.catalog.select_course(first_course)
    window.open_course(first_course)
    shoot(window, "dark-overview")
    kind_lessons = lessons_by_block_type()
    course_id, lesson, position = kind_lessons.get("code", (first_course, 0, 0))
    window.catalog.select_course(course_id)
    window.open_lesson(course_id, lesson)
    settle(app)
    scroll_to(window, find_snippet(block_of(course_id, lesson, position)[position]), 0.3)
    shoot(window, "dark-reader")
    if len(samples) > 1:
        window.catalog.select_course(samples[-1])
        shoot(window, "dark-overview-locked")

    # the settings dialog, and the same with the fields a lab policy fixes
    theme.apply_theme(app, dark=False)
    settle(app)
    dialog = window.preferences.open_dialog()
    shoot(dialog, "settings")
    dialog.reject()
    policy = parse_policy(EXAMPLE_POLICY.read_text(encoding="utf-8"), EXAMPLE_POLICY)
    locked = SettingsDialog(Settings.load().with_policy(policy), window)
    locked.show()
    shoot(locked, "settings-lab-policy")
    locked.reject()
    window.close()

    # kiosk mode, with the example lab policy (a server: learners sign in, no guest)
    profiles.upsert_server_profile(
        store,
        user_id="ben",
        name="Ben Okafor",
        tenant_id="t-north",
        server_url="https://learn.north.example",
        username="ben",
    )
    kiosk = MainWindow(
        store, pool=ImmediatePool(), follow_system_theme=False, kiosk=True, policy=policy
    )
    kiosk.resize(*WIDE)
    kiosk.show()
    kiosk.start()
    shoot(kiosk, "kiosk-sign-in")
    kiosk.learner_chooser.choose(ana.id)
    kiosk.catalog.select_course(first_course)
    kiosk.open_course(first_course)
    shoot(kiosk, "kiosk-catalog")
    assert kiosk.kiosk_mode is not None
    kiosk.kiosk_mode.idle.set_intervals(60_000, 60_000)  # as a minute before the end
    kiosk.kiosk_mode.warning.popup()
    shoot(kiosk.kiosk_mode.warning, "kiosk-idle-warning")
    kiosk.kiosk_mode.warning.dismiss()
    dialog = kiosk.preferences.open_dialog()
    shoot(dialog, "kiosk-text-size")
    dialog.reject()
    kiosk.kiosk_mode.leave()
    kiosk.close()
    store.close()
    too_big = [p for p in shoot.saved if p.stat().st_size > MAX_BYTES]
    for path in too_big:
        print(f"warning: {path.name} is over 150 KB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
