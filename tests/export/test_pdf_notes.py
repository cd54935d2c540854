"""The PDF with the learner's notes after each lesson; the default export does not change."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from player.export import export_course
from player.export.pdf import build_pdf
from player.services import notes, progress
from player.store.db import Store
from player.store.models import Profile
from tests.conftest import MakeLearner
from tests.export.conftest import fixture_parsed
from tests.export.pdf_text import read_pdf

#: SHA-256 of git-basics.json's PDF as the export wrote it before notes existed. Only a
#: deliberate change of the PDF itself (layout, fonts) may change it; notes never do.
GIT_BASICS_PDF_SHA256 = "d6e3000537836d7128160e7452346467b9495d80929bf66e6a0549c5a3bdce26"


def test_the_default_export_is_unchanged_by_notes(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    out = io.BytesIO()
    build_pdf(fixture_parsed("git-basics.json"), out)
    assert hashlib.sha256(out.getvalue()).hexdigest() == GIT_BASICS_PDF_SHA256
    plain = tmp_path / "plain.pdf"
    export_course(imported, learner, "git-basics", "pdf", plain)
    notes.add_note(imported, learner, "git-basics", 0, "A note that must not be printed")
    notes.set_bookmark(imported, learner, "git-basics", 1)
    default = tmp_path / "default.pdf"
    export_course(imported, learner, "git-basics", "pdf", default)
    assert plain.read_bytes() == default.read_bytes() == out.getvalue()


def test_with_notes_prints_each_note_after_its_lesson(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    notes.add_note(imported, learner, "git-basics", 0, "Install git first\nthen configure it")
    notes.add_note(imported, learner, "git-basics", 2, "Branches <b>are</b> & cheap")
    deleted = notes.add_note(imported, learner, "git-basics", 1, "gone")
    notes.delete_note(imported, learner, deleted.id)
    dest = tmp_path / "noted.pdf"
    export_course(imported, learner, "git-basics", "pdf", dest, with_notes=True)
    pages = read_pdf(dest.read_bytes())
    text = pages.text
    assert text.count("Your notes") == 2
    assert "Install git first then configure it" in text
    assert "Branches <b>are</b> & cheap" in text and "gone" not in text
    package = fixture_parsed("git-basics.json").package
    # each note comes after its lesson's heading (the last time the title appears: the contents
    # list it first) and before the next lesson's
    first = text.index("Install git first")
    titles = [text.rindex(lesson.title) for lesson in package.lessons]
    assert titles[0] < first < titles[1]
    assert titles[2] < text.index("Branches <b>are</b>")


def test_with_notes_and_no_notes_is_the_default_export(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    export_course(imported, learner, "git-basics", "pdf", a)
    export_course(imported, learner, "git-basics", "pdf", b, with_notes=True)
    assert a.read_bytes() == b.read_bytes()


def test_another_learners_notes_are_never_printed(
    imported: Store, learner: Profile, make_learner: MakeLearner, tmp_path: Path
) -> None:
    ana = make_learner("ana")
    progress.enroll(imported, ana, "git-basics")
    notes.add_note(imported, learner, "git-basics", 0, "only the guest's")
    dest = tmp_path / "ana.pdf"
    export_course(imported, ana, "git-basics", "pdf", dest, with_notes=True)
    assert "only the guest's" not in read_pdf(dest.read_bytes()).text
    assert "Your notes" not in read_pdf(dest.read_bytes()).text
