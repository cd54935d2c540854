"""Disk space: ``storage`` (each course's stored bytes and the total), ``remove COURSE_ID``."""

from __future__ import annotations

import argparse
from typing import Any

from player.cli.context import Context
from player.services import storage


def register(sub: Any) -> None:
    p = sub.add_parser(
        "storage",
        help="each course's stored bytes (all its versions) and the total: "
        "id, bytes, versions, title",
    )
    p.set_defaults(func=cmd_storage)

    p = sub.add_parser(
        "remove",
        help="delete a course's stored packages from this computer (progress and notes stay; "
        "a server course comes back with: sync --download COURSE_ID)",
    )
    p.add_argument("course_id", metavar="COURSE_ID")
    p.set_defaults(func=cmd_remove)


def cmd_storage(ctx: Context, args: argparse.Namespace) -> int:
    used = storage.usage(ctx.store, ctx.profile)
    for course in used.courses:
        versions = ",".join(str(v) for v in course.versions)
        title = " ".join(course.title.split())
        print(f"{course.course_id}\t{course.size_bytes}\t{versions}\t{title}")
    if used.other_bytes:
        print(f"other\t{used.other_bytes}")
    print(f"total\t{used.total_bytes}")
    return 0


def cmd_remove(ctx: Context, args: argparse.Namespace) -> int:
    removed = storage.remove_course(ctx.store, ctx.profile, args.course_id)
    print(f"removed\t{removed.course_id}\t{removed.freed_bytes}")
    return 0
