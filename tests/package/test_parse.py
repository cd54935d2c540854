from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from player.errors import (
    ChecksumMismatch,
    InvalidPackage,
    NotJson,
    NotPublished,
    PackageError,
    UnsupportedSchema,
)
from player.package import parse_package
from player.package.blocks import Divider, Heading, Unsupported, parse_block, parse_blocks
from tests.conftest import FIXTURES


def test_good_package_keeps_exact_bytes_and_hash() -> None:
    raw = (FIXTURES / "git-basics.json").read_bytes()
    parsed = parse_package(raw)
    assert parsed.raw is raw
    assert parsed.sha256 == hashlib.sha256(raw).hexdigest()
    assert parsed.package.course_id == "git-basics"
    assert [lesson.index for lesson in parsed.package.lessons] == [0, 1, 2]
    assert parsed.package.assets["diagram.png"].media_type == "image/png"


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("broken-future-schema.json", UnsupportedSchema, "newer Course Player"),
        (
            "broken-index-mismatch.json",
            InvalidPackage,
            "“Second” says it is number 3 but stands at position 1",
        ),
        ("broken-missing-lessons.json", InvalidPackage, "“lessons” is missing"),
        ("broken-not-json.json", NotJson, "not valid JSON"),
        ("draft-not-published.json", NotPublished, "not published"),
    ],
)
def test_broken_fixtures_are_refused_with_a_learners_message(
    name: str, error: type[PackageError], words: str
) -> None:
    with pytest.raises(error) as caught:
        parse_package((FIXTURES / name).read_bytes())
    assert words in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_every_broken_fixture_is_covered() -> None:
    names = {p.name for p in FIXTURES.glob("broken-*.json")}
    assert names == {
        "broken-future-schema.json",
        "broken-index-mismatch.json",
        "broken-missing-lessons.json",
        "broken-not-json.json",
    }


def test_unknown_fields_and_block_types_are_kept() -> None:
    data = json.loads((FIXTURES / "git-basics.json").read_text())
    data["futureField"] = {"x": 1}
    data["lessons"][0]["blocks"].append({"type": "quiz", "question": "?", "choices": ["a"]})
    data["lessons"][0]["extra"] = True
    raw = json.dumps(data).encode()
    package = parse_package(raw).package
    assert package.model_extra == {"futureField": {"x": 1}}
    assert package.lessons[0].blocks[-1] == {"type": "quiz", "question": "?", "choices": ["a"]}
    assert package.lessons[0].model_extra == {"extra": True}


@pytest.mark.parametrize("status", ["DRAFT", "IN_REVIEW", "APPROVED", "ARCHIVED"])
def test_only_published_is_accepted(status: str) -> None:
    data = json.loads((FIXTURES / "git-basics.json").read_text())
    data["status"] = status
    with pytest.raises(NotPublished):
        parse_package(json.dumps(data).encode())


def test_checksum_mismatch_is_refused() -> None:
    raw = (FIXTURES / "git-basics.json").read_bytes()
    with pytest.raises(ChecksumMismatch, match="checksum"):
        parse_package(raw, expected_sha256="0" * 64)


@pytest.mark.parametrize(
    "raw",
    [
        b"[1, 2]",
        b"\xff\xfe not utf-8",
        b'{"id": "p"}',
        b'{"id": "p", "courseId": "c", "version": 0, "status": "PUBLISHED", "title": "t", "lessons": [{"index": 0, "title": "x", "blocks": []}]}',
    ],
)
def test_other_bad_inputs_are_package_errors(raw: bytes) -> None:
    with pytest.raises(PackageError):
        parse_package(raw)


def test_blocks_are_interpreted_one_by_one() -> None:
    blocks = parse_blocks(
        [
            {"type": "heading", "level": 3, "text": "ok"},
            {"type": "heading", "level": 9, "text": "bad level"},
            {"type": "paragraph"},
            {"type": "quiz"},
            {"type": "divider"},
        ]
    )
    assert isinstance(blocks[0], Heading) and blocks[0].level == 3
    assert isinstance(blocks[1], Unsupported) and blocks[1].kind == "heading"
    assert isinstance(blocks[2], Unsupported)
    assert isinstance(blocks[3], Unsupported) and blocks[3].kind == "quiz"
    assert isinstance(blocks[4], Divider)
    assert isinstance(parse_block("not an object"), Unsupported)


def test_direction_from_language_and_lesson() -> None:
    package = parse_package((FIXTURES / "multilingual.json").read_bytes()).package
    assert package.lesson_direction(package.lessons[0]) == "ltr"
    assert package.lesson_direction(package.lessons[2]) == "rtl"
    data = json.loads((FIXTURES / "git-basics.json").read_text())
    data["language"] = "ar-EG"
    arabic = parse_package(json.dumps(data).encode()).package
    assert arabic.lesson_direction(arabic.lessons[0]) == "rtl"


def test_samples_directory_is_valid(tmp_path: Path) -> None:
    from tests.conftest import SAMPLES

    samples = sorted(SAMPLES.glob("*.json"))
    for path in samples:
        package = parse_package(path.read_bytes()).package
        assert len(package.lessons) >= 5, path
