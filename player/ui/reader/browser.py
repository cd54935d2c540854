"""The lesson text view: a QTextBrowser that loads nothing on its own.

- Links never navigate the view. A click on an http, https or mailto link opens it in the
  system's browser or mail program (``QDesktopServices``); an in-lesson ``#anchor`` scrolls; every
  other scheme (javascript:, file:, data:, qrc:, relative paths …) is ignored. In kiosk mode
  (``allow_external_links = False``) web and e-mail links are refused too: another program
  would be a way out to the desktop.
- ``loadResource`` serves only images: ``asset:NAME`` from the current package's assets, and
  ``data:image/…;base64,`` URIs. Everything else (file, http, qrc, style sheets) gets ``None``.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from typing import Any
from urllib.parse import unquote

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QImage,
    QKeyEvent,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShowEvent,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from player.package import CoursePackage

log = logging.getLogger(__name__)

OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})
_DATA_IMAGE = re.compile(
    r"^data:(image/(?:png|jpeg|gif|webp|svg\+xml))(?:;[^,;]*)*;base64,(.*)$",
    re.IGNORECASE | re.DOTALL,
)
# An SVG may reference other files (<image href="file:…">, external <use>); such an SVG is not
# drawn at all rather than trusting the SVG engine to refuse the load.
_SVG_EXTERNAL_REF = re.compile(rb"""(?:xlink:)?href\s*=\s*["'](?!\s*(?:#|data:))""", re.IGNORECASE)
OBJECT_REPLACEMENT = "\ufffc"  # how QTextDocument holds an image in its text
MAX_IMAGE_WIDTH = 1600
READING_CHARS = 90
DOCUMENT_MARGIN = 16
IMAGE_SLACK = 24  # an image may sit in a padded box


def is_openable(url: QUrl) -> bool:
    """Whether a clicked link may leave the player: only web and e-mail links."""
    return url.isValid() and url.scheme().lower() in OPENABLE_SCHEMES


def decode_image(media_type: str, data: bytes) -> QImage | None:
    """Decode image bytes of one of the package's media types; ``None`` if unusable."""
    if media_type.lower() == "image/svg+xml":
        return _render_svg(data)
    image = QImage()
    if not image.loadFromData(data):
        return None
    return image


def _render_svg(data: bytes) -> QImage | None:
    if _SVG_EXTERNAL_REF.search(data):
        log.info("an SVG image refers to other files; not shown")
        return None
    try:
        from PySide6.QtSvg import QSvgRenderer
    except ImportError:  # pragma: no cover - QtSvg missing from the installation
        return None
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        return None
    size = renderer.defaultSize()
    if size.isEmpty():
        return None
    if size.width() > MAX_IMAGE_WIDTH:
        size = size.scaled(MAX_IMAGE_WIDTH, 100_000, Qt.AspectRatioMode.KeepAspectRatio)
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def decode_data_uri(uri: str) -> QImage | None:
    match = _DATA_IMAGE.match(uri.strip())
    if match is None:
        return None
    try:
        data = base64.b64decode(match.group(2), validate=False)
    except (binascii.Error, ValueError):
        return None
    return decode_image(match.group(1), data)


