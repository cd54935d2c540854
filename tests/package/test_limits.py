"""Parse-time limits and ambiguous JSON: every hostile package is refused with a clear message,
quickly, before the models are built; a byte-order mark is accepted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from player.errors import InvalidPackage, PackageError, PackageTooLarge
from player.package import limits, parse_package, sha256_hex
from player.services import packages
from player.store.db import Store
from player.store.models import PackageBlob, StoredPackage


def package(lessons: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schemaVersion": 1,
        "id": "pkg_limits_v1",
        "courseId": "limits",
        "version": 1,
        "status": "PUBLISHED",
        "title": "Limits",
        "lessons": lessons
        or [{"index": 0, "title": "One", "blocks": [{"type": "paragraph", "text": "Hi"}]}],
    }
    data.update(extra)
    return data


def encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode("utf-8")


def tiny_lessons(count: int, blocks: int = 0) -> list[dict[str, Any]]:
    block = {"type": "divider"}
    return [{"index": i, "title": "L", "blocks": [block] * blocks} for i in range(count)]


def assert_clear(error: PackageError) -> None:
    text = str(error)
    assert "Traceback" not in text and "RecursionError" not in text
    assert "Ask your course provider" in text


def test_a_utf8_byte_order_mark_is_accepted_and_kept_in_the_bytes() -> None:
    raw = b"\xef\xbb\xbf" + encode(package())
    parsed = parse_package(raw)
    assert parsed.package.course_id == "limits"
    assert parsed.raw == raw
    assert parsed.sha256 == sha256_hex(raw)


def test_duplicate_keys_make_an_ambiguous_document_that_is_refused() -> None:
    good = encode(package())
    raw = good.replace(b'"status": "PUBLISHED"', b'"status": "DRAFT", "status": "PUBLISHED"')
    assert raw != good
    with pytest.raises(InvalidPackage, match="“status” appears twice") as caught:
        parse_package(raw)
    assert_clear(caught.value)


def test_duplicate_keys_deep_inside_a_block_are_refused_too() -> None:
    raw = encode(package()).replace(b'"text": "Hi"', b'"text": "Hi", "text": "Bye"')
    with pytest.raises(InvalidPackage, match="“text” appears twice"):
        parse_package(raw)


@pytest.mark.parametrize("depth", [limits.MAX_DEPTH + 1, 5_000, 200_000])
def test_deep_nesting_is_refused_as_invalid_not_a_recursion_error(depth: int) -> None:
    nested = "[" * depth + "]" * depth
    raw = encode(package()).replace(b'"text": "Hi"', b'"text": "Hi", "deep": ' + nested.encode())
    with pytest.raises(InvalidPackage, match="nested more than 64 levels") as caught:
        parse_package(raw)
    assert_clear(caught.value)


def test_nesting_within_the_limit_is_accepted() -> None:
    depth = limits.MAX_DEPTH - 6  # package → lessons → lesson → blocks → block → "deep"
    nested = "[" * depth + "]" * depth
    raw = encode(package()).replace(b'"text": "Hi"', b'"text": "Hi", "deep": ' + nested.encode())
    assert parse_package(raw).package.lessons[0].blocks[0]["type"] == "paragraph"


def test_too_many_lessons_are_refused_before_the_models_are_built() -> None:
    raw = encode(package(tiny_lessons(limits.MAX_LESSONS + 1)))
    with pytest.raises(PackageTooLarge, match="5,001 lessons") as caught:
        parse_package(raw)
    assert_clear(caught.value)
    assert len(
        parse_package(encode(package(tiny_lessons(limits.MAX_LESSONS)))).package.lessons
    ) == (limits.MAX_LESSONS)


def test_too_many_blocks_in_one_lesson_are_refused() -> None:
    lessons = tiny_lessons(2)
    lessons[1]["blocks"] = [{"type": "divider"}] * (limits.MAX_BLOCKS_PER_LESSON + 1)
    with pytest.raises(PackageTooLarge, match="Lesson 2 of this course has 5,001") as caught:
        parse_package(encode(package(lessons)))
    assert_clear(caught.value)


def test_too_many_blocks_in_all_are_refused() -> None:
    per_lesson = limits.MAX_BLOCKS_PER_LESSON
    count = limits.MAX_BLOCKS // per_lesson + 1
    with pytest.raises(PackageTooLarge, match="content blocks in all") as caught:
        parse_package(encode(package(tiny_lessons(count, per_lesson))))
    assert_clear(caught.value)


def test_a_text_beyond_the_limit_is_refused_but_image_data_may_be_longer() -> None:
    long_text = "a" * (limits.MAX_TEXT_CHARS + 1)
    lessons = [{"index": 0, "title": "One", "blocks": [{"type": "paragraph", "text": long_text}]}]
    with pytest.raises(PackageTooLarge, match="a text of 1,000,001 characters") as caught:
        parse_package(encode(package(lessons)))
    assert_clear(caught.value)
    with pytest.raises(PackageTooLarge):
        parse_package(encode(package(extra={long_text: 1})))
    assets = {"big.png": {"mediaType": "image/png", "data": "A" * (limits.MAX_TEXT_CHARS + 4)}}
    assert "big.png" in parse_package(encode(package(assets=assets))).package.assets


def test_too_many_values_are_refused_before_parsing() -> None:
    filler = [0] * limits.MAX_VALUES
    with pytest.raises(PackageTooLarge, match="too much data") as caught:
        parse_package(encode(package(filler=filler)))
    assert_clear(caught.value)


def test_a_package_beyond_the_size_limit_is_refused_before_parsing() -> None:
    raw = encode(package()) + b" " * limits.MAX_PACKAGE_BYTES
    with pytest.raises(PackageTooLarge, match="up to 64 MB") as caught:
        parse_package(raw)
    assert_clear(caught.value)


def test_an_import_refused_by_a_limit_stores_nothing(store: Store) -> None:
    packages.import_bytes(store, encode(package()))
    with store.read() as session:
        before = (
            len(session.exec(select(StoredPackage)).all()),
            len(session.exec(select(PackageBlob)).all()),
        )
    hostile = package(tiny_lessons(limits.MAX_LESSONS + 1), id="pkg_limits_v2", version=2)
    with pytest.raises(PackageTooLarge):
        packages.import_bytes(store, encode(hostile))
    with store.read() as session:
        after = (
            len(session.exec(select(StoredPackage)).all()),
            len(session.exec(select(PackageBlob)).all()),
        )
    assert after == before == (1, 1)
