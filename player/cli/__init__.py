"""The ``course-player`` command line: a second client of the same services as the window.

Every sub-command lives in a module of this package that exposes ``register(subparsers)``; each
registered command sets ``func(ctx, args) -> int``. Errors go to stderr with a non-zero status.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from player import config
from player.cli.context import Context
from player.errors import Cancelled, PlayerError

log = logging.getLogger(__name__)

EXIT_ERROR = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    from player.cli import export, learn, policy, search, sync

    parser = argparse.ArgumentParser(
        prog="course-player",
        description="Offline-first course player. With no command, opens the window.",
    )
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (learn, search, sync, export, policy):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config.setup_logging(args.verbose)
    try:
        ctx = Context.open(args)
        if args.command is None:
            from player.ui.app import run

            return run(
                ctx.store, args.profile, kiosk=ctx.kiosk, settings=ctx.settings, policy=ctx.policy
            )
        result: int = args.func(ctx, args)
        return result
    except Cancelled as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    except PlayerError as error:
        print(f"course-player: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("course-player: interrupted", file=sys.stderr)
        return 130
