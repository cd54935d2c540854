"""Keep the player away from this machine's real settings, site policy and language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from player import config, i18n

EXAMPLE = config.resources_dir() / "examples" / "policy.toml"
EXAMPLE_PIN = "2468"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(config.CONFIG_DIR_ENV, str(tmp_path / "user-config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "site-config"))
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    i18n.install(None, config.resources_dir() / "locale")
