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
    UnsupportedSchema,
)
from player.i18n import _
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

    Refuses (with a subclass of ``PackageError``): bytes that are not UTF-8 JSON, a checksum that
    does not match ``expected_sha256``, a ``schemaVersion`` newer than this player knows, anything
    that is not a valid PUBLISHED CoursePackage, and lessons whose ``index`` is not their position.
    """
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


def _load_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
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
