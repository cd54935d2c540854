"""One generator of large synthetic CoursePackages for every benchmark.

``generate_course`` returns the bytes of a valid PUBLISHED package (``player.package.parse_package``
accepts it) of ``lessons`` lessons and about ``target_bytes`` bytes of UTF-8 JSON. It is
deterministic: the same arguments give the same bytes. Every block type appears in every lesson of
more than a few kilobytes (heading, paragraph, markdown, list, code, quote, callout, image of a PNG
asset, html with a table, divider), with some non-Latin text so that fonts and escaping are
exercised. ``large_lesson`` and ``large_factor`` make one lesson ``large_factor`` times the size
of the others (the renderer's "largest lesson").

The PNG assets are written with ``zlib`` (no Qt, no Pillow); their pixels are noise so that they
keep their size in the package and in a ZIP.
"""

from __future__ import annotations

import base64
import json
import random
import struct
import zlib
from typing import Any

_TEXT = (
    "the learner reads each lesson offline and marks progress while the player keeps every "
    "course package exactly as published so that a checksum proves nothing changed between "
    "server and desktop commit branch merge rebase snapshot history remote fetch push pull tree "
    "index stage conflict resolve tag clone diff status variable function loop document example "
    "careful practice budget interest emergency airway breathing Straße Größe naïve café Καλημέρα κόσμε Съешь ещё мягких булок"
)
WORDS = tuple(_TEXT.split())
OTHER_KINDS = ("markdown", "list", "code", "quote", "callout", "image", "html", "divider")


def block_cycle(paragraphs: int = 3) -> tuple[str, ...]:
    """The block types a lesson cycles through: a heading, the others, ``paragraphs`` paragraphs.

    Every lesson of at least ``len(OTHER_KINDS) + 1`` blocks has every block type.
    """
    return ("heading", *OTHER_KINDS) + ("paragraph",) * paragraphs


KINDS = block_cycle()


def sentence(rng: random.Random, n: int) -> str:
    """``n`` random words as a sentence."""
    return " ".join(rng.choices(WORDS, k=n)).capitalize() + "."


def png_bytes(rng: random.Random, width: int, height: int) -> bytes:
    """A ``width`` x ``height`` RGB PNG of noise (it does not compress: about 3 bytes a pixel)."""
    raw = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def make_block(rng: random.Random, kind: str, i: int, assets: list[str]) -> dict[str, Any]:
    """One block of type ``kind``; ``i`` varies levels and variants, ``assets`` are image names."""
    s = sentence
    if kind == "heading":
        return {"type": "heading", "level": 2 + i % 3, "text": s(rng, 5)}
    if kind == "paragraph":
        return {"type": "paragraph", "text": " ".join(s(rng, 18) for _ in range(5))}
    if kind == "markdown":
        return {
            "type": "markdown",
            "markdown": f"Some **bold**, _emphasis_, `code` and a [link](https://example.org/{i})."
            + "\n\n"
            + "\n".join(f"- {s(rng, 9)}" for _ in range(5))
            + "\n\n```python\n"
            + "\n".join(f"value_{j} = {j} * 2  # {s(rng, 4)}" for j in range(8))
            + f"\n```\n\n> {s(rng, 16)}",
        }
    if kind == "list":
        return {"type": "list", "ordered": i % 2 == 0, "items": [s(rng, 9) for _ in range(6)]}
    if kind == "code":
        return {
            "type": "code",
            "language": "python",
            "code": "\n".join(
                f"def step_{j}(x):\n    return x + {j}  # {s(rng, 4)}" for j in range(8)
            ),
        }
    if kind == "quote":
        return {"type": "quote", "text": s(rng, 24), "cite": "A. Teacher"}
    if kind == "callout":
        variant = ("note", "tip", "warning")[i % 3]
        return {"type": "callout", "variant": variant, "title": s(rng, 3), "text": s(rng, 30)}
    if kind == "image":
        return {
            "type": "image",
            "asset": assets[i % len(assets)],
            "alt": s(rng, 4),
            "caption": s(rng, 8),
        }
    if kind == "html":
        rows = "".join(
            f"<tr><td>{s(rng, 2)}</td><td>{s(rng, 5)}</td><td>{rng.randint(1, 999)}</td></tr>"
            for _ in range(8)
        )
        return {
            "type": "html",
            "html": f"<p><b>{s(rng, 4)}</b> {s(rng, 20)}</p><table><tr><th>Item</th>"
            f"<th>Detail</th><th>Count</th></tr>{rows}</table>",
        }
    if kind == "divider":
        return {"type": "divider"}
    raise ValueError(f"unknown block type {kind}")


