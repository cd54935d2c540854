"""The ``course-player`` command line: a second client of the same services as the window.

Every sub-command lives in a module of this package that exposes ``register(subparsers)``; each
registered command sets ``func(ctx, args) -> int``. Errors go to stderr with the exit status of
``player.cli.exit_codes`` (the only place an error becomes a status; docs/cli.md lists them).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from player import config
from player.cli import exit_codes
from player.cli.output import safe_output
from player.errors import Cancelled, PlayerError

if TYPE_CHECKING:
    from player.store.db import Store

log = logging.getLogger(__name__)

EXIT_ERROR = exit_codes.ERROR
EXIT_USAGE = exit_codes.USAGE


#: Which module of this package registers each sub-command. ``build_parser`` imports only the
#: module of the command being run, so ``course-player list`` never loads sync, export, httpx or
#: reportlab (``tests/cli/test_cli_imports.py`` checks this table against the modules).
COMMANDS: dict[str, str] = {
    "import": "learn",
    "bundle": "learn",
    "list": "learn",
    "lesson": "learn",
    "enroll": "learn",
    "progress": "learn",
    "complete": "learn",
    "profiles": "learn",
    "search": "search",
    "note": "notes",
    "bookmark": "notes",
    "notes": "notes",
    "storage": "storage",
    "remove": "storage",
    "signin": "sync",
    "signout": "sync",
    "sync": "sync",
    "buy": "sync",
    "status": "sync",
    "export": "export",
    "policy": "policy",
    "keys": "keys",
}
MODULES = ("learn", "search", "notes", "storage", "sync", "export", "policy", "keys")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: with every sub-command when ``argv`` is None or names no known
    command (help, a typo); with none when it names no command at all (the window); else with
    the one module that registers the command named."""
    parser = argparse.ArgumentParser(
        prog="course-player",
        description="Offline-first course player. With no command, opens the window.",
    )
    _add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in MODULES if argv is None else _modules_for(argv):
        importlib.import_module(f"player.cli.{name}").register(sub)
    return parser


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        help=f"where the store lives (default: ${config.DATA_DIR_ENV} or the user data directory)",
    )
    parser.add_argument(
        "--profile",
        help="act as this learner (default: the last learner on this machine, else the guest)",
    )
    parser.add_argument("--config", help="a lab provisioning file (TOML)")
    parser.add_argument("--kiosk", action="store_true", help="start the window in kiosk mode")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr too")
    parser.add_argument("--version", action="version", version=f"%(prog)s {config.app_version()}")


class _Unparsable(Exception):
    pass


class _QuietParser(argparse.ArgumentParser):
    """Looks ahead for the command; its mistakes are left for the real parser to report."""

    def error(self, message: str) -> NoReturn:
        raise _Unparsable(message)


def _modules_for(argv: Sequence[str]) -> tuple[str, ...]:
    """The modules whose commands ``argv`` needs: none for the window (no command), the one
    that registers the command named, or all of them (``--help``, a typo: argparse lists them)."""
    pre = _QuietParser(add_help=False)
    for option in ("--data-dir", "--profile", "--config"):
        pre.add_argument(option)
    pre.add_argument("--kiosk", action="store_true")
    pre.add_argument("-v", "--verbose", action="store_true")
    try:
        _, rest = pre.parse_known_args(list(argv))
    except _Unparsable:  # a global option without its value: the full parser says so
        return MODULES
    if not rest:
        return ()
    if rest[0] in COMMANDS:
        return (COMMANDS[rest[0]],)
    return MODULES


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status is one of ``player.cli.exit_codes`` (docs/cli.md)."""
    with safe_output():
        try:
            code = _run(argv)
            sys.stdout.flush()  # a reader that went away is noticed here, not at exit
        except BrokenPipeError:
            return _reader_gone()
        return code


def _run(argv: Sequence[str] | None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    config.setup_logging(args.verbose)
    try:
        if args.command is None:
            return _window(args)
        from player.cli.context import Context

        result: int = args.func(Context.open(args), args)
        return result
    except Cancelled as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    except PlayerError as error:
        return exit_codes.report(error)
    except KeyboardInterrupt:
        print("course-player: interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED


def _window(args: argparse.Namespace) -> int:
    """The window: its frame paints before the store layer is imported; the store opens
    after (``player.ui.shell.app.run``), its failures shown in a dialog and on stderr."""
    from player.cli.startup import read_start

    try:
        start = read_start(args)
    except PlayerError as error:  # say it on screen, not only on stderr
        _show_startup_error(str(error))
        raise

    def open_store() -> Store:
        from player.cli.context import open_store

        return open_store(args, start.policy)

    from player.ui.shell.app import run

    return run(
        open_store, args.profile, kiosk=start.kiosk, settings=start.settings, policy=start.policy
    )


def _show_startup_error(message: str) -> None:
    try:
        from player.ui.shell.startup_error import show_startup_error

        show_startup_error(message)
    except Exception:  # no display, no Qt: stderr still has the message
        log.exception("could not show the start-up error in a dialog")


def _reader_gone() -> int:
    """stdout's reader closed the pipe (``course-player list | head``): stop quietly. stdout is
    pointed at the null device so that the interpreter's last flush at exit cannot fail again."""
    log.debug("stdout closed by its reader; stopping")
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (captured in tests)
        pass
    return exit_codes.BROKEN_PIPE
