"""The shipped German catalog: it translates, its .mo matches its .po, placeholders survive."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
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
        if message.pluralizable:
            for index, text in enumerate(strings):
                expected[(ids[0], index)] = text
        else:
            expected[ids[0]] = strings[0]
    actual = {key: value for key, value in catalog.items() if key != ""}
    assert actual == expected, "recompile: pybabel compile -d resources/locale -D course-player"


def test_every_template_message_is_in_the_german_catalog() -> None:
    """The .po was updated from the current template (docs/i18n.md: pybabel update)."""
    template_ids = {message.id for message in read(POT) if message.id}
    po_ids = {message.id for message in read(PO) if message.id}  # obsolete ones are apart
    assert template_ids <= po_ids, "run: pybabel update (see docs/i18n.md)"


FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def test_translations_keep_every_placeholder() -> None:
    for message in translated(read(PO)):
        ids, strings = forms(message)
        wanted = set(FIELD.findall(ids[-1]))
        for text in strings:
            assert set(FIELD.findall(text)) == wanted, message.id
