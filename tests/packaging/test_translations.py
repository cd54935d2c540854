"""The shipped German catalog: it translates, its .mo matches its .po, placeholders survive."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from player import config, i18n
from player.errors import CourseNotFound, LessonNotFound
from player.policy import available_languages

LOCALE = config.resources_dir() / "locale"
PO = LOCALE / "de" / "LC_MESSAGES" / "course-player.po"
MO = LOCALE / "de" / "LC_MESSAGES" / "course-player.mo"
POT = LOCALE / "course-player.pot"


@pytest.fixture
def german() -> Iterator[None]:
    i18n.install("de", LOCALE)
    yield
    i18n.install(None, LOCALE)


def read(path: Path) -> Catalog:
    with path.open("rb") as stream:
        return read_po(stream)


def forms(message: Message) -> tuple[list[str], list[str]]:
    """(msgid forms, msgstr forms): one each, or singular and plural."""

    def as_list(value: object) -> list[str]:
        return [str(v) for v in value] if isinstance(value, (tuple, list)) else [str(value)]

    return as_list(message.id), as_list(message.string)


def translated(catalog: Catalog) -> Iterator[Message]:
    for message in catalog:
        if message.id and message.string and not message.fuzzy:
            yield message


def test_german_ships() -> None:
    assert available_languages() == ["de", "en"]


def test_an_error_message_comes_out_in_german(german: None) -> None:
    assert str(CourseNotFound("git-basics")) == (
        "Auf diesem Computer gibt es keinen Kurs „git-basics“. Prüfen Sie die Kennung mit "
        "„course-player list“, importieren Sie die Kursdatei oder synchronisieren Sie mit "
        "Ihrem Server."
    )
    assert str(LessonNotFound("Git", 9, 3)) == (
        "„Git“ hat keine Lektion 9: Die Lektionen sind von 0 bis 2 nummeriert."
    )


def test_a_region_falls_back_to_the_language() -> None:
    i18n.install("de_AT", LOCALE)
    try:
        assert str(CourseNotFound("x")).startswith("Auf diesem Computer")
    finally:
        i18n.install(None, LOCALE)
    assert str(CourseNotFound("x")).startswith("There is no course")


def test_the_compiled_mo_holds_exactly_the_po_translations() -> None:
    """The .mo is committed (no Babel at run time); it must be the .po compiled, not older."""
    po = read(PO)
    with MO.open("rb") as stream:
        mo = gettext.GNUTranslations(stream)
    catalog = mo._catalog  # type: ignore[attr-defined]

    expected: dict[object, str] = {}
    for message in translated(po):
        ids, strings = forms(message)
        key = f"{message.context}\x04{ids[0]}" if message.context else ids[0]  # as gettext keys it
        if message.pluralizable:
            for index, text in enumerate(strings):
                expected[(key, index)] = text
        else:
            expected[key] = strings[0]
    actual = {key: value for key, value in catalog.items() if key != ""}
    assert actual == expected, "recompile: pybabel compile -d resources/locale -D course-player"


def test_every_template_message_is_in_the_german_catalog() -> None:
    """The .po was updated from the current template (docs/i18n.md: pybabel update)."""
    template_ids = {(message.context, message.id) for message in read(POT) if message.id}
    po_ids = {(m.context, m.id) for m in read(PO) if m.id}  # obsolete ones are apart
    assert template_ids <= po_ids, "run: pybabel update (see docs/i18n.md)"


def test_the_template_holds_every_marked_message_of_the_source() -> None:
    """The .pot was extracted after the last change of a visible string (docs/i18n.md, step 1),
    with the same keywords: ``_``, ``ngettext`` and ``pgettext`` (its context)."""
    source = config.resources_dir().parent / "player"
    keywords = {"_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        source, method_map=[("**.py", "python")], keywords=keywords
    ):
        found.add((context, message if isinstance(message, str) else message[0]))
    template = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read(POT) if m.id}
    missing = sorted(found - template, key=str)
    assert not missing, f"run the extract step of docs/i18n.md: {missing[:5]}"


FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def test_translations_keep_every_placeholder() -> None:
    for message in translated(read(PO)):
        ids, strings = forms(message)
        wanted = set(FIELD.findall(ids[-1]))
        for text in strings:
            assert set(FIELD.findall(text)) == wanted, message.id
