"""``course-player search QUERY``: one hit a line, tab-separated, plain text."""

from __future__ import annotations

import argparse
import re
from typing import Any

from player.cli.context import Context
from player.services.search import DEFAULT_LIMIT, search

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u2028\u2029]+")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "search",
        help="search every course the learner sees; prints COURSE_ID, LESSON_INDEX ('-' for the "
        "course itself), LESSON_TITLE, SNIPPET, tab-separated",
    )
    p.add_argument("query", nargs="+", metavar="QUERY", help="words to find (never query syntax)")
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="at most this many hits")
    p.set_defaults(func=cmd_search)


def cmd_search(ctx: Context, args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    results = search(ctx.store, ctx.profile, query, limit=max(1, args.limit), lab=ctx.lab)
    for hit in results.hits:
        index = "-" if hit.lesson_index is None else str(hit.lesson_index)
        fields = (hit.course_id, index, hit.lesson_title, hit.snippet.text)
        print("\t".join(plain(field) for field in fields))
    return 0


def plain(text: str) -> str:
    """One field of a line: no tab, no line break, no control character."""
    return " ".join(_CONTROLS.sub(" ", text).split())
