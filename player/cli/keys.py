"""The signing keys this machine trusts: ``keys`` lists them, ``keys accept`` takes a server's new
key after a change the old key did not vouch for (an administrator's decision)."""

from __future__ import annotations

import argparse
from typing import Any

from player.cli.context import Context
from player.errors import UsageError
from player.i18n import _
from player.origin import normalize_origin
from player.services import keys


def register(sub: Any) -> None:
    p = sub.add_parser(
        "keys",
        help="list the servers' signing keys this computer trusts (server, kid, how it was "
        "pinned), or accept a server's new key: keys accept SERVER_URL",
    )
    p.add_argument("action", nargs="?", choices=["list", "accept"], default="list")
    p.add_argument("server", nargs="?", metavar="SERVER_URL")
    p.set_defaults(func=cmd_keys)


def cmd_keys(ctx: Context, args: argparse.Namespace) -> int:
    if args.action == "list":
        for row in keys.list_keys(ctx.store):
            print(f"{row.server}\t{row.kid}\t{row.source}\t{row.publicKey}")
        return 0
    if not args.server:
        raise UsageError(_("Name the server whose key to accept: course-player keys accept URL"))
    from player.sync.client import ApiClient  # not at start-up: other commands never load httpx

    with ApiClient(args.server) as client:
        published = client.keys()
    if not published:
        raise UsageError(
            _("{server} publishes no signing keys; there is nothing to accept.").format(
                server=args.server
            )
        )
    keys.accept_keys(ctx.store, args.server, published)
    for key in published:
        print(f"accepted\t{normalize_origin(args.server)}\t{key.kid}\t{key.public_key}")
    return 0
