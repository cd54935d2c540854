"""``course-player export pdf|lms COURSE_ID -o FILE`` and ``export pdf|lms --all -o DIR``.

The same guarded service as the window's Export… button: access, size and rate limit are checked
and audited there. With ``--all``, every course the learner may export is written into DIR as
``<course>-v<version>.pdf|zip``; a refusal is reported for its course and the others go on, and the
exit status is that of the refusals when they agree (e.g. 4 when every failure was the rate limit),
else 1 (docs/cli.md). A file of the same name already in DIR is kept (the course is reported as
refused with ``FILE_EXISTS``) unless ``--force`` is given.

Output: one tab-separated line per course on stdout (``exported COURSE FORMAT PATH BYTES`` or
``refused COURSE CODE``), the learner's message for each refusal on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from player.cli import exit_codes
from player.cli.context import Context
from player.errors import Cancelled, ExportFileExists, PlayerError
from player.export import (
    ExportResult,
    export_course,
    export_file_name,
    exportable_courses,
)
from player.export.service import EXTENSIONS
from player.i18n import _

EXIT_ERROR = exit_codes.ERROR
EXIT_USAGE = exit_codes.USAGE


def register(sub: Any) -> None:
    """Add ``export`` with its ``pdf`` and ``lms`` sub-commands to the parser."""
    parser = sub.add_parser(
        "export",
        help="save a course as a printable PDF or an LMS (SCORM 1.2) package",
        description="Export a course the learner has bought or is enrolled in. At most 3 exports "
        "per course in 10 minutes.",
    )
    formats = parser.add_subparsers(dest="export_format", metavar="FORMAT", required=True)
    for fmt, help_text in (
        ("pdf", "a printable PDF book of the course"),
        ("lms", "a ZIP to import into an LMS (SCORM 1.2: Moodle, Canvas, Blackboard…)"),
    ):
        p = formats.add_parser(fmt, help=help_text)
        p.add_argument("course_id", nargs="?", metavar="COURSE_ID")
        p.add_argument(
            "--all",
            action="store_true",
            help="export every course the learner may export into the folder given with -o",
        )
        p.add_argument(
            "--force",
            action="store_true",
            help="with --all: replace files of the same name in the folder (else they are kept "
            "and their courses reported as refused)",
        )
        if fmt == "pdf":
            p.add_argument(
                "--with-notes",
                action="store_true",
                help="print the learner's own notes after each lesson",
            )
        p.add_argument(
            "-o",
            "--output",
            required=True,
            type=Path,
            metavar="FILE",
            help="the file to write (with --all: the folder, created if needed)",
        )
        p.set_defaults(func=cmd_export)


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    fmt: str = args.export_format
    if args.all == bool(args.course_id):
        print("course-player: " + _("give either a COURSE_ID or --all (not both)"), file=sys.stderr)
        return EXIT_USAGE
    progress = _Progress() if sys.stderr.isatty() else None
    if not args.all:
        ctx.refuse_sign_in(args.course_id)
        result = export_course(
            ctx.store,
            ctx.profile,
            args.course_id,
            fmt,
            args.output,
            on_progress=progress,
            with_notes=getattr(args, "with_notes", False),
        )
        if progress is not None:
            progress.clear()
        _report(result)
        return 0
    return _export_all(
        ctx,
        fmt,
        args.output,
        progress,
        force=args.force,
        with_notes=getattr(args, "with_notes", False),
    )


def _export_all(
    ctx: Context,
    fmt: str,
    folder: Path,
    progress: _Progress | None,
    *,
    force: bool,
    with_notes: bool = False,
) -> int:
    courses = exportable_courses(ctx.store, ctx.profile)
    if not courses:
        print(
            "course-player: "
            + _(
                "this learner may not export any course on this computer (an export needs a "
                "purchase or an enrollment; see “course-player list”)"
            ),
            file=sys.stderr,
        )
        return exit_codes.REFUSED
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = _("cannot create the folder {folder}: {reason}").format(
            folder=folder, reason=error.strerror or error
        )
        print(f"course-player: {message}", file=sys.stderr)
        return EXIT_ERROR
    codes: list[int] = []
    for course in courses:
        dest = folder / export_file_name(course.course_id, course.version, EXTENSIONS[fmt])
        try:
            if not force and os.path.lexists(dest):
                raise ExportFileExists(
                    _(
                        "“{path}” already exists, so it was not replaced. Add --force to "
                        "replace it, or choose another folder."
                    ).format(path=dest)
                )
            result = export_course(
                ctx.store,
                ctx.profile,
                course.course_id,
                fmt,
                dest,
                on_progress=progress,
                with_notes=with_notes,
            )
        except Cancelled:
            raise
        except PlayerError as error:
            if progress is not None:
                progress.clear()
            print(f"refused\t{course.course_id}\t{error.code}")
            codes.append(exit_codes.report(error, prefix=f"{course.course_id}: "))
            continue
        if progress is not None:
            progress.clear()
        _report(result)
    return exit_codes.combined(codes)


def _report(result: ExportResult) -> None:
    print(
        f"exported\t{result.course_id}\t{result.format}\t{result.path}\t{result.size_bytes}",
        flush=True,
    )


class _Progress:
    """``[done/total] message`` on one line of a terminal's stderr."""

    def __init__(self) -> None:
        self._width = 0

    def __call__(self, done: int, total: int, message: str) -> None:
        line = f"[{done}/{total}] {message}"
        sys.stderr.write("\r" + line.ljust(self._width))
        sys.stderr.flush()
        self._width = len(line)

    def clear(self) -> None:
        if self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()
            self._width = 0
