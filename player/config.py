"""Where things live: the data directory, logs, bundled resources."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

import platformdirs

from player.safe_text import printable

APP_NAME = "course-player"
APP_AUTHOR = "CoursePlayer"
APP_ID = "org.courseplayer.CoursePlayer"
DATA_DIR_ENV = "COURSE_PLAYER_DATA_DIR"
CONFIG_DIR_ENV = "COURSE_PLAYER_CONFIG_DIR"
POLICY_FILE_NAME = "policy.toml"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir``, else ``$COURSE_PLAYER_DATA_DIR``, else the platform's user data directory."""
    if override:
        return Path(override).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def user_config_dir() -> Path:
    """``$COURSE_PLAYER_CONFIG_DIR``, else the platform's user config directory (settings.json)."""
    from_env = os.environ.get(CONFIG_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))


def site_policy_path() -> Path:
    """The machine-wide lab provisioning file (e.g. /etc/xdg/course-player/policy.toml)."""
    return Path(platformdirs.site_config_dir(APP_NAME, APP_AUTHOR)) / POLICY_FILE_NAME


def app_version() -> str:
    """The installed version (from the package metadata, which the bundle carries too)."""
    from importlib import metadata

    try:
        return metadata.version(APP_NAME)
    except metadata.PackageNotFoundError:
        return "unknown"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def resources_dir() -> Path:
    """The bundled resources: beside the package in a checkout, inside the bundle when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


class SafeFormatter(logging.Formatter):
    """Formats like ``logging.Formatter``, then shows control characters as escapes: a course
    title or a server's text in a log line can never act on the terminal that shows the log
    (``tail -f``) or forge a log line with a newline of its own. Only a traceback keeps its
    line breaks."""

    def format(self, record: logging.LogRecord) -> str:
        msg, args = record.msg, record.args
        try:
            record.msg = printable(record.getMessage(), keep_newlines=False)
            record.args = None
            return printable(super().format(record))
        finally:
            record.msg, record.args = msg, args


def setup_logging(verbose: bool = False) -> None:
    """Log to a rotating file in the platform log directory (and stderr when verbose)."""
    root = logging.getLogger()
    if root.handlers:
        return
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        directory = log_dir()
        directory.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            directory / "course-player.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(fmt)
    root.addHandler(handler)
    if verbose:
        stream = logging.StreamHandler()
        stream.setFormatter(fmt)
        root.addHandler(stream)
