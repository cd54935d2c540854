"""Fault injection helpers: the command line in a subprocess under a memory limit, killed at a
random moment, or writing to a small full file system."""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

MEMORY_LIMIT = 512 * 1024 * 1024
"""Address space of a command run by ``run_cli``: far more than any bounded import needs."""

HANG_GUARD = 120
"""Seconds after which a command that should have answered at once counts as hung."""


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def cli_command(data_dir: Path, *argv: str) -> list[str]:
    return [sys.executable, "-m", "player", "--data-dir", str(data_dir), *argv]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(REPO)
    return env


def run_cli(
    data_dir: Path, *argv: str, memory: int = MEMORY_LIMIT
) -> subprocess.CompletedProcess[str]:
    """``course-player --data-dir DATA ARGV…`` in a subprocess with at most ``memory`` bytes of
    address space; a command still running after ``HANG_GUARD`` seconds fails the test."""
    return subprocess.run(
        cli_command(data_dir, *argv),
        capture_output=True,
        text=True,
        env=cli_env(),
        cwd=REPO,
        timeout=HANG_GUARD,
        preexec_fn=lambda: _limit_memory(memory),
        check=False,
    )


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str = "1m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``where`` (as root); raises ``OSError`` where it cannot."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        raise PermissionError(errno.EPERM, "mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        raise OSError(errno.EPERM, f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def fill(folder: Path, leave: int = 0) -> None:
    """Fill the file system of ``folder`` until at most ``leave`` bytes are free."""
    path = folder / "filler"
    with path.open("ab") as out:
        chunk = b"\0" * 65536
        while True:
            free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
            if free <= leave:
                return
            try:
                out.write(chunk[: max(1, min(len(chunk), free - leave))])
                out.flush()
            except OSError as error:
                if error.errno == errno.ENOSPC:
                    return
                raise
