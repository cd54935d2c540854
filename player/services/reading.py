"""The reading service: what the window shows, as plain functions over the other services.

Each returns an immutable value the UI thread then shows. The window runs them on its
``TaskRunner`` lanes (``player.ui.tasks``), in a pool thread, so they never touch a widget; they
only call the core's services (which guard every content read). Moved here from the UI
(``player/ui/loaders.py``, issue 11) so that the UI holds no service code.
The long ones take ``progress(done, total, message)`` (the op passes ``job.progress``; the
status bar's progress bar shows it) and say what they are doing before they start.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from player.errors import CourseNotDownloaded, LessonNotFound
from player.i18n import _
from player.services import progress as progress_service
from player.services import resume
from player.services.access import (
    CourseAccess,
    LabServer,
    check_read,
    course_access,
    latest_visible_package,
)
from player.services.learn import (
    LOCKED,
    NOT_DOWNLOADED,
    READY,
    SIGN_IN,
    CourseSummary,
    LearnService,
    load_latest,
)
from player.services.progress import CourseProgress
from player.services.resume import Resume
from player.store.db import Store
from player.store.models import Profile

if TYPE_CHECKING:
    from player.package import CoursePackage
    from player.services import bundles, packages

# The catalog (the first screen) needs only ``load_catalog``: the renderer (markdown-it), the
# importers, the search index and the signature checks are imported by the functions that use
# them, so that the window paints and lists the courses before they are loaded.

Progress = Callable[[int, int, str], None]
"""``progress(done, total, message)``; ``total == 0``: busy, no measure of how far."""


def _busy(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(0, 0, message)


@dataclass(frozen=True, slots=True)
class CourseDetails:
    """What the course overview shows."""

    summary: CourseSummary
    package: CoursePackage | None  # None while locked or not downloaded
    progress: CourseProgress
    resume: Resume | None = None  # the last lesson the learner opened, and where in it

    @property
    def access(self) -> CourseAccess:
        return self.summary.access


@dataclass(frozen=True, slots=True)
class LessonView:
    """One lesson, rendered, with what the reader needs around it."""

    summary: CourseSummary
    package: CoursePackage
    index: int
    html: str
    dark: bool
    progress: CourseProgress
    position: float = 0.0  # where the learner left this lesson (0.0 top, 1.0 end)

    @property
    def course_id(self) -> str:
        return self.summary.course_id

    @property
    def lesson_count(self) -> int:
        return len(self.package.lessons)

    @property
    def completed(self) -> bool:
        return self.index in self.progress.completed

    @property
    def entitled(self) -> bool:
        return self.summary.access.entitled


def load_catalog(
    store: Store, profile: Profile, lab: LabServer | None = None
) -> list[CourseSummary]:
    """``lab``: the lab policy's server, whose courses every learner sees (``LabServer``)."""
    return LearnService(store, profile, lab).list_courses()


def install_samples_and_load_catalog(
    store: Store, profile: Profile, samples_dir: Path | None, lab: LabServer | None = None
) -> list[CourseSummary]:
    """First start: import the bundled samples when the store is empty, then list the courses.

    The catalog is read first: when it lists a stored course (a stored package has lessons; a
    course the server only offers has none yet) the store is not empty, and the importer
    (parsing, signatures, the search index) is not even loaded."""
    courses = load_catalog(store, profile, lab)
    if samples_dir is None or not samples_dir.is_dir():
        return courses
    if any(course.lesson_count > 0 for course in courses):
        return courses
    from player.services import packages

    if packages.install_samples_if_empty(store, samples_dir):
        return load_catalog(store, profile, lab)
    return courses


def refreshed(
    summary: CourseSummary,
    access: CourseAccess,
    course_progress: CourseProgress,
    *,
    has_package: bool,
) -> CourseSummary:
    """``summary`` brought up to date with the learner's access and progress."""
    state = READY if has_package else NOT_DOWNLOADED
    if access.locked:
        state = LOCKED
    if access.sign_in:
        state = SIGN_IN
    return dataclasses.replace(
        summary, access=access, completed=course_progress.completed_count, state=state
    )


