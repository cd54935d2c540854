"""``course-player signin / sync / buy / status`` in-process, against a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from player.cli import main
from player.cli.sync import EXIT_WAITING, PASSWORD_ENV
from player.services import profiles, progress
from player.store.db import Store
from player.sync.tokens import default_tokens
from tests.server.app import ContractServer
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
