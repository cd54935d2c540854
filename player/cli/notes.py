"""The learner's notes and bookmarks: note, bookmark, notes."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from player.cli.context import Context
from player.errors import UsageError
from player.i18n import _
from player.services import notes


def register(sub: Any) -> None:
    p = sub.add_parser(
        "note",
        help="add a note to a lesson (prints: noted, the note's id), or delete one with --delete",
    )
    p.add_argument("course_id", nargs="?", metavar="COURSE_ID")
    p.add_argument("index", nargs="?", type=int, metavar="INDEX")
    p.add_argument("text", nargs="?", metavar="TEXT", help="the note; '-' reads it from stdin")
    p.add_argument("--delete", metavar="NOTE_ID", help="delete this note or bookmark")
    p.set_defaults(func=cmd_note)

    p = sub.add_parser("bookmark", help="bookmark a lesson (or remove the bookmark)")
    p.add_argument("course_id", metavar="COURSE_ID")
    p.add_argument("index", type=int, metavar="INDEX")
    p.add_argument("--remove", action="store_true", help="remove the bookmark")
    p.set_defaults(func=cmd_bookmark)

    p = sub.add_parser(
        "notes", help="list the learner's notes and bookmarks: id, course, index, kind, text"
    )
    p.add_argument("course_id", nargs="?", metavar="COURSE_ID")
    p.set_defaults(func=cmd_notes)


def cmd_note(ctx: Context, args: argparse.Namespace) -> int:
    if args.delete:
        if args.course_id is not None:
            raise UsageError(_("note --delete takes only the note's id."))
        item = notes.delete_note(ctx.store, ctx.profile, args.delete)
        print(f"deleted\t{item.id}")
        return 0
    if args.course_id is None or args.index is None or args.text is None:
        raise UsageError(_("Usage: note COURSE_ID INDEX TEXT, or note --delete NOTE_ID."))
    ctx.refuse_sign_in(args.course_id)
    text = sys.stdin.read() if args.text == "-" else args.text
    item = notes.add_note(ctx.store, ctx.profile, args.course_id, args.index, text)
    print(f"noted\t{item.id}")
    return 0


def cmd_bookmark(ctx: Context, args: argparse.Namespace) -> int:
    ctx.refuse_sign_in(args.course_id)
    notes.set_bookmark(ctx.store, ctx.profile, args.course_id, args.index, not args.remove)
    state = "bookmark removed" if args.remove else "bookmarked"
    print(f"{state}\t{args.course_id}\t{args.index}")
    return 0


def cmd_notes(ctx: Context, args: argparse.Namespace) -> int:
    for item in notes.list_notes(ctx.store, ctx.profile, args.course_id):
        text = " ".join(item.first_line.split())
        print(f"{item.id}\t{item.course_id}\t{item.lesson_idx}\t{item.kind}\t{text}")
    return 0
