"""Safe names, identifiers, glyph fallback and the small bidi/shaping helper."""

from __future__ import annotations

import re

import pytest

from player.export import bidi
from player.export.fonts import (
    CJK,
    EMOJI,
    HANGUL,
    MONO,
    PLACEHOLDER,
    SANS,
    SANS_ITALIC,
    TextMapper,
)
from player.export.names import (
    ascii_slug,
    asset_file_names,
    export_file_name,
    lesson_file_name,
    ncname,
)

NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Why version control", "why-version-control"),
        ("Grüße aus Zürich — Ελληνικά", "grusse-aus-zurich"),
        ("CON", "con-1"),
        ("nul", "nul-1"),
        ("com1", "com1-1"),
        ('a/b\\c:d*e?f"g<h>i|j', "a-b-c-d-e-f-g-h-i-j"),
        ("../../etc/passwd", "etc-passwd"),
        ("日本語と中文", "lesson"),
        ("", "lesson"),
        ("-- --", "lesson"),
    ],
)
def test_ascii_slug(title: str, slug: str) -> None:
    assert ascii_slug(title) == slug


def test_slug_length_and_alphabet() -> None:
    slug = ascii_slug("word " * 40)
    assert len(slug) <= 50 and not slug.endswith("-") and re.fullmatch(r"[a-z0-9-]+", slug)
    assert lesson_file_name(0, "CON") == "001-con-1.html"
    assert lesson_file_name(41, "x") == "042-x.html"
    assert export_file_name("git-basics", 2, "zip") == "git-basics-v2.zip"
    hostile = export_file_name("../../etc/passwd", 1, "zip")
    assert re.fullmatch(r"etc-passwd-[0-9a-f]{6}-v1\.zip", hostile)


def test_asset_names_are_unique_and_typed_by_media_type() -> None:
    names = asset_file_names(
        {"a.png": "image/png", "A.PNG": "image/png", "x.gif": "image/jpeg", "..": "image/webp"}
    )
    assert names == {"..": "asset.webp", "A.PNG": "a.png", "a.png": "a-2.png", "x.gif": "x.jpg"}


def test_ncnames_are_valid_stable_and_distinct() -> None:
    ids = [ncname("ITEM", text) for text in ("../../etc/passwd", "1 2 3", "", "Ελληνικά", "a:b")]
    assert all(NCNAME.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert ncname("ITEM", "x", hashed="course\nx") == ncname("ITEM", "x", hashed="course\nx")
    assert ncname("ITEM", "x", hashed="a") != ncname("ITEM", "x", hashed="b")


def test_glyph_fallback_is_visible_never_silent() -> None:
    mapper = TextMapper()
    assert mapper.markup("a < b & c") == "a &lt; b &amp; c"
    cjk = mapper.markup("你好 한국 📘", SANS)
    assert PLACEHOLDER not in cjk  # drawn in the fallback faces
    assert f'<font face="{CJK}">你好</font>' in cjk
    assert f'<font face="{HANGUL}">한국</font>' in cjk and f'<font face="{EMOJI}">📘</font>' in cjk
    assert mapper.markup("𓀀𓀁", SANS).count(PLACEHOLDER) == 2  # no font has hieroglyphs
    # Invisible joiners and variation selectors the font lacks are dropped, not boxed.
    assert mapper.plain("✌\ufe0f", SANS).count(PLACEHOLDER) <= 1
    # The oblique face has no Arabic: it falls back to the upright face, not to a placeholder.
    arabic = mapper.markup("مرحبا", SANS_ITALIC)
    assert PLACEHOLDER not in arabic and f'face="{SANS}"' in arabic
    # The mono face has no Hebrew: same.
    hebrew = mapper.markup("שלום", MONO)
    assert PLACEHOLDER not in hebrew and f'face="{SANS}"' in hebrew
    assert mapper.substitutions >= 2


def test_arabic_shaping_uses_contextual_forms() -> None:
    # م ر ح ب ا: meem initial, reh final, hah initial, beh medial, alef final
    assert bidi.shape_arabic("مرحبا") == "\ufee3\ufeae\ufea3\ufe92\ufe8e"
    # lam + alef becomes the ligature
    assert bidi.shape_arabic("لا") == "\ufefb"
    assert bidi.shape_arabic("plain") == "plain"


def test_visual_order_of_mixed_lines() -> None:
    assert bidi.visual("abc", rtl=True) == "abc"
    assert bidi.visual("אבג", rtl=True) == "גבא"
    # In a right-to-left line, a left-to-right word keeps its letters in order.
    assert bidi.visual("אב cd גד", rtl=True) == "דג cd בא"
    # In a left-to-right line, only the right-to-left run is reversed; numbers stay in order.
    assert bidi.visual("x אב 12 y", rtl=False) == "x 12 בא y"
    assert bidi.visual("(אב)", rtl=True) == "(בא)"  # brackets are mirrored


def test_rtl_wrap_breaks_lines_before_reordering() -> None:
    lines = bidi.wrap("אאא בבב גגג", 7, lambda word: float(len(word)), rtl=True)
    assert lines == ["בבב אאא", "גגג"]
