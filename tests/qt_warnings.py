"""A Qt warning is a failure, wherever it happens.

pytest-qt fails a test whose setup or call logs a Qt warning (``qt_log_level_fail = "WARNING"``
in pyproject.toml). It does not listen during a test's teardown or between tests, where a Qt
object freed late (by the collector, on the wrong thread: "QObject::killTimer: Timers cannot be
stopped from another thread") says so. This plugin listens there: such a warning fails the
teardown of the test it follows, and one after the last test fails the run. The
``qt_log_ignore`` patterns of pyproject.toml apply here too.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Generator
from typing import Any

import pytest
from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

FAILING = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)

_ignored: list[re.Pattern[str]] = []
_stray: list[str] = []


def _record(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    if kind in FAILING and not any(pattern.search(message) for pattern in _ignored):
        _stray.append(f"{kind.name}: {message}")
    print(f"{kind.name}: {message}", file=sys.stderr)


def _take() -> list[str]:
    messages = list(_stray)
    _stray.clear()
    return messages


def pytest_configure(config: pytest.Config) -> None:
    _ignored[:] = [re.compile(pattern) for pattern in config.getini("qt_log_ignore")]
    qInstallMessageHandler(_record)  # pytest-qt puts its own in place during each test


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[Any]:
    result = yield
    messages = _take()
    if messages:
        pytest.fail(
            "Qt warnings outside the test's own call:\n" + "\n".join(messages), pytrace=False
        )
    return result


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    messages = _take()
    if messages:
        print("\nQt warnings after the last test:\n" + "\n".join(messages), file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
