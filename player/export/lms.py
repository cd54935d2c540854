"""A course package → an LMS package: a deterministic ZIP that is also a SCORM 1.2 package.

Contents (entries sorted, no directory entries, ``/`` separators)::

    index.html                  the course page, linking every lesson
    lessons/NNN-<slug>.html     one self-contained page per lesson (a SCO)
    assets/<safe name>          the package's images, decoded
    manifest.json               course id, title, version, package sha256, lessons and their sha256
    imsmanifest.xml             the SCORM 1.2 manifest
    *.xsd                       the four schema files it declares, unchanged

Every entry has the same fixed time (the package's ``publishedAt``, else 1980-01-01), Unix
permissions 0644 and the same compression, so the same package gives byte-identical ZIPs.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import logging
import re
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

from player.errors import Cancelled
from player.export import scorm
from player.export.lms_page import PageLink, dumps_manifest, index_page, lesson_page
from player.export.names import asset_file_names, lesson_file_name
from player.i18n import _
from player.package import ParsedPackage
from player.package.model import CoursePackage, direction_of
from player.render import RenderOptions, render_lesson_body
from player.timeutil import parse_rfc3339

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16
UNIX = 3
COMPRESS_LEVEL = 6
FORMAT = "course-player-lms/1"

# An SVG is shipped as a file only if it cannot run script or load anything when opened directly.
_UNSAFE_SVG = re.compile(
    rb"<script|<foreignobject|<!entity|<!doctype|\bon[a-z]+\s*=|javascript:|data:text"
    rb"|(?:xlink:)?href\s*=\s*[\"']?\s*(?!#)|@import|url\s*\(\s*[\"']?\s*(?!#)",
    re.IGNORECASE,
)


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled(_("Export cancelled."))


def zip_time(package: CoursePackage) -> tuple[int, int, int, int, int, int]:
    """The fixed time of every entry: the publish time (UTC) when it is valid for ZIP."""
    if package.published_at:
        try:
            moment = parse_rfc3339(package.published_at)
        except ValueError:
            return ZIP_EPOCH
        if 1980 <= moment.year <= 2107:
            return (
                moment.year,
                moment.month,
                moment.day,
                moment.hour,
                moment.minute,
                moment.second,
            )
    return ZIP_EPOCH


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class _ShippedAsset:
    name: str
    path: str  # "assets/<file>"
    media_type: str
    data: bytes


def _decode_assets(package: CoursePackage) -> dict[str, _ShippedAsset]:
    """Assets that can be shipped: decodable, and for SVG, inert. Others show as unavailable."""
    files = asset_file_names({name: asset.media_type for name, asset in package.assets.items()})
    shipped: dict[str, _ShippedAsset] = {}
    for name in sorted(package.assets):
        asset = package.assets[name]
        try:
            data = base64.b64decode(asset.data, validate=False)
        except (binascii.Error, ValueError):
            log.info("asset %r is not valid base64; not exported", name)
            continue
        if not data:
            continue
        if asset.media_type == "image/svg+xml" and _UNSAFE_SVG.search(data):
            log.info("SVG asset %r has script or external references; not exported", name)
            continue
        shipped[name] = _ShippedAsset(name, f"assets/{files[name]}", asset.media_type, data)
    return shipped


class _Deflated:
    """zipfile's compressor for one entry whose raw deflate stream was made beforehand.

    ``zipfile`` compresses each entry with ``zlib.compressobj(level, DEFLATED, -15)``; the
    stream made the same way on another thread is the same bytes, so the ZIP is byte-identical
    to one zipfile compressed itself (tests/export/test_lms.py checks this).
    """

    def __init__(self, stream: bytes) -> None:
        self._stream = stream

    def compress(self, data: bytes) -> bytes:
        stream, self._stream = self._stream, b""
        return stream

    def flush(self) -> bytes:
        return b""


def _deflate(data: bytes) -> bytes:
    """The raw deflate stream of ``data`` as zipfile makes it at ``COMPRESS_LEVEL``."""
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class _ZipWriter:
    """The ZIP's entries, written sorted. Each entry is deflated on ``pool`` as soon as it is
    added (zlib lets go of the GIL), so compression runs while the next lessons are rendered."""

    def __init__(
        self, date_time: tuple[int, int, int, int, int, int], pool: Executor | None = None
    ) -> None:
        self.date_time = date_time
        self.entries: dict[str, bytes] = {}
        self._pool = pool
        self._streams: dict[str, Future[bytes]] = {}

    def add(self, name: str, data: bytes) -> None:
        if name in self.entries:  # pragma: no cover - names are unique by construction
            raise ValueError(f"duplicate entry {name}")
        self.entries[name] = data
        if self._pool is not None:
            self._streams[name] = self._pool.submit(_deflate, data)

    def write(self, out: BinaryIO, cancel: threading.Event | None) -> None:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(self.entries):
                _check(cancel)
                info = zipfile.ZipInfo(name, date_time=self.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = UNIX
                info.external_attr = FILE_MODE
                stream = self._streams.get(name)
                if stream is None:
                    archive.writestr(info, self.entries[name], compresslevel=COMPRESS_LEVEL)
                    continue
                with archive.open(info, "w") as entry:
                    # zipfile's writer keeps its compressor in ``_compressor`` (3.11 to 3.14);
                    # were it ever gone, zipfile compresses the entry itself at zlib's default
                    # level, which is COMPRESS_LEVEL: the same bytes, only not in parallel.
                    if hasattr(entry, "_compressor"):
                        entry._compressor = _Deflated(stream.result())
                    entry.write(self.entries[name])


def build_lms(
    parsed: ParsedPackage,
    out: BinaryIO,
    *,
    on_progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Write the LMS ZIP of ``parsed`` to ``out`` (seekable). Raises ``Cancelled`` when asked."""
    original = parsed.package
    assets = _decode_assets(original)
    # The renderer decides from the package's assets whether an image can be shown; give it only
    # the assets that are shipped (a copy: the package itself is never changed).
    package = original.model_copy(
        update={"assets": {name: original.assets[name] for name in assets}}
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lms-deflate") as pool:
        try:
            _build(
                parsed,
                package,
                assets,
                _ZipWriter(zip_time(package), pool),
                out,
                on_progress,
                cancel,
            )
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _build(
    parsed: ParsedPackage,
    package: CoursePackage,
    assets: dict[str, _ShippedAsset],
    writer: _ZipWriter,
    out: BinaryIO,
    on_progress: Progress | None,
    cancel: threading.Event | None,
) -> None:
    count = len(package.lessons)
    steps = count + 1
    for shipped in assets.values():  # first: they are deflated while the lessons are rendered
        writer.add(shipped.path, shipped.data)
    for name, data in scorm.schema_bytes().items():
        writer.add(name, data)
    lesson_paths = [f"lessons/{lesson_file_name(x.index, x.title)}" for x in package.lessons]
    titles = [" ".join(lesson.title.split()) for lesson in package.lessons]
    keys = [lesson.id or f"#{lesson.index + 1}" for lesson in package.lessons]
    ids = scorm.sco_ids(package.course_id, keys)
    scos: list[scorm.Sco] = []
    lesson_entries: list[dict[str, object]] = []
    used_anywhere: set[str] = set()
    for lesson, path, (item_id, resource_id) in zip(
        package.lessons, lesson_paths, ids, strict=True
    ):
        _check(cancel)
        used: set[str] = set()

        def image_src(name: str, used: set[str] = used) -> str:
            used.add(name)
            return "../" + assets[name].path

        body = render_lesson_body(package, lesson, RenderOptions(image_src=image_src, for_qt=False))
        position = lesson.index
        previous = (
            PageLink("../" + lesson_paths[position - 1], titles[position - 1])
            if position > 0
            else None
        )
        following = (
            PageLink("../" + lesson_paths[position + 1], titles[position + 1])
            if position + 1 < count
            else None
        )
        page = lesson_page(
            body=body,
            lesson_title=lesson.title,
            course_title=package.title,
            position=position + 1,
            count=count,
            language=lesson.language or package.language,
            direction=package.lesson_direction(lesson),
            previous=previous,
            following=following,
        ).encode("utf-8", errors="replace")
        writer.add(path, page)
        # Let go of the GIL for a moment: the deflate thread, waiting for it to take its next
        # page, would otherwise wait out Python's switch interval (5 ms) after every entry.
        time.sleep(0)
        used_anywhere |= used
        files = (path, *sorted(assets[name].path for name in used))
        scos.append(scorm.Sco(item_id, resource_id, lesson.title, path, files))
        lesson_entries.append(
            {
                "index": lesson.index,
                "id": lesson.id,
                "title": lesson.title,
                "file": path,
                "sha256": sha256(page),
                "scoIdentifier": item_id,
            }
        )
        if on_progress is not None:
            on_progress(
                position + 1,
                steps,
                _("Writing lesson {n} of {count}").format(n=position + 1, count=count),
            )
    writer.add("index.html", _index(package, lesson_paths, titles).encode("utf-8", "replace"))
    writer.add(
        "manifest.json",
        dumps_manifest(
            {
                "format": FORMAT,
                "courseId": package.course_id,
                "title": package.title,
                "version": package.version,
                "packageId": package.id,
                "packageSha256": parsed.sha256,
                "language": package.language,
                "publishedAt": package.published_at,
                "scorm": {"version": "1.2", "manifest": "imsmanifest.xml"},
                "lessons": lesson_entries,
                "assets": [
                    {
                        "name": shipped.name,
                        "file": shipped.path,
                        "mediaType": shipped.media_type,
                        "sha256": sha256(shipped.data),
                    }
                    for shipped in assets.values()
                ],
            }
        ),
    )
    unused = sorted(shipped.path for name, shipped in assets.items() if name not in used_anywhere)
    writer.add(
        "imsmanifest.xml",
        scorm.build_manifest(
            course_id=package.course_id,
            title=package.title,
            version=package.version,
            scos=scos,
            shared_files=["index.html", "manifest.json", *unused],
        ),
    )
    writer.write(out, cancel)
    if on_progress is not None:
        on_progress(steps, steps, _("Saving the package"))
    log.info(
        "LMS package of %s v%d: %d lessons, %d assets", package.course_id, package.version,
        count, len(assets),
    )  # fmt: skip


def _index(package: CoursePackage, paths: list[str], titles: list[str]) -> str:
    meta = [_("Version {version}").format(version=package.version)]
    if package.published_at:
        with contextlib.suppress(ValueError):
            meta.append(
                _("Published {date}").format(
                    date=parse_rfc3339(package.published_at).date().isoformat()
                )
            )
    authors = ", ".join(a.strip() for a in package.authors if a.strip())
    if authors:
        meta.append(_("By {authors}").format(authors=authors))
    return index_page(
        title=package.title,
        summary=package.summary,
        meta=meta,
        language=package.language,
        direction=package.direction or direction_of(package.language),
        lessons=[
            (PageLink(path, title), lesson.estimated_minutes)
            for path, title, lesson in zip(paths, titles, package.lessons, strict=True)
        ],
    )
