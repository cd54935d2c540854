"""The sync UI with pytest-qt, against a real contract server: the sign-in dialog, the sync
controller (on a real thread pool), the status widget and its details, and the Buy flow."""

from __future__ import annotations

import gc
import random
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import (
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
)
from pytestqt.qtbot import QtBot

from player.errors import Cancelled
from player.services import learner_lock, progress
from player.store.db import Store
from player.sync.backoff import Backoff
from player.sync.report import SyncPolicy, SyncReport
from player.sync.server_signin import sign_in
from player.sync.status import SyncStatus
from player.sync.tokens import TokenStore
from player.ui.sync import (
    BuyFlow,
    ServerSignInDialog,
    SyncController,
    SyncDetailsDialog,
    SyncStatusWidget,
)
from player.ui.tasks import ImmediatePool
from tests.server.app import ContractServer
from tests.sync.conftest import MemoryKeyring
from tests.sync.test_engine import FREE, PAID, entitle_ana

NO_WAIT = SyncPolicy(backoff=Backoff(base=0.0, cap=0.0))
WAIT = 10_000  # ms: only a bound for waitSignal, never a timing assertion


@dataclass
class Boxes:
    warnings: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Yes
    #: The answer to the password asked before a purchase (None: Cancel).
    password: str | None = "pw-ana"
    password_prompts: list[str] = field(default_factory=list)


