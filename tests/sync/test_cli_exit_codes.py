"""Exit statuses that come from a server (docs/cli.md), and the lab policy's server and tenant,
through the real ``course-player`` against the contract server."""

from __future__ import annotations

from pathlib import Path

import pytest

from player.cli import exit_codes
from player.services import profiles
from player.store.db import Store
from tests.server.app import ContractServer
from tests.sync.test_cli_sync import Cli, table
from tests.sync.test_engine import FREE, PAID

pytest_plugins = ["tests.sync.test_cli_sync"]


def test_75_when_the_server_cannot_be_reached(contract_server: ContractServer, cli: Cli) -> None:
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    assert cli("sync", "--server", contract_server.url, "--user", "ana")[0] == 0
    contract_server.stop()
    code, _out, err = cli("sync", "--max-wait", "0")
    assert code == exit_codes.TEMPORARY == 75 and "again later" in err
    code, out, err = cli("buy", PAID)
    assert code == 75 and out == "" and "course-player:" in err


def test_4_when_the_server_asks_to_wait(contract_server: ContractServer, cli: Cli) -> None:
    assert cli("signin", "--server", contract_server.url, "--user", "ana")[0] == 0
    contract_server.faults.fail_next(1, 429, retry_after=30, path_prefix="/api/store/purchase")
    code, out, err = cli("buy", PAID)
    assert code == exit_codes.RATE_LIMITED and out == ""
    assert "course-player: retry after 30 s" in err.splitlines()
    assert contract_server.purchases(contract_server.user_id("ana")) == []


def write_policy(tmp_path: Path, server: ContractServer, tenant: str = "t-north") -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(f'[server]\nurl = "{server.url}"\ntenant = "{tenant}"\n', encoding="utf-8")
    return path


def test_the_lab_policy_names_the_server_and_the_tenant(
    contract_server: ContractServer, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = str(write_policy(tmp_path, contract_server))
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)

    code, out, err = cli("--config", policy, "sync", "--user", "ana", "--max-wait", "0")
    assert code == 0, err
    assert table(out)["courses"][0] == "downloaded 1"

    # Another server than the policy's: a usage error, nothing contacted.
    code, _out, err = cli(
        "--config", policy, "signin", "--server", "http://127.0.0.1:9", "--user", "ana"
    )
    assert code == exit_codes.USAGE and contract_server.url in err

    # A learner of another tenant is refused and leaves no trace on this machine.
    store = Store(cli.data)
    before = [p.id for p in profiles.list_profiles(store)]
    monkeypatch.setenv("COURSE_PLAYER_PASSWORD", "pw-chen")
    code, out, err = cli("--config", policy, "signin", "--user", "chen")
    assert code == exit_codes.REFUSED and out == "" and "t-north" in err
    assert [p.id for p in profiles.list_profiles(store)] == before
    store.close()

    # Without a policy, a server must be given.
    code, _out, err = cli("signin", "--user", "ana")
    assert code == exit_codes.USAGE and "--server" in err


def test_buying_on_the_command_line_needs_the_password(
    contract_server: ContractServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Break 4: ``course-player buy`` reads COURSE_PLAYER_PASSWORD (or prompts in a terminal);
    without it, or with a wrong one, nothing is bought and the status is 3."""
    assert cli("signin", "--server", contract_server.url, "--user", "ana")[0] == 0
    ana = contract_server.user_id("ana")

    monkeypatch.delenv("COURSE_PLAYER_PASSWORD")
    code, out, err = cli("buy", PAID)  # no terminal here: nothing to prompt with
    assert code == exit_codes.REFUSED and out == "" and "password" in err
    monkeypatch.setenv("COURSE_PLAYER_PASSWORD", "not-hers")
    code, out, err = cli("buy", PAID)
    assert code == exit_codes.REFUSED and out == "" and "password is not right" in err
    assert contract_server.purchases(ana) == []

    # Other commands act as the owner of the account and stay unlocked.
    monkeypatch.delenv("COURSE_PLAYER_PASSWORD")
    assert cli("sync", "--max-wait", "0")[0] == 0

    monkeypatch.setenv("COURSE_PLAYER_PASSWORD", "pw-ana")
    code, out, err = cli("buy", PAID)
    assert code == 0, err
    assert len(contract_server.purchases(ana)) == 1
