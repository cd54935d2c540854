"""The reader loads nothing by itself and opens only web and e-mail links, after a click."""

from __future__ import annotations

import base64

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from player.render import lesson_stylesheet
from player.settings import Settings
from player.ui.reader.browser import LessonBrowser, decode_data_uri
from player.ui.shell import theme
from player.ui.shell.main_window import MainWindow
from tests.ui.conftest import MakeWindow
from tests.ui.helpers import open_lesson

IMAGE = QTextDocument.ResourceType.ImageResource.value
STYLE = QTextDocument.ResourceType.StyleSheetResource.value
PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "qrc:/icons/app.png",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/x",
        "relative/path.html",
        "asset:diagram.png",
    ],
)
def test_other_links_are_ignored(
    qtbot: QtBot, window: MainWindow, opened_urls: list[str], url: str
) -> None:
    open_lesson(qtbot, window, "git-basics", 1)
    with qtbot.waitSignal(window.reader.link_refused):
        window.reader.browser.anchorClicked.emit(QUrl(url))
    assert opened_urls == []
    assert window.reader.lesson is not None and window.reader.lesson.index == 1
    assert "not opened" in window.statusBar().currentMessage()


@pytest.mark.parametrize(
    "url", ["https://git-scm.com/docs", "http://example.org/a?b=c", "mailto:team@example.org"]
)
def test_web_and_mail_links_open_in_the_system_after_a_click(
    qtbot: QtBot, window: MainWindow, opened_urls: list[str], url: str
) -> None:
    open_lesson(qtbot, window, "git-basics", 1)
    window.reader.browser.anchorClicked.emit(QUrl(url))
    assert opened_urls == [url]
    assert window.reader.lesson is not None and window.reader.lesson.index == 1


def test_the_lesson_links_are_not_followed_by_the_view(qtbot: QtBot, window: MainWindow) -> None:
    open_lesson(qtbot, window, "git-basics", 1)
    browser = window.reader.browser
    assert not browser.openLinks() and not browser.openExternalLinks()
    assert "Git reference" in browser.toPlainText()


@pytest.mark.parametrize(
    "url",
    [
        "http://198.51.100.7/track.png",
        "https://example.com/x.png",
        "file:///etc/passwd",
        "qrc:/qt-project.org/styles/commonstyle/images/standardbutton-ok-16.png",
        "//198.51.100.7/x.png",
        "x",
        "ftp://example.org/x.png",
    ],
)
def test_load_resource_refuses_anything_but_assets_and_data(
    qtbot: QtBot, window: MainWindow, url: str
) -> None:
    open_lesson(qtbot, window, "git-basics", 0)
    browser = window.reader.browser
    assert browser.loadResource(IMAGE, QUrl(url)) is None
    assert browser.loadResource(STYLE, QUrl(url)) is None


def test_load_resource_serves_package_assets_and_data_images(
    qtbot: QtBot, window: MainWindow
) -> None:
    open_lesson(qtbot, window, "git-basics", 0)
    browser = window.reader.browser
    image = browser.loadResource(IMAGE, QUrl("asset:diagram.png"))
    assert isinstance(image, QImage) and (image.width(), image.height()) == (72, 32)
    assert browser.loadResource(IMAGE, QUrl("asset:nowhere.png")) is None
    assert browser.loadResource(STYLE, QUrl("asset:diagram.png")) is None
    data = browser.loadResource(IMAGE, QUrl(f"data:image/png;base64,{PNG_1PX}"))
    assert isinstance(data, QImage) and data.width() == 1
    assert browser.loadResource(IMAGE, QUrl("data:text/plain;base64,aGVsbG8=")) is None


def test_assets_come_from_the_current_package_only(qtbot: QtBot, window: MainWindow) -> None:
    open_lesson(qtbot, window, "welcome-multilingual", 0)  # has no assets
    assert window.reader.browser.loadResource(IMAGE, QUrl("asset:diagram.png")) is None


def test_svg_assets_render_and_svg_with_external_refs_do_not(qtbot: QtBot) -> None:
    browser = LessonBrowser()
    qtbot.addWidget(browser)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="red"/></svg>'
    hostile = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        b'width="20" height="10"><image xlink:href="file:///etc/hosts" width="20" height="10"/></svg>'
    )
    ok = decode_data_uri("data:image/svg+xml;base64," + base64.b64encode(svg).decode())
    assert ok is not None and (ok.width(), ok.height()) == (20, 10)
    assert (
        decode_data_uri("data:image/svg+xml;base64," + base64.b64encode(hostile).decode()) is None
    )


