"""The PDF book: its text, outline, contents, determinism, fonts, hostile and oversized content."""

from __future__ import annotations

import io
import json
import threading
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from player.errors import Cancelled
from player.export.pdf import build_pdf
from player.package import ParsedPackage, parse_package
from player.package.blocks import Paragraph, parse_block
from tests.export.conftest import encode, fixture_parsed, make_package, png_base64, sample_paths
from tests.export.pdf_text import read_pdf, squash


def pdf_bytes(parsed: ParsedPackage, **kwargs: Any) -> bytes:
    out = io.BytesIO()
    build_pdf(parsed, out, **kwargs)
    return out.getvalue()


COURSES = [
    pytest.param(fixture_parsed("git-basics.json"), id="git-basics"),
    *(pytest.param(parse_package(path.read_bytes()), id=path.stem) for path in sample_paths()),
]


@pytest.mark.parametrize("parsed", COURSES)
def test_text_holds_every_title_objective_and_paragraph(parsed: ParsedPackage) -> None:
    view = read_pdf(pdf_bytes(parsed))
    text = view.text
    package = parsed.package
    assert squash(package.title) in text
    for lesson in package.lessons:
        assert squash(lesson.title) in text
        for objective in lesson.objectives:
            assert squash(objective) in text
        for raw in lesson.blocks:
            block = parse_block(raw)
            if isinstance(block, Paragraph):
                assert squash(block.text) in text, block.text


@pytest.mark.parametrize("parsed", COURSES)
def test_outline_has_one_entry_per_lesson_on_its_page(parsed: ParsedPackage) -> None:
    view = read_pdf(pdf_bytes(parsed))
    outline = view.outline()
    lessons = parsed.package.lessons
    assert [title for title, _page in outline] == [" ".join(x.title.split()) for x in lessons]
    pages = [page for _title, page in outline]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)  # each on a new page
    for (title, page), lesson in zip(outline, lessons, strict=True):
        assert squash(view.pages[page - 1]).startswith(squash(title)), "the lesson starts its page"
        assert f"Lesson {lesson.index + 1} of {len(lessons)}" in view.pages[page - 1]


def test_title_page_and_contents_with_page_numbers() -> None:
    parsed = fixture_parsed("git-basics.json")
    view = read_pdf(pdf_bytes(parsed))
    title_page = squash(view.pages[0])
    for expected in (
        "Git Basics",
        "Keep a history of your work with Git: commits, then branches and merges.",
        "Version 2",
        "Published 2026-09-21",
        "By Course Player test team",
    ):
        assert expected in title_page
    contents = squash(view.pages[1])
    assert contents.startswith("Contents")
    for number, (title, page) in enumerate(view.outline(), start=1):
        assert f"{number}. {title} {page}" in contents
    # Every contents entry links to its lesson.
    links = [a.get_object() for a in view.reader.pages[1].get("/Annots", [])]
    assert len(links) == len(parsed.package.lessons)
    # The footer carries the course title and the page number.
    raw_page = view.reader.pages[3].extract_text()
    assert raw_page.split("\n")[:2] == ["Git Basics", "4"]
    assert view.reader.metadata is not None
    assert view.reader.metadata.get("/CreationDate", "").startswith("D:20260921091500")
    assert view.reader.metadata.get("/Title") == "Git Basics"


def test_multilingual_latin_greek_and_cyrillic_are_text() -> None:
    text = read_pdf(pdf_bytes(fixture_parsed("multilingual.json"))).text
    for expected in (
        "Frühstück in Köln — Ελληνικά",
        "Üben: ä ö ü ß Ä Ö Ü",
        "Μάθετε: λέξεις",
        "Fußgänger, Brötchen, déjà vu, Ελληνικά: Γειά σου κόσμε.",
        "Русский язык",
        "Прочитать текст",
        "В чащах юга жил бы цитрус? Да, но фальшивый экземпляр!",
        "Viele Schriften: Latin with accents, Greek, Cyrillic",
    ):
        assert expected in text


def test_multilingual_lesson_4_prints_cjk_korean_and_emoji_with_no_placeholder() -> None:
    """Lesson 4 (Chinese, Japanese, Korean, emoji) is text in the fallback fonts, no □."""
    parsed = fixture_parsed("multilingual.json")
    lesson = parsed.package.lessons[3]
    text = read_pdf(pdf_bytes(parsed)).text
    assert "□" not in text
    assert "Some characters are shown as □" not in text
    assert lesson.title in text and "こんにちは" in text  # the footer's course title too

    def drawn(char: str) -> bool:  # what the PDF draws (joiners, modifiers and selectors not)
        code = ord(char)
        invisible = 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF
        return not char.isspace() and unicodedata.category(char) != "Cf" and not invisible

    lesson_text = "".join(str(block.get("text", "")) for block in lesson.blocks)
    assert {c for c in lesson_text if drawn(c)} <= set(text)
    assert {"春", "学", "한", "🌍", "🧪"} <= set(text)


