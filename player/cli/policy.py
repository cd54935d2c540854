"""Sub-commands for technicians: ``policy hash-pin`` and ``policy check``."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from player import config
from player.cli.context import Context
from player.errors import ConfigError
from player.i18n import _
from player.policy import hash_pin, load_policy, pin_problem


def register(sub: Any) -> None:
    p = sub.add_parser("policy", help="lab provisioning: hash the exit PIN, check the policy file")
    actions = p.add_subparsers(dest="policy_command", metavar="ACTION", required=True)

    h = actions.add_parser(
        "hash-pin",
        help="ask for the kiosk exit PIN and print the pin_hash line for policy.toml",
    )
    h.add_argument(
        "--stdin",
        action="store_true",
        help="read the PIN from the first line of standard input (for scripts) instead of a prompt",
    )
    # Works with a broken or missing policy: hashing a PIN is part of writing one.
    h.set_defaults(func=cmd_hash_pin, skip_policy=True)

    c = actions.add_parser(
        "check",
        help="read the policy file (--config FILE, else the site file) and print what it sets",
    )
    c.set_defaults(func=cmd_check, skip_policy=True)


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    pin = getpass.getpass(_("Exit PIN for kiosk mode: "))
    again = getpass.getpass(_("The same PIN again: "))
    if pin != again:
        raise ConfigError(_("The two PINs differ. Nothing was printed; try again."))
    return pin


def cmd_hash_pin(ctx: Context, args: argparse.Namespace) -> int:
    pin = _read_pin(args.stdin)
    problem = pin_problem(pin)
    if problem:
        raise ConfigError(problem)
    print(f'pin_hash = "{hash_pin(pin)}"')
    return 0


def cmd_check(ctx: Context, args: argparse.Namespace) -> int:
    path = Path(args.config).expanduser() if args.config else None
    policy = load_policy(path)  # raises ConfigError naming the line and the key
    if policy is None:
        print(
            _("No lab provisioning file: {file} does not exist.").format(
                file=config.site_policy_path()
            )
        )
        return 0
    unset = "-"
    sizes = ", ".join(f"{size}%" for size in policy.text_sizes) or unset
    rows = [
        ("file", str(policy.source)),
        ("server.url", policy.server_url or unset),
        ("server.tenant", policy.tenant_id or unset),
        ("server.sync_interval_minutes", _or(policy.sync_interval_minutes, unset)),
        ("kiosk.enabled", "true" if policy.kiosk.enabled else "false"),
        ("kiosk.idle_timeout_minutes", str(policy.kiosk.idle_timeout_minutes)),
        ("kiosk.pin_hash", "set" if policy.kiosk.pin_hash else unset),
        ("ui.language", policy.language or unset),
        ("ui.text_sizes", sizes),
    ]
    for key, value in rows:
        print(f"{key}\t{value}")
    return 0


def _or(value: int | None, unset: str) -> str:
    return unset if value is None else str(value)