def load_course(
    store: Store,
    profile: Profile,
    summary: CourseSummary,
    progress: Progress | None = None,
    lab: LabServer | None = None,
) -> CourseDetails:
    """The overview of a course, read in one store session with one access check."""
    _busy(progress, _("Opening “{title}”…").format(title=summary.title))
    course_id = summary.course_id
    with store.read() as session:
        access = course_access(session, profile, course_id, lab=lab)
        if access.sign_in:  # the lab server's course, for a learner without an account there
            nothing = CourseProgress(course_id, summary.lesson_count, frozenset())
            return CourseDetails(
                summary=refreshed(summary, access, nothing, has_package=False),
                package=None,
                progress=nothing,
            )
        package: CoursePackage | None = None
        if access.can_read:
            try:
                package = load_latest(session, profile, course_id, access.title).package
            except CourseNotDownloaded:
                package = None
        if package is not None:
            lesson_count = len(package.lessons)
        else:  # locked or not downloaded: the stored version's count, if there is one
            stored = latest_visible_package(session, profile, course_id)
            lesson_count = stored.lessonCount if stored is not None else 0
        course_progress = progress_service.progress_in(
            session, profile, course_id, access, lesson_count
        )
        point = resume.resume_point_in(session, profile, course_id)
    return CourseDetails(
        summary=refreshed(summary, access, course_progress, has_package=package is not None),
        package=package,
        progress=course_progress,
        resume=point,
    )


def load_lesson(
    store: Store,
    profile: Profile,
    summary: CourseSummary,
    index: int,
    dark: bool,
    progress: Progress | None = None,
) -> LessonView:
    """Read (guarded: a locked course raises ``PurchaseRequired``) and render one lesson.

    One store session and one access check: the package (parsed once per stored version, kept
    in ``player.services.learn``'s bounded cache), the learner's progress (counted against the
    stored ``lessonCount``) and the resume point are read together. The rendering runs after
    the session is closed, in the caller's thread (the window's read lane, never the UI thread).
    """
    from player.render import RenderOptions, render_lesson_html

    _busy(progress, _("Opening lesson {n}…").format(n=index + 1))
    course_id = summary.course_id
    with store.read() as session:
        access = course_access(session, profile, course_id)
        check_read(access)
        package = load_latest(session, profile, course_id, access.title).package
        course_progress = progress_service.progress_in(
            session, profile, course_id, access, len(package.lessons)
        )
        point = resume.resume_point_in(session, profile, course_id)
    if not 0 <= index < len(package.lessons):
        raise LessonNotFound(package.title, index, len(package.lessons))
    html = render_lesson_html(
        package, package.lessons[index], RenderOptions(for_qt=True, dark=dark)
    )
    return LessonView(
        summary=refreshed(summary, access, course_progress, has_package=True),
        package=package,
        index=index,
        html=html,
        dark=dark,
        progress=course_progress,
        position=point.position if point is not None and point.lesson_idx == index else 0.0,
    )


def set_completed(
    store: Store, profile: Profile, summary: CourseSummary, index: int, completed: bool
) -> CourseDetails:
    """Mark a lesson complete or not (``NotEnrolled`` without an enrollment); the new state."""
    progress_service.set_lesson_completed(store, profile, summary.course_id, index, completed)
    return load_course(store, profile, summary)


def enroll(store: Store, profile: Profile, summary: CourseSummary) -> CourseDetails:
    progress_service.enroll(store, profile, summary.course_id)
    return load_course(store, profile, summary)


def import_course(
    store: Store, path: Path, progress: Progress | None = None
) -> packages.ImportResult | bundles.BundleResult:
    """A course file, or a course bundle (ZIP; every package verified, with progress)."""
    from player.services import bundles, packages

    message = _("Importing “{name}”…").format(name=path.name)
    _busy(progress, message)
    if bundles.is_bundle(path):
        report = None if progress is None else (lambda done, total: progress(done, total, message))
        return bundles.import_bundle(store, path, report)
    return packages.import_file(store, path)