def test_a_character_no_font_has_is_still_a_visible_placeholder() -> None:
    data = json.loads(fixture_parsed("git-basics.json").raw)
    data["lessons"][0]["blocks"] = [{"type": "paragraph", "text": "Hieroglyph: 𓀀."}]
    text = read_pdf(pdf_bytes(parse_package(json.dumps(data).encode()))).text
    assert "Hieroglyph: □." in text
    assert "Some characters are shown as □" in text


def test_no_character_is_drawn_without_a_glyph() -> None:
    """Every character in the text layer is one the embedded fonts have (no .notdef boxes)."""
    from reportlab.pdfbase.pdfmetrics import getFont

    from player.export.fonts import FALLBACKS, SANS, register_fonts

    register_fonts()
    covered: set[int] = set()
    for face in (SANS, *FALLBACKS):
        covered |= set(getFont(face).face.charToGlyph)
    text = read_pdf(pdf_bytes(fixture_parsed("multilingual.json"))).text
    missing = {c for c in text if ord(c) not in covered and not c.isspace()}
    assert missing <= {"\u200d"}  # the zero-width joiner the font has as a zero-width glyph
    assert {"春", "한", "🌍"} <= set(text)


def test_rtl_lesson_is_right_aligned_and_shaped() -> None:
    view = read_pdf(pdf_bytes(fixture_parsed("multilingual.json")))
    [(_title, page)] = [entry for entry in view.outline() if entry[0] == "اللغة العربية"]
    arabic_page = view.pages[page - 1]
    # Arabic letters are drawn in their joined presentation forms (U+FE70–U+FEFF).
    assert any(0xFE70 <= ord(c) <= 0xFEFF for c in arabic_page)
    # Hebrew needs no shaping: the letters are there, in display order.
    assert "רקוב" in arabic_page or "בוקר" in arabic_page


def test_two_runs_give_identical_bytes() -> None:
    parsed = fixture_parsed("multilingual.json")
    assert pdf_bytes(parsed) == pdf_bytes(parsed)
    parsed = fixture_parsed("git-basics.json")
    first = pdf_bytes(parsed)
    assert first == pdf_bytes(parsed)
    assert first.startswith(b"%PDF-")


def test_hostile_content_is_literal_text_and_notes() -> None:
    view = read_pdf(pdf_bytes(fixture_parsed("hostile.json")))
    text = view.text
    assert "<i>Shown as typed, angle brackets included.</i>" in text
    assert "<svg onload=alert(7)>" in text  # a title is text, nothing else
    assert "[image from 203.0.113.9 not included: a web beacon that stays unloaded]" in text
    assert "[Image unavailable: a picture the package forgot]" in text
    assert "This content is not supported by this version of Course Player." in text
    assert "</code></pre><img src=x onerror=codeleak()>" in text  # code is shown, not interpreted
    assert "steal(" not in text  # the <script> of the html block was dropped by the sanitizer
    assert [title for title, _ in view.outline()[:3]] == [
        "<svg onload=alert(7)>",
        "NUL",
        'x/y\\z:w*v?u"t<s>r|q',
    ]


