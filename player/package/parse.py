"""Turn received bytes into a verified CoursePackage, or refuse them with a learner's message."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from player.errors import (
    ChecksumMismatch,
    InvalidPackage,
    NotJson,
    NotPublished,
    PackageTooLarge,
    UnsupportedSchema,
)
from player.i18n import _
from player.package.limits import (
    MAX_BLOCKS,
    MAX_BLOCKS_PER_LESSON,
    MAX_DEPTH,
    MAX_LESSONS,
    MAX_PACKAGE_BYTES,
    MAX_TEXT_CHARS,
    MAX_VALUES,
)
from player.package.model import CoursePackage

SUPPORTED_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class ParsedPackage:
    """A package with the exact bytes it came from and their SHA-256."""

    package: CoursePackage
    raw: bytes
    sha256: str


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse_package(raw: bytes, *, expected_sha256: str | None = None) -> ParsedPackage:
    """Check ``raw`` against the contract and return it parsed; the bytes are never changed.

    Refuses (with a subclass of ``PackageError``): a package beyond the limits of
    ``player.package.limits`` (``PackageTooLarge``; nesting too deep is ``InvalidPackage``), bytes
    that are not UTF-8 JSON (a leading byte-order mark is allowed), a JSON object with the same key
    twice, a checksum that does not match ``expected_sha256``, a ``schemaVersion`` newer than this
    player knows, anything that is not a valid PUBLISHED CoursePackage, and lessons whose
    ``index`` is not their position.
    """
    _check_size(raw)
    digest = sha256_hex(raw)
    if expected_sha256 is not None and digest != expected_sha256.lower():
        raise ChecksumMismatch(
            _(
                "The downloaded course does not match its checksum, so it was not stored "
                "(expected {expected}…, got {got}…). The previous version is kept; sync again later."
            ).format(expected=expected_sha256[:12], got=digest[:12])
        )
    data = _load_json(raw)
    if not isinstance(data, dict):
        raise InvalidPackage(_("This file is JSON but not a course package: it is not an object."))
    _check_counts(data)
    _check_tree(data)
    _check_schema_version(data)
    try:
        package = CoursePackage.model_validate(data)
    except ValidationError as error:
        raise InvalidPackage(_describe(error)) from error
    if package.status != "PUBLISHED":
        raise NotPublished(
            _(
                "“{title}” is not published (its status is {status}). Only published courses "
                "can be opened; ask your course provider for the published version."
            ).format(title=package.title, status=package.status)
        )
    for position, lesson in enumerate(package.lessons):
        if lesson.index != position:
            raise InvalidPackage(
                _(
                    "This course file is damaged: lesson “{title}” says it is number {index} "
                    "but stands at position {position}. Ask for a fresh copy of the file."
                ).format(title=lesson.title, index=lesson.index, position=position)
            )
    return ParsedPackage(package=package, raw=raw, sha256=digest)


def _check_size(raw: bytes) -> None:
    """Refuse, before parsing, what would cost too much memory to parse."""
    if len(raw) > MAX_PACKAGE_BYTES:
        raise PackageTooLarge(
            _(
                "This course package is too large: it is {size} MB and the player opens packages "
                "of up to {limit} MB. Ask your course provider for a smaller package."
            ).format(size=-(-len(raw) // 2**20), limit=MAX_PACKAGE_BYTES // 2**20)
        )
    # Every JSON value but the first is preceded by a comma or opens a container, so this bounds
    # the number of values (and the memory ``json.loads`` needs) without parsing anything.
    bound = raw.count(b",") + raw.count(b"[") + raw.count(b"{") + 1
    if bound > MAX_VALUES:
        raise _too_many_values()


def _too_many_values() -> PackageTooLarge:
    return PackageTooLarge(
        _(
            "This course package holds too much data for the player (more than {limit} values). "
            "Ask your course provider to split the course."
        ).format(limit=f"{MAX_VALUES:,}")
    )


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; the same key twice makes the document ambiguous, so it is refused."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _load_json(raw: bytes) -> Any:
    try:
        # "utf-8-sig" drops a leading byte-order mark; the stored bytes keep it.
        return json.loads(raw.decode("utf-8-sig"), object_pairs_hook=_object)
    except _DuplicateKey as error:
        raise InvalidPackage(
            _(
                "This file is not a valid course package: the field “{field}” appears twice in "
                "the same place, so it is not clear which value is meant. Ask your course "
                "provider for a fresh copy of the file."
            ).format(field=error.key[:80])
        ) from None
    except RecursionError:
        raise _too_deep() from None
    except UnicodeDecodeError as error:
        raise NotJson(
            _(
                "This file is not a course package: it is not UTF-8 text. Check that you picked the right file."
            )
        ) from error
    except json.JSONDecodeError as error:
        raise NotJson(
            _(
                "This file is not a course package: it is not valid JSON (line {line}, column "
                "{column}). The file may be incomplete; copy it again."
            ).format(line=error.lineno, column=error.colno)
        ) from error


def _too_deep() -> InvalidPackage:
    return InvalidPackage(
        _(
            "This file is not a valid course package: its data is nested more than {limit} "
            "levels deep. Ask your course provider for a fresh copy of the file."
        ).format(limit=MAX_DEPTH)
    )


def _check_counts(data: dict[str, Any]) -> None:
    """Lessons and blocks within their limits (checked before the models are built)."""
    lessons = data.get("lessons")
    if not isinstance(lessons, list):
        return  # the model reports it
    if len(lessons) > MAX_LESSONS:
        raise PackageTooLarge(
            _(
                "This course has {count} lessons; the player opens courses of up to {limit} "
                "lessons. Ask your course provider to split it into several courses."
            ).format(count=f"{len(lessons):,}", limit=f"{MAX_LESSONS:,}")
        )
    total = 0
    for position, lesson in enumerate(lessons):
        blocks = lesson.get("blocks") if isinstance(lesson, dict) else None
        if not isinstance(blocks, list):
            continue
        if len(blocks) > MAX_BLOCKS_PER_LESSON:
            raise PackageTooLarge(
                _(
                    "Lesson {n} of this course has {count} content blocks; the player shows up "
                    "to {limit} in one lesson. Ask your course provider to split the lesson."
                ).format(
                    n=position + 1, count=f"{len(blocks):,}", limit=f"{MAX_BLOCKS_PER_LESSON:,}"
                )
            )
        total += len(blocks)
    if total > MAX_BLOCKS:
        raise PackageTooLarge(
            _(
                "This course has {count} content blocks in all; the player opens courses of up "
                "to {limit}. Ask your course provider to split it into several courses."
            ).format(count=f"{total:,}", limit=f"{MAX_BLOCKS:,}")
        )


_TEXT, _ASSETS, _ASSET, _DATA = range(4)


def _check_tree(data: dict[str, Any]) -> None:
    """Nesting depth, number of values and length of every text, without recursion."""
    values = 0
    stack: list[tuple[Any, int, int]] = [(data, 1, _TEXT)]
    while stack:
        value, depth, kind = stack.pop()
        values += 1
        if isinstance(value, str):
            if len(value) > MAX_TEXT_CHARS and kind != _DATA:
                raise _text_too_long(len(value))
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(value, list):
            stack.extend((item, depth + 1, _TEXT) for item in value)
            continue
        for key, item in value.items():
            if len(key) > MAX_TEXT_CHARS:
                raise _text_too_long(len(key))
            if depth == 1 and key == "assets":
                child = _ASSETS
            elif kind == _ASSETS:
                child = _ASSET
            elif kind == _ASSET and key == "data":
                child = _DATA
            else:
                child = _TEXT
            stack.append((item, depth + 1, child))
    if values > MAX_VALUES:  # pragma: no cover - _check_size bounds this before parsing
        raise _too_many_values()


def _text_too_long(length: int) -> PackageTooLarge:
    return PackageTooLarge(
        _(
            "This course contains a text of {count} characters; the player shows texts of up to "
            "{limit} characters. Ask your course provider to split it."
        ).format(count=f"{length:,}", limit=f"{MAX_TEXT_CHARS:,}")
    )


def _check_schema_version(data: dict[str, Any]) -> None:
    version = data.get("schemaVersion", 1)
    if (
        isinstance(version, int)
        and not isinstance(version, bool)
        and version > SUPPORTED_SCHEMA_VERSION
    ):
        raise UnsupportedSchema(
            _(
                "This course was made for a newer Course Player (format version {found}; this "
                "player reads version {supported}). Update the player to open it."
            ).format(found=version, supported=SUPPORTED_SCHEMA_VERSION)
        )


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or _("the file")
    if first["type"] == "missing":
        detail = _("“{field}” is missing").format(field=where)
    else:
        detail = _("“{field}”: {problem}").format(field=where, problem=first["msg"])
    return _(
        "This file is not a valid course package ({detail}). Ask your course provider for a "
        "fresh copy of the file."
    ).format(detail=detail)
