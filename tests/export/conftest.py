"""Fixtures for the export tests: a real store holding the shared fixtures, an enrolled learner,
and packages generated on the fly (big, hostile, with images)."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from player.package import ParsedPackage, parse_package
from player.services import packages, progress
from player.store.db import Store
from player.store.models import Profile
from tests.conftest import FIXTURES, SAMPLES

SHARED_COURSES = ("git-basics", "welcome-multilingual", "../../etc/passwd")


def fixture_parsed(name: str) -> ParsedPackage:
    return parse_package((FIXTURES / name).read_bytes())


def sample_paths() -> list[Path]:
    return sorted(SAMPLES.glob("*.json"))


@pytest.fixture
def learner(imported: Store, guest: Profile) -> Profile:
    """The guest, enrolled in the three good shared fixtures (free courses)."""
    for course_id in SHARED_COURSES:
        progress.enroll(imported, guest, course_id)
    return guest


def make_package(
    course_id: str = "generated",
    *,
    lessons: list[dict[str, Any]] | None = None,
    assets: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schemaVersion": 1,
        "id": f"pkg_{course_id}_v1",
        "courseId": course_id,
        "version": 1,
        "status": "PUBLISHED",
        "title": f"Course {course_id}",
        "publishedAt": "2026-01-02T03:04:05Z",
        "lessons": lessons
        or [{"index": 0, "title": "Only lesson", "blocks": [{"type": "paragraph", "text": "Hi"}]}],
        "assets": assets or {},
    }
    data.update(extra)
    return data


def encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def png_base64(
    width: int = 40, height: int = 20, colour: tuple[int, int, int] = (40, 90, 200)
) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")


ImportPackage = Callable[[dict[str, Any]], str]


@pytest.fixture
def import_package(store: Store, guest: Profile) -> ImportPackage:
    """Import a generated package and enroll the guest; returns the course id."""

    def do(data: dict[str, Any]) -> str:
        result = packages.import_bytes(store, encode(data))
        progress.enroll(store, guest, result.course_id)
        return result.course_id

    return do
