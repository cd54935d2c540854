"""Reading and learner state: import, list, lesson, enroll, progress, complete, profiles."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from player.cli import exit_codes
from player.cli.context import Context
from player.errors import PlayerError, UsageError
from player.i18n import _
from player.safe_text import one_line
from player.services import profiles, progress
from player.services.learn import LearnService


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="import course files (.json) or course bundles (.zip, verified) into this "
        "computer's store",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "bundle",
        help="write the current learner's signed server courses to one ZIP for other machines",
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    p.add_argument("course_ids", nargs="*", metavar="COURSE_ID")
    p.add_argument("--all", action="store_true", help="every course the learner may open")
    p.set_defaults(func=cmd_bundle)

    p = sub.add_parser(
        "list",
        help="list the courses the learner sees: id, version, title, state, origin, signature",
    )
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("lesson", help="print one lesson as the reader shows it")
    p.add_argument("course_id", metavar="COURSE_ID")
    p.add_argument("index", type=int, metavar="INDEX")
    p.add_argument("--format", choices=("html", "text"), default="text")
    p.set_defaults(func=cmd_lesson)

    p = sub.add_parser("enroll", help="enroll the learner in a free course")
    p.add_argument("course_id", metavar="COURSE_ID")
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("progress", help="show the learner's progress: index, completed, title")
    p.add_argument("course_id", metavar="COURSE_ID")
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("complete", help="mark a lesson complete (or not, with --undo)")
    p.add_argument("course_id", metavar="COURSE_ID")
    p.add_argument("index", type=int, metavar="INDEX")
    p.add_argument("--undo", action="store_true", help="mark the lesson not complete")
    p.set_defaults(func=cmd_complete)

    p = sub.add_parser("profiles", help="list the learners known on this computer")
    p.set_defaults(func=cmd_profiles)


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    from player.services import bundles, packages  # the search index and renderer: here only

    codes: list[int] = []
    for path in args.files:
        try:
            if bundles.is_bundle(path):
                bundle = bundles.import_bundle(ctx.store, path)
                print(
                    f"imported bundle\t{bundle.origin}\t{_one_line(bundle.tenant_id)}"
                    f"\t{bundle.courses}\t{bundle.created}"
                )
                continue
            result = packages.import_file(ctx.store, path)
        except PlayerError as error:
            codes.append(exit_codes.report(error, prefix=f"{path}: "))
            continue
        verb = "imported" if result.created else "already present"
        print(f"{verb}\t{_one_line(result.course_id)}\t{result.version}\t{_one_line(result.title)}")
    return exit_codes.combined(codes)


def cmd_bundle(ctx: Context, args: argparse.Namespace) -> int:
    from player.services import bundles

    if bool(args.all) == bool(args.course_ids):
        raise UsageError(_("Name the courses to bundle, or use --all (not both)."))
    chosen = bundles.write_bundle(
        ctx.store, ctx.profile, None if args.all else args.course_ids, args.output
    )
    for stored in chosen:
        print(f"bundled\t{_one_line(stored.courseId)}\t{stored.version}\t{stored.sha256}")
    return 0


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    """One row per course: the id that addresses it, version, title, state, where it comes
    from ("file" and the file's name, or "server" and the server's origin), and whether it
    carries its server's signature ("signed", "unsigned", "-" for a file). With a lab policy
    naming a server, that server's courses on this machine are listed for every learner."""
    for course in LearnService(ctx.store, ctx.profile, ctx.lab).list_courses():
        if course.is_file:
            kind, where, signature = "file", course.source or "", "-"
        else:
            kind, where = "server", course.access.server
            signature = "signed" if course.signed else "unsigned"
        print(
            f"{_one_line(course.course_id)}\t{course.version}\t{_one_line(course.title)}"
            f"\t{course.state}\t{kind}\t{_one_line(where)}\t{signature}"
        )
    return 0


def cmd_lesson(ctx: Context, args: argparse.Namespace) -> int:
    from player.render import RenderOptions, render_lesson_html, render_lesson_text

    service = LearnService(ctx.store, ctx.profile, ctx.lab)
    lesson = service.get_lesson(args.course_id, args.index)
    package = service.get_course(args.course_id)
    if args.format == "html":
        print(render_lesson_html(package, lesson, RenderOptions(for_qt=True)))
    else:
        print(render_lesson_text(package, lesson))
    return 0


def cmd_enroll(ctx: Context, args: argparse.Namespace) -> int:
    ctx.refuse_sign_in(args.course_id)
    progress.enroll(ctx.store, ctx.profile, args.course_id)
    print(f"enrolled\t{args.course_id}")
    return 0


def cmd_progress(ctx: Context, args: argparse.Namespace) -> int:
    service = LearnService(ctx.store, ctx.profile, ctx.lab)
    package = service.get_course(args.course_id)
    state = progress.get_progress(ctx.store, ctx.profile, args.course_id)
    for lesson in package.lessons:
        done = "yes" if lesson.index in state.completed else "no"
        print(f"{lesson.index}\t{done}\t{_one_line(lesson.title)}")
    return 0


def cmd_complete(ctx: Context, args: argparse.Namespace) -> int:
    ctx.refuse_sign_in(args.course_id)
    progress.set_lesson_completed(ctx.store, ctx.profile, args.course_id, args.index, not args.undo)
    print(f"{'not completed' if args.undo else 'completed'}\t{args.course_id}\t{args.index}")
    return 0


def cmd_profiles(ctx: Context, args: argparse.Namespace) -> int:
    for profile in profiles.list_profiles(ctx.store):
        server = profile.serverUrl or "-"
        print(
            f"{_one_line(profile.id)}\t{_one_line(profile.displayName)}"
            f"\t{_one_line(profile.tenantId or '')}\t{_one_line(server)}"
        )
    return 0


def _one_line(text: str) -> str:
    """``text`` on one line, control characters shown as escapes: a package cannot drive the
    terminal (``player.safe_text``)."""
    return one_line(text)
