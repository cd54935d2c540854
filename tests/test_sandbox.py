"""Every test runs in a sandboxed home (``sandbox`` in tests/conftest.py): this machine's own
settings, lab policy, data and keyring are never read, in the test process or in the processes it
starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.backends.fail

from player import config
from player.policy import load_policy
from player.settings import Settings
from tests.conftest import REPO

#: What a machine's own files say: nothing a test may see.
MACHINE_SETTINGS = {"text_zoom": 150, "language": "de", "server_url": "https://machine.example"}
MACHINE_POLICY = '[server]\nurl = "https://lab.example"\n[ui]\nlanguage = "de"\n'

#: Prints what the player sees: settings, policy, the folders it would use, the keyring.
PROBE = """
import json, keyring
from player import config
from player.policy import load_policy
from player.settings import Settings
settings = Settings.load()
policy = load_policy(None)
print(json.dumps({
    "text_zoom": settings.text_zoom, "language": settings.language,
    "policy": policy is not None,
    "paths": [str(p) for p in (config.user_config_dir(), config.site_policy_path(),
                               config.data_dir(), config.log_dir())],
    "keyring": type(keyring.get_keyring()).__module__,
}))
"""


def machine(tmp_path: Path) -> dict[str, str]:
    """A stand-in for a real machine: its home holds a settings.json, /etc/xdg a lab policy."""
    home = tmp_path / "machine-home"
    user_config = home / ".config" / "course-player"
    user_config.mkdir(parents=True)
    (user_config / "settings.json").write_text(json.dumps(MACHINE_SETTINGS), encoding="utf-8")
    site = tmp_path / "machine-etc-xdg"
    (site / "course-player").mkdir(parents=True)
    (site / "course-player" / "policy.toml").write_text(MACHINE_POLICY, encoding="utf-8")
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CONFIG_DIRS": str(site),
        "COURSE_PLAYER_CONFIG_DIR": str(user_config),
        "COURSE_PLAYER_DATA_DIR": str(home / "data"),
        "LANG": "de_DE.UTF-8",
    }


def probe(env: dict[str, str]) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_every_folder_of_the_player_is_inside_the_sandbox(sandbox: Path) -> None:
    for path in (
        config.user_config_dir(),
        config.site_policy_path(),
        config.data_dir(),
        config.log_dir(),
        Path.home(),
    ):
        assert path.is_relative_to(sandbox), path
    assert Settings.load() == Settings()
    assert load_policy(None) is None
    assert isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring)


def test_a_machine_settings_and_policy_are_not_read(sandbox: Path, tmp_path: Path) -> None:
    # Without the sandbox, a process started with the machine's environment reads its files:
    # this is what the sandbox has to prevent (and shows the probe can tell).
    env = {**os.environ, **machine(tmp_path)}
    del env["PYTHON_KEYRING_BACKEND"]
    outside = probe(env)
    assert outside["text_zoom"] == 150 and outside["language"] == "de"
    assert outside["policy"] is True
    # The test process itself, and a process it starts, see the sandbox only.
    assert Settings.load().text_zoom == Settings().text_zoom
    assert load_policy(None) is None
    inside = probe(dict(os.environ))
    assert inside["text_zoom"] == Settings().text_zoom and inside["language"] == ""
    assert inside["policy"] is False
    paths = inside["paths"]
    assert isinstance(paths, list) and len(paths) == 4
    assert all(Path(p).is_relative_to(sandbox) for p in paths), paths
    assert inside["keyring"] == "keyring.backends.fail"


def test_a_pytest_run_on_a_machine_with_its_own_files_does_not_read_them(tmp_path: Path) -> None:
    """The whole chain: pytest started on a machine whose settings and policy would change what
    the player does; the sandbox test above still sees defaults only."""
    env = {**os.environ, **machine(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_sandbox.py::test_every_folder_of_the_player_is_inside_the_sandbox",
        ],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    # ... and nothing was written next to the machine's files.
    home = Path(env["HOME"])
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == [
        ".config",
        ".config/course-player",
        ".config/course-player/settings.json",
    ]
