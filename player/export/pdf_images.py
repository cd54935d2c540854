"""Images for the PDF: package assets and ``data:`` URIs, decoded and checked once.

PNG, JPEG and GIF (first frame) are embedded; WebP too when Pillow can read it. SVG is not
rasterised (reportlab cannot without an extra dependency): it gets a captioned placeholder. An
image that does not decode becomes a placeholder as well, never an error during layout.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import re
from dataclasses import dataclass, field

from PIL import Image as PILImage
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from player.package import CoursePackage

log = logging.getLogger(__name__)

RASTER_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_DATA_URI = re.compile(r"data:(image/[a-z+.-]+)(;base64)?,(.*)", re.IGNORECASE | re.DOTALL)
PX_TO_PT = 72 / 96


@dataclass(frozen=True, slots=True)
class Picture:
    data: bytes  # PNG or JPEG bytes reportlab reads directly
    width_px: int
    height_px: int
    reader: ImageReader = field(compare=False, repr=False)


class ImageStore:
    """Decoded assets by name, each decoded and verified at most once per export."""

    def __init__(self, package: CoursePackage) -> None:
        self._package = package
        self._cache: dict[str, Picture | None] = {}

    def media_type(self, name: str) -> str | None:
        asset = self._package.assets.get(name)
        return asset.media_type if asset is not None else None

    def asset(self, name: str) -> Picture | None:
        """The asset as a picture; ``None`` when it is missing, not raster, or does not decode."""
        if name in self._cache:
            return self._cache[name]
        picture: Picture | None = None
        asset = self._package.assets.get(name)
        if asset is not None and asset.media_type in RASTER_TYPES:
            try:
                raw = base64.b64decode(asset.data, validate=False)
            except (binascii.Error, ValueError):
                raw = b""
            picture = _picture(raw, name)
        self._cache[name] = picture
        return picture

    def data_uri(self, uri: str) -> Picture | None:
        match = _DATA_URI.fullmatch(uri.strip())
        if match is None or match.group(1).lower() not in RASTER_TYPES or not match.group(2):
            return None
        try:
            raw = base64.b64decode(match.group(3), validate=False)
        except (binascii.Error, ValueError):
            return None
        return _picture(raw, "data URI")


def _picture(raw: bytes, label: str) -> Picture | None:
    """Decode ``raw`` fully (so a broken file fails here, not during layout)."""
    if not raw:
        return None
    try:
        with PILImage.open(io.BytesIO(raw)) as image:
            image.load()
            width, height = image.size
            if image.format in ("PNG", "JPEG"):
                return Picture(raw, width, height, ImageReader(io.BytesIO(raw)))
            # GIF (first frame), WebP…: re-encode losslessly as PNG for reportlab.
            converted = image.convert(
                "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
            )
            out = io.BytesIO()
            converted.save(out, format="PNG", optimize=False)
            data = out.getvalue()
            return Picture(data, width, height, ImageReader(io.BytesIO(data)))
    except Exception:  # Pillow raises many kinds of errors for bad data
        log.info("image %s could not be decoded; a placeholder is shown instead", label)
        return None


class PictureFlowable(Flowable):
    """An image drawn from a reader shared by every use of the same asset.

    reportlab's ``Image`` flowable makes its own reader, which decodes the image again for each
    use and keeps every decoded copy until the document is saved; one reader per asset decodes
    it once, and the PDF holds it once.
    """

    def __init__(self, reader: ImageReader, width: float, height: float) -> None:
        super().__init__()
        self.reader = reader
        self.width = width
        self.height = height
        self.hAlign = "CENTER"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self.width > availWidth:  # a narrower column than planned (a table cell)
            self.height *= availWidth / self.width
            self.width = availWidth
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.reader, 0, 0, self.width, self.height, mask="auto")


def flowable(picture: Picture, max_width: float, max_height: float) -> PictureFlowable:
    """The picture at its natural size (96 dpi), scaled down to fit the box."""
    width = picture.width_px * PX_TO_PT
    height = picture.height_px * PX_TO_PT
    scale = min(1.0, max_width / width if width else 1.0, max_height / height if height else 1.0)
    return PictureFlowable(picture.reader, width * scale, height * scale)