def _size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def generate_course(
    lessons: int = 200,
    target_bytes: int = 4_500_000,
    *,
    seed: int = 20261014,
    course_id: str = "bench-course",
    title: str = "A generated benchmark course",
    images: int = 4,
    image_size: tuple[int, int] = (32, 16),
    large_lesson: int | None = None,
    large_factor: float = 1.0,
    paragraphs: int = 3,
) -> bytes:
    """A valid published package of ``lessons`` lessons and about ``target_bytes`` bytes of JSON.

    ``images`` noise PNGs of ``image_size`` pixels are the package's assets (counted in the
    target). Lesson ``large_lesson`` (if given) gets ``large_factor`` times the bytes of the
    others; the total stays about ``target_bytes``. ``paragraphs`` is the number of paragraphs
    per cycle of the other block types (see ``block_cycle``): more gives more prose, fewer blocks.
    The same arguments give the same bytes.
    """
    if lessons < 1 or images < 1:
        raise ValueError("a course needs at least one lesson and one image")
    rng = random.Random(f"{seed}:{course_id}")
    width, height = image_size
    assets = {
        f"figure-{n}.png": {
            "mediaType": "image/png",
            "data": base64.b64encode(png_bytes(rng, width, height)).decode("ascii"),
        }
        for n in range(images)
    }
    names = sorted(assets)
    kinds = block_cycle(paragraphs)
    shares = lessons - 1 + large_factor if large_lesson is not None else lessons
    per_lesson = max(500, int((target_bytes - _size(assets) - 600) / shares))
    lesson_list = []
    for index in range(lessons):
        budget = per_lesson * (large_factor if index == large_lesson else 1)
        lesson: dict[str, Any] = {
            "index": index,
            "id": f"les_{index}",
            "title": f"Lesson {index + 1}: {sentence(rng, 4)[:-1]}",
            "objectives": [sentence(rng, 7) for _ in range(3)],
            "estimatedMinutes": 10 + index % 20,
            "blocks": [],
        }
        blocks: list[dict[str, Any]] = lesson["blocks"]
        size = _size(lesson)
        while True:
            block = make_block(rng, kinds[len(blocks) % len(kinds)], index * 7 + len(blocks), names)
            grown = _size(block) + 2
            if size + grown // 2 > budget:  # nearer the budget without it: the sizes add up
                break
            blocks.append(block)
            size += grown
        lesson_list.append(lesson)
    package = {
        "schemaVersion": 1,
        "id": f"pkg_{course_id}_v1",
        "courseId": course_id,
        "version": 1,
        "status": "PUBLISHED",
        "title": title,
        "language": "en",
        "summary": "Generated for a benchmark by tests/bench/generate.py.",
        "publishedAt": "2026-10-14T08:00:00Z",
        "authors": ["Benchmark"],
        "assets": assets,
        "lessons": lesson_list,
    }
    return json.dumps(package, ensure_ascii=False).encode("utf-8")


def lesson_sizes(raw: bytes) -> list[int]:
    """The JSON size in bytes of each lesson of the package ``raw``."""
    return [_size(lesson) for lesson in json.loads(raw)["lessons"]]