def test_hostile_lesson_reads_and_loads_nothing_remote(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    requested: list[str] = []
    original = LessonBrowser.loadResource

    def spy(self: LessonBrowser, kind: int, url: QUrl | str) -> object:
        requested.append(url.toString() if isinstance(url, QUrl) else url)
        return original(self, kind, url)

    monkeypatch.setattr(LessonBrowser, "loadResource", spy)
    open_lesson(qtbot, window, "../../etc/passwd", 0)
    text = window.reader.browser.toPlainText()
    assert "<i>Shown as typed, angle brackets included.</i>" in text
    assert all(u.startswith(("asset:", "data:")) for u in requested), requested


def test_zoom_is_remembered_across_windows(
    qtbot: QtBot, window: MainWindow, make_window: MakeWindow
) -> None:
    reader = window.reader
    size = reader.browser.font().pointSizeF()
    window.zoom_in_action.trigger()
    window.zoom_in_action.trigger()
    assert reader.zoom == 120
    assert reader.browser.font().pointSizeF() > size
    assert Settings.load().text_zoom == 120  # the zoom is the settings' text size
    window.close()

    again = make_window(window.store)
    assert again.reader.zoom == 120
    again.zoom_out_action.trigger()
    assert again.reader.zoom == 110
    again.zoom_reset_action.trigger()
    assert again.reader.zoom == 100
    assert again.reader.browser.font().pointSizeF() == pytest.approx(size)


def test_zoom_shortcuts(qtbot: QtBot, window: MainWindow) -> None:
    open_lesson(qtbot, window, "git-basics", 0)
    browser = window.reader.browser
    QTest.keyClick(browser, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.zoom == 110
    QTest.keyClick(browser, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(browser, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.zoom == 90
    QTest.keyClick(browser, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.zoom == 100


def test_right_to_left_lesson(qtbot: QtBot, window: MainWindow) -> None:
    open_lesson(qtbot, window, "welcome-multilingual", 2)
    browser = window.reader.browser
    assert "أهلا وسهلا بكم" in browser.toPlainText()
    block = browser.document().begin()
    directions = set()
    while block.isValid():
        if block.text().strip():
            directions.add(block.textDirection())
        block = block.next()
    assert directions == {Qt.LayoutDirection.RightToLeft}


def test_dark_palette_renders_the_lesson_with_dark_colours(
    qtbot: QtBot, window: MainWindow, qapp: QApplication
) -> None:
    theme.apply_theme(qapp, dark=True)
    open_lesson(qtbot, window, "git-basics", 0)
    lesson = window.reader.lesson
    assert lesson is not None and lesson.dark
    assert lesson_stylesheet(dark=True) in lesson.html
    # the system scheme changes back (offscreen reports no dark preference): re-rendered light
    window.preferences.system_colours_changed()
    lesson = window.reader.lesson
    assert lesson is not None and not lesson.dark and lesson.index == 0
    assert not theme.is_dark(qapp)


def test_images_wider_than_the_text_column_are_shrunk_to_fit(qtbot: QtBot) -> None:
    import random

    from player.package import parse_package
    from tests.bench.generate import png_bytes
    from tests.conftest import FIXTURES

    package = parse_package((FIXTURES / "git-basics.json").read_bytes()).package
    wide = base64.b64encode(png_bytes(random.Random(1), 1200, 4)).decode()
    small = base64.b64encode(png_bytes(random.Random(2), 30, 10)).decode()
    html = (
        f'<p>Before</p><p><img src="data:image/png;base64,{wide}"></p><p>Between</p>'
        f'<p><img src="data:image/png;base64,{small}"> and '
        f'<img src="data:image/png;base64,{wide}"></p>'
    )
    browser = LessonBrowser()
    qtbot.addWidget(browser)
    browser.resize(500, 400)
    browser.show()
    browser.show_lesson(package, html)
    widths = []
    block = browser.document().begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            char_format = fragments.fragment().charFormat()
            if char_format.isImageFormat():
                widths.append(round(char_format.toImageFormat().width()))
            fragments += 1
        block = block.next()
    assert len(widths) == 3
    assert widths[1] == 30  # a small image keeps its size
    assert 0 < widths[0] < 500 and widths[2] == widths[0]  # the wide ones fit the column