def test_every_block_type_and_large_content_lay_out() -> None:
    """Blocks larger than a page, very long code lines, wide and spanning tables, images."""
    huge = "A very long callout sentence that goes on. " * 400
    long_line = "x = '" + "y" * 700 + "'"
    wide_table = (
        "<table><caption>Wide</caption><thead><tr>"
        + "".join(f"<th>H{i}</th>" for i in range(14))
        + '</tr></thead><tr><td colspan="9999">spans everything</td></tr>'
        + '<tr><td rowspan="3">tall</td><td>b</td></tr><tr><td>c</td></tr></table>'
    )
    nested = "<div>" * 300 + "deep text" + "</div>" * 300
    lesson = {
        "index": 0,
        "title": "Everything",
        "objectives": ["See every block"],
        "estimatedMinutes": 5,
        "blocks": [
            {"type": "heading", "level": 3, "text": "Level three"},
            {"type": "heading", "level": 4, "text": "Level four"},
            {"type": "paragraph", "text": "First line\nsecond line"},
            {"type": "list", "ordered": True, "items": ["one", "two"]},
            {"type": "code", "language": "python", "code": long_line + "\n\tindented"},
            {"type": "quote", "text": "Quoted", "cite": "Someone"},
            {"type": "callout", "variant": "note", "text": huge},
            {"type": "callout", "variant": "warning", "title": "Careful", "text": "Hot"},
            {"type": "image", "asset": "pic.png", "alt": "a picture", "caption": "Pic caption"},
            {"type": "image", "asset": "pic.gif", "alt": "a gif"},
            {"type": "image", "asset": "vector.svg", "alt": "a drawing", "caption": "Vector"},
            {"type": "image", "asset": "broken.png", "alt": "broken data"},
            {"type": "image", "src": "data:image/png;base64," + png_base64(8, 8), "alt": "inline"},
            {"type": "html", "html": wide_table},
            {"type": "html", "html": nested},
            {"type": "html", "html": '<p>An <img src="inline.png" alt="inline pic"> image</p>'},
            {"type": "markdown", "markdown": "* a\n  * nested\n\n```js\nlet a = 1;\n```\n\n---"},
            {"type": "divider"},
        ],
    }
    gif = png_base64()  # replaced below by a real GIF
    import base64

    from PIL import Image

    out = io.BytesIO()
    Image.new("P", (30, 10)).save(out, format="GIF")
    gif = base64.b64encode(out.getvalue()).decode()
    assets = {
        "pic.png": {"mediaType": "image/png", "data": png_base64(300, 150)},
        "inline.png": {"mediaType": "image/png", "data": png_base64(30, 15, (200, 40, 40))},
        "pic.gif": {"mediaType": "image/gif", "data": gif},
        "vector.svg": {"mediaType": "image/svg+xml", "data": base64.b64encode(b"<svg/>").decode()},
        "broken.png": {"mediaType": "image/png", "data": base64.b64encode(b"not a png").decode()},
    }
    parsed = parse_package(encode(make_package("everything", lessons=[lesson], assets=assets)))
    view = read_pdf(pdf_bytes(parsed))
    text = view.text
    assert len(view.reader.pages) > 4  # the huge callout split across pages
    for expected in (
        "Level three",
        "First line second line",
        "Pic caption",
        "[Image: a drawing (SVG, shown in the player only)]",
        "[Image unavailable: broken data]",
        "spans everything",
        "deep text",
        "let a = 1;",
        "↪",  # the long code line was wrapped
        "— Someone",
        "Careful",
    ):
        assert expected in text, expected
    images = {image.data for page in view.reader.pages for image in page.images}
    assert len(images) == 4  # png, gif, data URI, inline html image


def test_a_title_longer_than_a_page_splits_and_keeps_its_bookmark() -> None:
    title = "A very long lesson title " * 250
    lessons = [
        {"index": 0, "title": title, "blocks": [{"type": "paragraph", "text": "after"}]},
        {"index": 1, "title": "Second", "blocks": []},
    ]
    parsed = parse_package(encode(make_package("long-title", lessons=lessons)))
    view = read_pdf(pdf_bytes(parsed))
    outline = view.outline()
    assert len(outline) == 2 and outline[1][0] == "Second"
    first = outline[0][1]
    assert squash(view.pages[first - 1]).startswith("A very long lesson title")
    assert "Lesson 1 of 2" not in view.pages[first - 1]  # the title goes on over the page
    [meta_page] = [n for n, text in enumerate(view.pages, start=1) if "Lesson 1 of 2" in text]
    assert first < meta_page < outline[1][1]
    contents = squash(view.pages[1])
    assert "…" in contents and len(contents) < 400  # the contents entry is shortened


def test_cancel_stops_between_lessons_and_progress_is_reported() -> None:
    parsed = fixture_parsed("git-basics.json")
    seen: list[tuple[int, int, str]] = []
    pdf_bytes(parsed, on_progress=lambda d, t, m: seen.append((d, t, m)))
    done = [d for d, _t, _m in seen]
    assert done == sorted(done) and seen[-1][0] == seen[-1][1]
    cancel = threading.Event()

    def stop_after_first(done: int, total: int, message: str) -> None:
        cancel.set()

    with pytest.raises(Cancelled):
        pdf_bytes(parsed, on_progress=stop_after_first, cancel=cancel)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        pdf_bytes(parsed, cancel=cancel)


def test_fonts_fall_back_to_the_system_dejavu(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from player.export import fonts

    monkeypatch.setattr(fonts, "font_dirs", lambda: [tmp_path / "nothing", fonts.SYSTEM_FONT_DIR])
    if not (fonts.SYSTEM_FONT_DIR / "DejaVuSans.ttf").is_file():
        pytest.skip("the system has no DejaVu fonts")
    assert fonts._find("DejaVuSans.ttf").parent == fonts.SYSTEM_FONT_DIR