@pytest.fixture(autouse=True)
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    """Message boxes are only answered, never shown."""
    seen = Boxes()

    def warning(_parent: Any, _title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        seen.warnings.append(text)
        return QMessageBox.StandardButton.Ok

    def information(_parent: Any, _title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        seen.infos.append(text)
        return QMessageBox.StandardButton.Ok

    def exec_(box: QMessageBox) -> Any:
        seen.questions.append(box.text())
        return seen.answer

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(information))

    def get_text(_parent: Any, _title: str, label: str, *args: Any, **kwargs: Any) -> Any:
        seen.password_prompts.append(label)
        return (seen.password or "", seen.password is not None)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    return seen


@pytest.fixture
def thread_pool() -> Iterator[QThreadPool]:
    """A real pool (work runs on other threads), drained after the test."""
    pool = QThreadPool()
    yield pool
    pool.waitForDone(WAIT)


def tree_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    return [item for item in items if item is not None]


def signed_in_profile(
    server: ContractServer, store: Store, tokens: TokenStore, user: str = "ana"
) -> Any:
    return sign_in(store, server.url, user, f"pw-{user}", tokens=tokens).profile


# --- sign-in dialog --------------------------------------------------------------------------


def test_the_sign_in_dialog_signs_in_off_the_ui_thread(
    qtbot: QtBot,
    contract_server: ContractServer,
    store: Store,
    tokens: TokenStore,
    memory_keyring: MemoryKeyring,
    thread_pool: QThreadPool,
) -> None:
    dialog = ServerSignInDialog(
        store, server_url=contract_server.url, tokens=tokens, pool=thread_pool
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.sign_in_button.isEnabled()  # nothing typed yet
    qtbot.keyClicks(dialog.user_edit, "ana")
    qtbot.keyClicks(dialog.password_edit, "pw-ana")
    assert dialog.sign_in_button.isEnabled()

    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT) as signed:
        dialog.submit()  # a real QThreadPool: the answer comes back through a signal

    result = signed.args[0]
    assert result.profile.username == "ana" and result.token_saved
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.password_edit.text() == ""
    assert len(memory_keyring.passwords) == 1


def test_the_dialog_warns_before_a_password_goes_unencrypted_to_another_computer(
    qtbot: QtBot, contract_server: ContractServer, store: Store, tokens: TokenStore
) -> None:
    dialog = ServerSignInDialog(
        store, server_url=contract_server.url, tokens=tokens, pool=ImmediatePool()
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.insecure_label.isVisible()  # this machine: nothing crosses a network
    dialog.server_edit.setText("http://learn.example.org")
    assert dialog.insecure_label.isVisible()
    assert "not encrypted" in dialog.insecure_label.text()
    dialog.server_edit.setText("https://learn.example.org")
    assert not dialog.insecure_label.isVisible()


def test_a_wrong_password_is_shown_in_the_dialog(
    qtbot: QtBot, contract_server: ContractServer, store: Store, tokens: TokenStore
) -> None:
    dialog = ServerSignInDialog(
        store, server_url=contract_server.url, username="ana", tokens=tokens, pool=ImmediatePool()
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password_edit.setText("wrong")
    with qtbot.assertNotEmitted(dialog.signed_in):
        dialog.submit()
    assert dialog.error_label.isVisible()
    assert "Wrong user name or password" in dialog.error_label.text()
    assert dialog.isVisible() and not dialog.busy


def test_without_a_keyring_the_dialog_says_so_once(
    qtbot: QtBot, contract_server: ContractServer, store: Store, boxes: Boxes
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        tokens = TokenStore()
        for _attempt in range(2):
            dialog = ServerSignInDialog(
                store,
                server_url=contract_server.url,
                username="ana",
                tokens=tokens,
                pool=ImmediatePool(),
            )
            qtbot.addWidget(dialog)
            dialog.password_edit.setText("pw-ana")
            dialog.submit()
            assert dialog.result_value is not None
    finally:
        keyring.set_keyring(previous)
    assert len(boxes.infos) == 1 and "keyring" in boxes.infos[0]


def test_a_server_locked_by_policy_cannot_be_edited(qtbot: QtBot, store: Store) -> None:
    dialog = ServerSignInDialog(store, server_url="https://learn.example.org", server_locked=True)
    qtbot.addWidget(dialog)
    assert dialog.server_edit.isReadOnly()


# --- controller ------------------------------------------------------------------------------


def test_the_controller_syncs_on_a_real_thread_pool(
    qtbot: QtBot,
    contract_server: ContractServer,
    store: Store,
    tokens: TokenStore,
    thread_pool: QThreadPool,
) -> None:
    entitle_ana(contract_server)
    profile = signed_in_profile(contract_server, store, tokens)
    controller = SyncController(store, tokens=tokens, pool=thread_pool, policy=NO_WAIT)
    controller.set_profile(profile)
    assert controller.timer.isActive()  # automatic sync while signed in to a server
    progressed: list[tuple[int, int, str]] = []
    controller.progressed.connect(lambda d, t, m: progressed.append((d, t, m)))

    with qtbot.waitSignal(controller.finished, timeout=WAIT) as done:
        assert controller.sync_now()
        assert controller.running and not controller.sync_now()  # one at a time

    report: SyncReport = done.args[0]
    assert report.courses_downloaded == 2
    assert controller.online is True and not controller.running
    assert any("Downloading courses" in m for _d, _t, m in progressed)
    qtbot.waitUntil(lambda: controller.last_status is not None, timeout=WAIT)


def test_the_controller_asks_for_a_sign_in_after_a_401_and_pauses(
    qtbot: QtBot, contract_server: ContractServer, store: Store, tokens: TokenStore
) -> None:
    profile = signed_in_profile(contract_server, store, tokens)
    controller = SyncController(store, tokens=tokens, pool=ImmediatePool(), policy=NO_WAIT)
    controller.set_profile(profile)
    progress_rows_before = len(contract_server.progress_rows(contract_server.user_id("ana")))
    contract_server.expire_tokens()

    with qtbot.waitSignal(controller.sign_in_required, timeout=WAIT) as asked:
        controller.sync_now()

    assert "sign in" in asked.args[0].lower()
    controller.timer.timeout.emit()  # the automatic sync waits for the new sign-in
    assert not controller.running
    assert (
        len(contract_server.progress_rows(contract_server.user_id("ana"))) == progress_rows_before
    )

    profile = signed_in_profile(contract_server, store, tokens)
    controller.set_profile(profile)
    with qtbot.waitSignal(controller.finished, timeout=WAIT):
        controller.sync_now()


def test_a_finished_controller_dies_in_the_ui_thread_without_the_collector(
    qtbot: QtBot,
    contract_server: ContractServer,
    store: Store,
    tokens: TokenStore,
    thread_pool: QThreadPool,
) -> None:
    """Neither the worker nor a cycle through a 401's traceback keeps the controller alive after
    its sync: the last reference goes in the UI thread, not in the collector, which may run on a
    pool thread ("QObject::killTimer: Timers cannot be stopped from another thread")."""
    profile = signed_in_profile(contract_server, store, tokens)
    contract_server.expire_tokens()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        controller = SyncController(store, tokens=tokens, pool=thread_pool, policy=NO_WAIT)
        controller.set_profile(profile)
        with qtbot.waitSignal(controller.failed, timeout=WAIT) as failed:
            assert controller.sync_now()
        runner = controller.tasks  # the status read after the failure ends too
        qtbot.waitUntil(lambda: not runner.running, timeout=WAIT)
        thread_pool.waitForDone(WAIT)
        assert "sign in" in str(failed.args[0]).lower()
        gone = weakref.ref(controller)
        del controller, failed
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()


def test_offline_then_the_timer_finds_the_server_again(
    qtbot: QtBot, contract_server: ContractServer, store: Store, tokens: TokenStore
) -> None:
    entitle_ana(contract_server)
    profile = signed_in_profile(contract_server, store, tokens)
    controller = SyncController(
        store, tokens=tokens, pool=ImmediatePool(), policy=NO_WAIT, interval_minutes=5
    )
    controller.set_profile(profile)
    assert 0.85 * 5 * 60_000 <= controller.timer.interval() <= 1.15 * 5 * 60_000
    contract_server.stop()
    with qtbot.waitSignal(controller.online_changed, timeout=WAIT):
        controller.sync_now()
    assert controller.online is False

    controller.timer.timeout.emit()  # still offline: only a probe, no sync
    assert controller.online is False and controller.last_report is not None
    assert controller.last_report.courses_downloaded == 0

    contract_server.start()
    with qtbot.waitSignal(controller.finished, timeout=WAIT) as done:
        controller.timer.timeout.emit()
    assert controller.online is True and done.args[0].courses_downloaded == 2


def test_cancelling_a_sync_is_quiet_and_loses_nothing(
    qtbot: QtBot,
    contract_server: ContractServer,
    store: Store,
    tokens: TokenStore,
    thread_pool: QThreadPool,
) -> None:
    profile = signed_in_profile(contract_server, store, tokens)
    controller = SyncController(store, tokens=tokens, pool=thread_pool, policy=NO_WAIT)
    controller.set_profile(profile)
    contract_server.faults.delay_next(1, 0.5, path_prefix="/api/learn/courses")

    with qtbot.waitSignal(controller.failed, timeout=WAIT) as failed:
        controller.sync_now()
        controller.cancel()

    assert isinstance(failed.args[0], Cancelled)


# --- status widget and details ---------------------------------------------------------------


def test_the_status_widget_shows_waiting_and_refused_items_and_their_reasons(
    qtbot: QtBot, contract_server: ContractServer, store: Store, tokens: TokenStore
) -> None:
    entitle_ana(contract_server)
    profile = signed_in_profile(contract_server, store, tokens)
    controller = SyncController(store, tokens=tokens, pool=ImmediatePool(), policy=NO_WAIT)
    window = QMainWindow()
    qtbot.addWidget(window)
    widget = SyncStatusWidget(controller, window)
    window.statusBar().addPermanentWidget(widget)
    window.show()
    assert widget.summary_text() == "Not signed in to a server"

    controller.set_profile(profile)
    controller.sync_now()
    assert widget.summary_text().startswith("Online · synced ")
    assert not widget.progress_bar.isVisible()

    progress.set_lesson_completed(store, profile, FREE, 1)
    progress.set_lesson_completed(store, profile, FREE, 2)
    with contract_server.db.transaction() as conn:  # lesson 1 will be refused (NOT_ENROLLED)
        conn.execute("DELETE FROM enrollments WHERE course_id = ?", (FREE,))
    contract_server.stop()
    controller.sync_now()
    assert widget.summary_text().startswith("Offline")
    assert "2 waiting" in widget.summary_text()

    contract_server.start()
    controller.sync_now()
    text = widget.summary_text()
    assert "2 refused" in text and "waiting" not in text

    dialog = widget.show_details()  # a child of the window: closed with it
    assert isinstance(dialog, SyncDetailsDialog)
    rows = [(item.text(0), item.text(1)) for item in tree_items(dialog.refused_tree)]
    assert (
        "Lesson 2 of “welcome-multilingual” completed",
        "Enroll in this course to record progress.",
    ) in rows
    assert dialog.waiting_tree.topLevelItemCount() == 0
    assert "2 items refused" in dialog.refused_label.text()


def test_the_details_dialog_lists_waiting_items_with_their_problem(qtbot: QtBot) -> None:
    from player.sync.status import ItemView
    from player.timeutil import utcnow

    status = SyncStatus(
        profile_id="p",
        server_url="https://learn.example.org",
        last_success_at=None,
        last_attempt_at=utcnow(),
        last_error="The course server cannot be reached.",
        pending=1,
        rejected=0,
        sent=0,
        pending_items=[
            ItemView(
                1, "progress", "Lesson 0 of “c” completed", "pending", utcnow(), 2, utcnow(), "busy"
            )
        ],
    )
    dialog = SyncDetailsDialog(status)
    qtbot.addWidget(dialog)
    [item] = tree_items(dialog.waiting_tree)
    assert (item.text(0), item.text(1), item.text(2)) == ("Lesson 0 of “c” completed", "2", "busy")
    assert "never" in dialog.summary.text() and "cannot be reached" in dialog.summary.text()


# --- buy -------------------------------------------------------------------------------------


def test_the_buy_flow_confirms_the_price_buys_and_downloads(
    qtbot: QtBot,
    contract_server: ContractServer,
    store: Store,
    tokens: TokenStore,
    boxes: Boxes,
    thread_pool: QThreadPool,
) -> None:
    profile = signed_in_profile(contract_server, store, tokens)
    controller = SyncController(store, tokens=tokens, pool=ImmediatePool(), policy=NO_WAIT)
    controller.set_profile(profile)
    controller.sync_now()  # the store (products) is known locally now
    flow = BuyFlow(store, lambda: controller.profile, tokens=tokens, pool=thread_pool)

    boxes.answer = QMessageBox.StandardButton.Cancel
    flow.buy(PAID)  # the offer is read on a pool thread, then the question is asked
    qtbot.waitUntil(lambda: bool(boxes.questions) and not flow.busy, timeout=WAIT)
    assert contract_server.purchases(contract_server.user_id("ana")) == []
    assert "49.00 EUR" in boxes.questions[0] and "Git Basics" in boxes.questions[0]

    boxes.answer = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(flow.bought, timeout=WAIT) as bought:
        assert flow.buy(PAID)
    assert bought.args == [PAID]
    assert flow.last_result is not None and flow.last_result.downloaded
    assert len(contract_server.purchases(contract_server.user_id("ana"))) == 1
    assert not boxes.warnings


def test_buying_in_the_window_always_needs_the_password(
    qtbot: QtBot, contract_server: ContractServer, store: Store, tokens: TokenStore, boxes: Boxes
) -> None:
    profile = signed_in_profile(contract_server, store, tokens)
    learner_lock.set_ask(store, profile, "pw-ana", ask=False)  # "don't ask" is for switching only
    controller = SyncController(store, tokens=tokens, pool=ImmediatePool(), policy=NO_WAIT)
    controller.set_profile(profile)
    controller.sync_now()
    flow = BuyFlow(store, lambda: controller.profile, tokens=tokens, pool=ImmediatePool())
    ana = contract_server.user_id("ana")

    boxes.password = None  # Cancel at the password: nothing bought
    assert not flow.buy(PAID)
    assert "password" in boxes.password_prompts[-1]
    assert contract_server.purchases(ana) == []

    boxes.password = "not-hers"
    flow.buy(PAID)
    qtbot.waitUntil(lambda: bool(boxes.warnings) and not flow.busy, timeout=WAIT)
    assert boxes.warnings[-1] == "The user name or password is not right."
    assert contract_server.purchases(ana) == []

    boxes.password = "pw-ana"
    with qtbot.waitSignal(flow.bought, timeout=WAIT):
        assert flow.buy(PAID)
    assert len(contract_server.purchases(ana)) == 1


def test_the_buy_flow_refuses_courses_not_for_sale_and_shows_failures(
    qtbot: QtBot, contract_server: ContractServer, store: Store, tokens: TokenStore, boxes: Boxes
) -> None:
    profile = signed_in_profile(contract_server, store, tokens)
    controller = SyncController(store, tokens=tokens, pool=ImmediatePool(), policy=NO_WAIT)
    controller.set_profile(profile)
    controller.sync_now()
    flow = BuyFlow(store, lambda: controller.profile, tokens=tokens, pool=ImmediatePool())

    assert not flow.buy(FREE)
    assert "not for sale" in boxes.warnings[-1]

    contract_server.faults.cut_body_next(1, path_prefix="/api/store/purchase")
    assert flow.buy(PAID)
    assert "not charged twice" in boxes.warnings[-1]
    with qtbot.waitSignal(flow.bought, timeout=WAIT):
        flow.buy(PAID)
    assert len(contract_server.purchases(contract_server.user_id("ana"))) == 1


def test_automatic_syncs_are_spread_out_at_random(store: Store, qtbot: QtBot) -> None:
    """Thirty lab machines started together must not sync in the same second every time."""
    intervals = []
    for seed in range(5):
        controller = SyncController(
            store, pool=ImmediatePool(), interval_minutes=10, rng=random.Random(seed)
        )
        intervals.append(controller.timer.interval())
        controller.timer.timeout.emit()  # no learner: nothing runs, the next wait is drawn anew
        intervals.append(controller.timer.interval())
    assert all(0.85 * 600_000 <= i <= 1.15 * 600_000 for i in intervals)
    assert len(set(intervals)) == len(intervals)  # before: 600,000 ms on every machine, always