class LessonBrowser(QTextBrowser):
    """``link_refused(url)`` when a clicked link is not one the player opens."""

    link_refused = Signal(str)
    page_past_end = Signal()  # PageDown at the bottom
    page_before_start = Signal()  # PageUp at the top

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonText")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setAcceptDrops(False)
        self.setUndoRedoEnabled(False)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self.allow_external_links = True
        self._package: CoursePackage | None = None
        self._images: dict[str, QImage | None] = {}
        self._layout_timer = QTimer(self)
        self._layout_timer.setSingleShot(True)
        self._layout_timer.setInterval(40)
        self._layout_timer.timeout.connect(self.fit_layout)

    # --- content ------------------------------------------------------------------------------

    def show_lesson(self, package: CoursePackage, html: str) -> None:
        if package is not self._package:
            self._images.clear()
        self._package = package
        self.document().clear()  # also forgets the previous lesson's cached resources
        self.setHtml(html)
        self.fit_layout()

    def clear_lesson(self) -> None:
        self._package = None
        self._images.clear()
        self.document().clear()
        self.clearHistory()

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        if isinstance(name, str):
            name = QUrl(name)
        if getattr(type, "value", type) != QTextDocument.ResourceType.ImageResource.value:
            log.debug("refused resource %s of type %s", name.toString(), type)
            return None
        scheme = name.scheme().lower()
        if scheme == "asset":
            image = self._asset_image(name)
        elif scheme == "data":
            image = decode_data_uri(name.toString(QUrl.ComponentFormattingOption.FullyEncoded))
        else:
            log.debug("refused image %s", name.toString()[:200])
            return None
        return image if image is not None and not image.isNull() else None

    def _asset_image(self, url: QUrl) -> QImage | None:
        raw = url.toString()[len("asset:") :]
        names = [raw, unquote(raw), url.path(QUrl.ComponentFormattingOption.FullyDecoded)]
        package = self._package
        name = next((n for n in names if package is not None and n in package.assets), raw)
        if name in self._images:
            return self._images[name]
        image: QImage | None = None
        asset = package.assets.get(name) if package is not None else None
        if asset is not None:
            try:
                data = base64.b64decode(asset.data, validate=False)
            except (binascii.Error, ValueError):
                data = b""
            image = decode_image(asset.media_type, data) if data else None
        if image is not None and image.width() > MAX_IMAGE_WIDTH:
            image = image.scaledToWidth(MAX_IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation)
        self._images[name] = image
        return image

    # --- layout: a comfortable line length, images no wider than the text -------------------

    def reading_width(self) -> int:
        """The widest text column, in pixels: about 90 average characters of the text font."""
        return self.fontMetrics().averageCharWidth() * READING_CHARS

    def fit_layout(self) -> None:
        """Center the text in a column of ``reading_width`` and shrink wider images to fit."""
        viewport = self.viewport().width()
        side = max(DOCUMENT_MARGIN, (viewport - self.reading_width()) // 2)
        root = self.document().rootFrame()
        frame_format = root.frameFormat()
        if frame_format.leftMargin() != side or frame_format.rightMargin() != side:
            frame_format.setMargin(DOCUMENT_MARGIN)
            frame_format.setLeftMargin(side)
            frame_format.setRightMargin(side)
            root.setFrameFormat(frame_format)
        self._fit_images(max(48, viewport - 2 * side - IMAGE_SLACK))

    def _fit_images(self, available: int) -> None:
        # An image is one object replacement character in the document's text: finding those
        # (in Qt) beats walking every fragment of a long lesson in Python.
        document = self.document()
        cursor = QTextCursor(document)
        while True:
            cursor = document.find(OBJECT_REPLACEMENT, cursor)
            if cursor.isNull():
                return
            char_format = cursor.charFormat()  # of the character just found
            if char_format.isImageFormat():
                self._fit_image(cursor.selectionStart(), 1, char_format, available)

    def _fit_image(self, position: int, length: int, char_format: Any, available: int) -> None:
        image_format = char_format.toImageFormat()
        resource = self.document().resource(
            QTextDocument.ResourceType.ImageResource.value, QUrl(image_format.name())
        )
        if not isinstance(resource, QImage | QPixmap) or resource.isNull():
            return
        natural_width, natural_height = resource.width(), resource.height()
        width = min(natural_width, available)
        if abs(image_format.width() - width) < 0.5:
            return
        image_format.setWidth(width)
        image_format.setHeight(natural_height * width / natural_width)
        cursor = QTextCursor(self.document())
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(image_format)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit_layout()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._layout_timer.start()

    # --- links and keys -----------------------------------------------------------------------

    def _on_anchor_clicked(self, url: QUrl) -> None:
        if is_openable(url) and self.allow_external_links:
            QDesktopServices.openUrl(url)
            return
        if not url.scheme() and not url.path() and url.hasFragment():
            self.scrollToAnchor(url.fragment())
            return
        log.info("link not opened: %s", url.toString()[:200])
        self.link_refused.emit(url.toString()[:200])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        bar = self.verticalScrollBar()
        if event.key() == Qt.Key.Key_PageDown and bar.value() >= bar.maximum():
            self.page_past_end.emit()
            return
        if event.key() == Qt.Key.Key_PageUp and bar.value() <= bar.minimum():
            self.page_before_start.emit()
            return
        super().keyPressEvent(event)

    def at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4
