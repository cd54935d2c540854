"""The window's catalog on a lab machine (issue #9): the lab policy's server's courses show for
every learner with their state, and a course of a server that does not sign is marked unsigned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlmodel import select

from player.policy import LabPolicy, parse_policy
from player.services import profiles
from player.services.learn import LOCKED, READY, SIGN_IN
from player.store.db import Store
from player.store.models import Product, StoredPackage
from player.ui.catalog.model import COURSE_ID_ROLE, badge_text
from player.ui.shell.main_window import MainWindow
from tests.conftest import TEST_SERVER, MakeLearner
from tests.ui.conftest import MakeWindow
from tests.ui.test_search import _hits as search_hits

COURSE = "git-basics"


def lab_policy(tmp_path: Path, url: str = TEST_SERVER) -> LabPolicy:
    path = tmp_path / "policy.toml"
    text = f'[server]\nurl = "{url}"\ntenant = "t-north"\n'
    path.write_text(text, encoding="utf-8")
    return parse_policy(text, path)


def shown(window: MainWindow) -> dict[str, str]:
    model = window.catalog.model
    ids = [model.index(row, 0).data(COURSE_ID_ROLE) for row in range(model.rowCount())]
    courses = [model.course(course_id) for course_id in ids]
    return {c.course_id: c.state for c in courses if c is not None}


def test_the_lab_servers_courses_show_to_the_guest_and_to_another_servers_learner(
    qtbot: QtBot,
    served: Store,
    make_learner: MakeLearner,
    make_window: MakeWindow,
    tmp_path: Path,
) -> None:
    policy = lab_policy(tmp_path)
    dan = make_learner("dan", server="https://other.example.org")
    for who in (profiles.ensure_guest(served), dan):
        window = make_window(served, who, policy=policy)
        assert window.profile is not None and window.profile.id == who.id
        states = shown(window)
        assert states and set(states.values()) == {SIGN_IN}
        course = window.catalog.model.course(COURSE)
        assert course is not None and badge_text(course) == "Sign in to open · Unsigned"

        window.open_course(COURSE)  # shown, never opened: it says how to open it
        overview = window.overview
        assert overview.course_id == COURSE
        assert "Sign in with your account of that server" in overview.notice_label.text()
        assert TEST_SERVER in overview.notice_label.text()
        for button in (overview.enroll_button, overview.start_button, overview.export_button):
            assert button.isHidden()
        assert overview.lessons.isHidden()
        window.close()

    # without a policy, or with one naming another server, the guest sees none of them
    for other in (None, lab_policy(tmp_path, "https://other.example.org")):
        window = make_window(served, profiles.ensure_guest(served), policy=other)
        assert shown(window) == {}
        window.close()


def test_a_learner_of_the_lab_server_sees_their_own_state_and_unsigned_marked(
    qtbot: QtBot,
    served: Store,
    make_learner: MakeLearner,
    make_window: MakeWindow,
    add_product: Callable[..., Product],
    tmp_path: Path,
) -> None:
    add_product(COURSE)
    lea = make_learner("lea")
    with served.write() as session:  # one course carries its server's signature
        for package in session.exec(
            select(StoredPackage).where(StoredPackage.courseId == "welcome-multilingual")
        ):
            package.sigKid, package.sig = "k1", "c2ln"
            session.add(package)
    window = make_window(served, lea, policy=lab_policy(tmp_path))
    states = shown(window)
    assert states[COURSE] == LOCKED and states["welcome-multilingual"] == READY
    locked = window.catalog.model.course(COURSE)
    signed = window.catalog.model.course("welcome-multilingual")
    assert locked is not None and signed is not None
    assert badge_text(locked).startswith("Locked") and badge_text(locked).endswith("· Unsigned")
    assert "Unsigned" not in badge_text(signed)
    window.open_course(COURSE)
    assert "Unsigned: its server does not sign its courses" in window.overview.meta_label.text()


def test_the_lab_servers_courses_are_found_by_title_in_the_search_page(
    qtbot: QtBot, served: Store, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window(served, profiles.ensure_guest(served), policy=lab_policy(tmp_path))
    window.search.show()
    view = window.search_view
    assert window.content.currentWidget() is view
    view.field.setText("git basics")
    qtbot.waitUntil(lambda: search_hits(window) == [(COURSE, None)])
    view.field.setText("repository")  # its lesson text is never found
    qtbot.waitUntil(lambda: "Nothing found" in view.status.text())
    assert search_hits(window) == []
    window.close()
