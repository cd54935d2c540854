"""The command line with a lab policy: Context wiring, ``policy hash-pin``, ``policy check``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from player import config
from player.cli import build_parser, main
from player.cli.context import Context
from player.policy import LabPolicy, parse_policy, verify_pin
from player.settings import Settings
from tests.policy.conftest import EXAMPLE


def open_context(*argv: str) -> Context:
    return Context.open(build_parser().parse_args(list(argv)))


def test_no_policy_and_no_kiosk_by_default(tmp_path: Path) -> None:
    ctx = open_context("--data-dir", str(tmp_path / "data"), "list")
    try:
        assert ctx.policy is None
        assert ctx.kiosk is False
        assert ctx.settings == Settings()
    finally:
        ctx.store.close()


def test_kiosk_flag_without_a_policy(tmp_path: Path) -> None:
    ctx = open_context("--data-dir", str(tmp_path / "data"), "--kiosk", "list")
    try:
        assert ctx.kiosk is True
        assert ctx.policy is None
    finally:
        ctx.store.close()


def test_config_file_sets_policy_kiosk_and_settings(tmp_path: Path) -> None:
    Settings(theme="dark", server_url="https://home.example.org").save()

    ctx = open_context("--data-dir", str(tmp_path / "data"), "--config", str(EXAMPLE), "list")
    try:
        assert isinstance(ctx.policy, LabPolicy)
        assert ctx.policy.tenant_id == "t-north"
        assert ctx.kiosk is True  # from kiosk.enabled
        assert ctx.settings.server_url == "https://learn.example.org"
        assert ctx.settings.theme == "dark"
        assert "server_url" in ctx.settings.locked
    finally:
        ctx.store.close()


def test_the_site_file_is_used_without_config(tmp_path: Path) -> None:
    site = config.site_policy_path()
    site.parent.mkdir(parents=True)
    site.write_text('[server]\nurl = "https://site.example.org"\n', encoding="utf-8")

    ctx = open_context("--data-dir", str(tmp_path / "data"), "list")
    try:
        assert ctx.policy is not None and ctx.policy.source == site
        assert ctx.settings.server_url == "https://site.example.org"
        assert ctx.kiosk is False
    finally:
        ctx.store.close()


def test_a_malformed_policy_stops_every_command_with_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_text("[kiosk]\nenabled = true\nidle_timeout_minutes = -1\n", encoding="utf-8")

    status = main(["--data-dir", str(tmp_path / "data"), "--config", str(bad), "list"])

    err = capsys.readouterr().err
    assert status == 1
    assert f"Lab provisioning file {bad}, line 3, key “kiosk.idle_timeout_minutes”" in err
    assert not (tmp_path / "data").exists()  # stopped before touching the store


def test_policy_check_prints_what_the_file_sets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--data-dir", str(tmp_path), "--config", str(EXAMPLE), "policy", "check"])

    out = capsys.readouterr().out
    rows = dict(line.split("\t") for line in out.splitlines())
    assert status == 0
    assert rows["server.url"] == "https://learn.example.org"
    assert rows["kiosk.enabled"] == "true"
    assert rows["kiosk.pin_hash"] == "set"
    assert rows["ui.text_sizes"] == "100%, 125%, 150%, 200%"


def test_policy_check_without_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path), "policy", "check"]) == 0
    assert "No lab provisioning file" in capsys.readouterr().out


def test_hash_pin_prints_a_line_to_paste_that_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A broken site policy must not stop a technician from hashing the PIN for the fix.
    site = config.site_policy_path()
    site.parent.mkdir(parents=True)
    site.write_text("[kiosk\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("4711\n"))

    status = main(["--data-dir", str(tmp_path), "policy", "hash-pin", "--stdin"])

    line = capsys.readouterr().out.strip()
    assert status == 0
    assert line.startswith('pin_hash = "pbkdf2_sha256$600000$')
    policy = parse_policy(f"[kiosk]\nenabled = true\n{line}\n", Path("pasted.toml"))
    assert verify_pin(policy, "4711")
    assert "4711" not in line


def test_hash_pin_refuses_a_short_pin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["--data-dir", str(tmp_path), "policy", "hash-pin", "--stdin"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "at least 4 characters" in captured.err


def test_hash_pin_prompts_twice_and_refuses_two_different_pins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["2468", "2469"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["--data-dir", str(tmp_path), "policy", "hash-pin"]) == 1
    assert "differ" in capsys.readouterr().err


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"course-player {config.app_version()}"


def test_the_policy_language_translates_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    status = main(["--data-dir", data, "--config", str(EXAMPLE), "lesson", "no-such-course", "0"])

    assert status == 1
    assert "Auf diesem Computer gibt es keinen Kurs „no-such-course“" in capsys.readouterr().err
