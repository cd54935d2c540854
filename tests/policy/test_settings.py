"""The typed settings object: defaults, load and atomic save, the lab policy winning."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from player.policy import KioskPolicy, LabPolicy
from player.settings import TEXT_ZOOMS, Settings, settings_path, system_language


def test_defaults_are_declared() -> None:
    settings = Settings()
    assert (
        settings.server_url,
        settings.sync_interval_minutes,
        settings.text_zoom,
        settings.theme,
        settings.language,
    ) == ("", 10, 100, "system", "")
    assert settings.locked == frozenset()
    assert settings.text_zoom_choices == TEXT_ZOOMS


def test_no_file_gives_the_defaults() -> None:
    assert not settings_path().exists()
    assert Settings.load() == Settings()


def test_save_then_load_round_trips_in_the_user_config_dir(tmp_path: Path) -> None:
    settings = Settings(
        server_url="https://learn.example.org",
        sync_interval_minutes=30,
        text_zoom=150,
        theme="dark",
        language="de",
    )
    settings.save()

    path = settings_path()
    assert path.parent == tmp_path / "user-config"
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "language": "de",
        "server_url": "https://learn.example.org",
        "sync_interval_minutes": 30,
        "text_zoom": 150,
        "theme": "dark",
    }
    assert Settings.load() == settings
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp file left


def test_save_replaces_the_old_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    Settings(theme="dark").save(path)
    Settings(theme="light").save(path)
    assert Settings.load(path).theme == "light"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "", "\xff\xfe"])
def test_an_unreadable_file_gives_the_defaults(content: str, tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content.encode("latin-1"))
    assert Settings.load(path) == Settings()


def test_a_bad_value_falls_back_to_its_default_only(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "theme": "purple",
                "text_zoom": 125,
                "sync_interval_minutes": -3,
                "server_url": "ftp://x",
                "language": "de",
                "from_a_newer_version": True,
            }
        ),
        encoding="utf-8",
    )
    settings = Settings.load(path)
    assert settings == Settings(text_zoom=125, language="de")


def test_without_a_policy_the_settings_are_in_force_as_they_are() -> None:
    settings = Settings(theme="dark")
    assert settings.with_policy(None) is settings


def test_the_policy_wins_and_locks_what_it_sets() -> None:
    mine = Settings(
        server_url="https://home.example.org",
        sync_interval_minutes=60,
        text_zoom=300,
        theme="dark",
        language="en",
    )
    policy = LabPolicy(
        source=Path("policy.toml"),
        server_url="https://learn.example.org",
        tenant_id="t-north",
        sync_interval_minutes=15,
        kiosk=KioskPolicy(enabled=True),
        text_sizes=(100, 125, 150, 200),
        language="de",
    )

    in_force = mine.with_policy(policy)

    assert in_force.server_url == "https://learn.example.org"
    assert in_force.sync_interval_minutes == 15
    assert in_force.language == "de"
    assert in_force.theme == "dark"  # not the policy's business
    assert in_force.text_zoom_choices == (100, 125, 150, 200)
    assert in_force.text_zoom == 200  # snapped to the nearest allowed size
    assert in_force.locked == {"server_url", "sync_interval_minutes", "language"}
    assert in_force.with_policy(policy) == in_force


def test_a_policy_that_sets_nothing_changes_nothing() -> None:
    mine = Settings(text_zoom=125, language="de")  # 125 is not a step of 10: kept as it is
    assert mine.with_policy(LabPolicy(source=Path("p.toml"))) == mine


def test_saving_settings_in_force_keeps_the_persons_own_locked_values(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    Settings(server_url="https://home.example.org", language="en").save(path)
    policy = LabPolicy(source=Path("p.toml"), server_url="https://learn.example.org", language="de")

    in_force = Settings.load(path).with_policy(policy)
    changed = dataclasses.replace(in_force, theme="dark", server_url="https://elsewhere.org")
    changed.save(path)

    stored = Settings.load(path)
    assert stored.server_url == "https://home.example.org"  # the policy never overwrote it
    assert stored.language == "en"
    assert stored.theme == "dark"  # the person's own change is kept
    assert stored.with_policy(policy).server_url == "https://learn.example.org"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de_DE"),
        ({"LANGUAGE": "de:en", "LANG": "en_US.UTF-8"}, "de"),
        ({"LC_ALL": "C"}, ""),
        ({}, ""),
    ],
)
def test_system_language_reads_the_environment_like_gettext(
    env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    assert system_language() == expected
    assert Settings(language="de").effective_language() == "de"
    assert Settings().effective_language() == expected
