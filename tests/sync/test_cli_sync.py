"""``course-player signin / sync / buy / status`` in-process, against a real server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from player.cli import main
from player.cli.sync import EXIT_WAITING, PASSWORD_ENV
from player.services import profiles, progress
from player.store.db import Store
from player.sync.tokens import default_tokens
from tests.server.app import ContractServer
from tests.server.seeding import fixtures_dir
from tests.sync.conftest import MemoryKeyring
from tests.sync.test_engine import FREE, PAID

Run = tuple[int, str, str]


class Cli:
    """``cli("sync", ...)`` runs ``course-player --data-dir DATA sync ...`` in-process."""

    def __init__(self, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data = data
        self._capsys = capsys

    def __call__(self, *argv: str) -> Run:
        default_tokens.clear_memory()  # each call is like a new process: only keyring remains
        code = main(["--data-dir", str(self.data), *argv])
        out, err = self._capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> Cli:
    monkeypatch.setenv(PASSWORD_ENV, "pw-ana")
    return Cli(tmp_path / "cli-data", capsys)


def table(out: str) -> dict[str, list[str]]:
    return {line.split("\t")[0]: line.split("\t")[1:] for line in out.splitlines() if "\t" in line}


def test_first_sync_signs_in_and_later_runs_reuse_the_token(
    contract_server: ContractServer, cli: Cli, memory_keyring: MemoryKeyring
) -> None:
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    run = cli

    code, out, err = run("sync", "--server", contract_server.url, "--user", "ana")
    assert code == 0, err
    assert table(out)["courses"][0] == "downloaded 1"
    assert len(memory_keyring.passwords) == 1

    contract_server.reset_requests()
    code, out, err = run("sync")
    assert code == 0, err
    assert table(out)["requests"] == ["5"]  # catalog, entitlements, products, progress, notes
    assert [r.path for r in contract_server.requests if r.path.startswith("/api/auth")] == []

    code, out, _ = run("status")
    status = table(out)
    assert status["online"] == ["yes"] and status["waiting"] == ["0"]
    assert status["last sync"] != ["never"]


def test_signin_buy_and_status_with_waiting_and_refused_items(
    contract_server: ContractServer, cli: Cli
) -> None:
    run = cli
    code, out, err = run("signin", "--server", contract_server.url, "--user", "ana")
    assert code == 0 and out.startswith("signed in"), err

    code, out, err = run("buy", PAID)
    assert code == 0, err
    assert "bought\tgit-basics\tprod-git" in out and f"downloaded\t{PAID}" in out
    assert len(contract_server.purchases(contract_server.user_id("ana"))) == 1

    store = Store(run.data)
    profile = profiles.last_used(store)
    progress.set_lesson_completed(store, profile, PAID, 0)
    code, out, _ = run("status", "--no-check")
    status = table(out)
    assert int(status["waiting"][0]) >= 2  # enrollment, audit, progress
    assert "online" not in status
    assert any("Lesson 0 of “git-basics” completed" in line for line in out.splitlines())

    code, out, err = run("sync", "--max-wait", "0")
    assert code == 0, err
    assert table(out)["events"][0] == f"sent {status['waiting'][0]}"
    code, out, _ = run("status", "--no-check")
    assert table(out)["waiting"] == ["0"]
    store.close()


def test_a_rejection_is_reported_and_exits_zero(contract_server: ContractServer, cli: Cli) -> None:
    run = cli
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    assert run("sync", "--server", contract_server.url, "--user", "ana")[0] == 0
    store = Store(run.data)
    progress.set_lesson_completed(store, profiles.last_used(store), FREE, 1)
    with contract_server.db.transaction() as conn:
        conn.execute("DELETE FROM enrollments")

    code, out, err = run("sync")

    assert code == 0, err
    assert "refused\tprogress" in out and "Enroll in this course" in out
    code, out, _ = run("status", "--no-check")
    assert table(out)["rejected"] == ["1"]
    assert "Enroll in this course" in out
    store.close()


def test_still_waiting_exits_non_zero_with_a_clear_message(
    contract_server: ContractServer, cli: Cli
) -> None:
    run = cli
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    assert run("sync", "--server", contract_server.url, "--user", "ana")[0] == 0
    store = Store(run.data)
    progress.set_lesson_completed(store, profiles.last_used(store), FREE, 1)
    contract_server.faults.fail_next(50, 503, retry_after=60)

    code, out, err = run("sync", "--max-wait", "5")

    assert code == EXIT_WAITING
    assert "waiting" in err and "Run sync again later" in err
    assert table(out)["events"][2] == "waiting 1"
    store.close()


def test_a_password_is_never_a_flag_and_is_required(
    contract_server: ContractServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli
    with pytest.raises(SystemExit):
        run("sync", "--server", contract_server.url, "--user", "ana", "--password", "pw-ana")
    monkeypatch.delenv(PASSWORD_ENV)
    code, _out, err = run("sync", "--server", contract_server.url, "--user", "ana")
    assert code == 1 and PASSWORD_ENV in err


def test_sync_without_a_sign_in_explains_how(cli: Cli) -> None:
    run = cli
    code, _out, err = run("sync")
    assert code == 1 and "--server" in err


# --- hostile or slow servers (issue #10) ------------------------------------------------------


def test_max_wait_bounds_a_server_that_drips_its_answers(
    contract_server: ContractServer, cli: Cli
) -> None:
    run = cli
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    assert run("sync", "--server", contract_server.url, "--user", "ana")[0] == 0
    # Every catalog answer trickles in (minutes for a few hundred bytes), never timing out.
    contract_server.faults.drip_next(
        100, interval=0.2, chunk=1, path_prefix="/api/learn/courses", method="GET"
    )

    code, _out, err = run("sync", "--max-wait", "2")

    assert code == EXIT_WAITING
    assert "time limit" in err and "Run sync again later" in err
    contract_server.faults.clear()
    assert run("sync")[0] == 0


def test_titles_and_server_messages_never_reach_the_terminal_raw(
    contract_server: ContractServer, cli: Cli
) -> None:
    run = cli
    data = json.loads((fixtures_dir() / "multilingual.json").read_bytes())
    data["courseId"] = "evil-title"
    data["title"] = "\x1b]0;owned\x07Evil\x1b[2J\rcourse"
    contract_server.publish(json.dumps(data).encode(), "t-north")
    contract_server.add_enrollment(contract_server.user_id("ana"), "evil-title")
    assert run("sync", "--server", contract_server.url, "--user", "ana")[0] == 0
    store = Store(run.data)
    progress.set_lesson_completed(store, profiles.last_used(store), "evil-title", 0)
    store.close()
    contract_server.faults.fail_next(
        2, 400, path_prefix="/api/learn/progress", method="POST", message="\x1b[2JNo\x1b[0m"
    )

    outputs = [run("sync"), run("list"), run("status", "--no-check")]

    for _code, out, err in outputs:
        for text in (out, err):
            assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    listing = outputs[1][1]
    assert "\\x1b]0;owned\\x07Evil" in listing  # shown, readable, inert
    assert "No" in outputs[0][1] and "refused\tprogress" in outputs[0][1]


def test_sign_in_over_plain_http_to_another_computer_warns_first(cli: Cli) -> None:
    code, _out, err = cli("signin", "--server", "http://learn.invalid", "--user", "ana")
    assert code == EXIT_WAITING  # no such server: try later
    assert "not encrypted" in err and err.index("not encrypted") < err.index("cannot be reached")


def test_a_server_address_with_credentials_is_refused_and_nothing_is_stored(
    contract_server: ContractServer, cli: Cli
) -> None:
    url = contract_server.url.replace("http://", "http://ana:pw-ana@")
    code, out, err = cli("sync", "--server", url, "--user", "ana")
    assert code == 1 and "must not contain a user name or password" in err
    assert "pw-ana" not in out + err
    assert contract_server.requests == []
    code, out, _err = cli("profiles")
    assert "ana" not in out
