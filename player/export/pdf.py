"""A course package → a printable PDF book (reportlab platypus).

Layout: a title page (title, summary, version, publish date, authors), a table of contents with
page numbers and links, then each lesson on a new page with its title, objectives and blocks; a
footer with the course title and the page number; one PDF bookmark per lesson.

The whole document is laid out in **one pass**. ``multiBuild`` with a ``TableOfContents`` lays the
document out at least twice (once to learn the page numbers, once to print them), which alone
doubles the time of a long course. Here the contents are paginated first (their entries have a
fixed width and a known height), their pages are reserved in the flow, and the entries are drawn
into form XObjects that those pages reference and that are filled in just before the file is saved,
when every lesson's page is known (reportlab allows a form to be used before it is defined).

Output is byte-identical for the same package: reportlab's invariant mode, the creation date taken
from the package's ``publishedAt`` (a constant without one), and nothing else that varies.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

from player.errors import Cancelled
from player.export import bidi
from player.export.fonts import SANS, TextMapper, string_width
from player.export.pdf_blocks import BlockRenderer, LessonTitle, lesson_key
from player.export.pdf_styles import (
    CALLOUT_COLOURS,
    FRAME_HEIGHT,
    FRAME_PADDING_BOTTOM,
    FRAME_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_X,
    MUTED,
    PAGE_SIZE,
    RULE,
    TEXT_HEIGHT,
    TEXT_WIDTH,
    styles,
)
from player.i18n import _
from player.package import ParsedPackage
from player.package.model import CoursePackage
from player.timeutil import parse_rfc3339

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

DEFAULT_EPOCH = 946684800  # 2000-01-01T00:00:00Z, reportlab's own invariant date
_TOC_NUMBER_WIDTH = 36
_TOC_GAP = 5
_TOC_PAGE_HEIGHT = TEXT_HEIGHT - 1
_TOC_TITLE_MAX = 240
_FOOTER_FORM = "cp-footer"
_FOOTER_Y = MARGIN_BOTTOM - 14


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled(_("Export cancelled."))


def publish_epoch(package: CoursePackage) -> int:
    """The package's publish time as a Unix time, or a constant when it has none (or a bad one)."""
    if package.published_at:
        try:
            return int(parse_rfc3339(package.published_at).timestamp())
        except ValueError:
            log.info("publishedAt %r is not RFC 3339; using a constant date", package.published_at)
    return DEFAULT_EPOCH


# --- table of contents -------------------------------------------------------------------------


@dataclass
class _TocEntry:
    key: str
    paragraph: Paragraph
    height: float
    last_line_width: float
    y: float = 0.0  # top of the entry, in the page's form coordinates


@dataclass
class _TocPageLayout:
    name: str
    heading: Paragraph | None
    heading_height: float
    entries: list[_TocEntry]


def _paginate_toc(renderer: BlockRenderer) -> list[_TocPageLayout]:
    st = styles(False)
    width = TEXT_WIDTH - _TOC_NUMBER_WIDTH - _TOC_GAP
    entries: list[_TocEntry] = []
    for lesson in renderer.package.lessons:
        label = f"{lesson.index + 1}.  "
        rtl = renderer.package.lesson_direction(lesson) == "rtl"
        title = " ".join(lesson.title.split())
        if len(title) > _TOC_TITLE_MAX:  # an entry must fit on a contents page
            title = title[: _TOC_TITLE_MAX - 1].rstrip() + "…"
        title = bidi.display(title, rtl=rtl)
        paragraph = Paragraph(
            renderer.mapper.markup(label) + renderer.mapper.markup(title), st.toc_entry
        )
        _w, height = paragraph.wrap(width, TEXT_HEIGHT)
        widths = paragraph.getActualLineWidths0()
        entries.append(
            _TocEntry(lesson_key(lesson.index), paragraph, height + 5, widths[-1] if widths else 0)
        )
    heading = Paragraph(renderer.mapper.markup(_("Contents")), st.toc_heading)
    _w, heading_height = heading.wrap(TEXT_WIDTH, TEXT_HEIGHT)
    heading_height += st.toc_heading.spaceAfter
    pages: list[_TocPageLayout] = []
    current = _TocPageLayout("toc-1", heading, heading_height, [])
    used = heading_height
    for entry in entries:
        if current.entries and used + entry.height > _TOC_PAGE_HEIGHT:
            pages.append(current)
            current = _TocPageLayout(f"toc-{len(pages) + 1}", None, 0.0, [])
            used = 0.0
        entry.y = _TOC_PAGE_HEIGHT - used
        current.entries.append(entry)
        used += entry.height
    pages.append(current)
    return pages


class _TocPage(Flowable):
    """One reserved contents page: draws its form and the links of its entries."""

    def __init__(self, layout: _TocPageLayout) -> None:
        super().__init__()
        self.layout = layout

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = TEXT_WIDTH, _TOC_PAGE_HEIGHT
        return self.width, self.height

    def draw(self) -> None:
        self.canv.doForm(self.layout.name)
        for entry in self.layout.entries:
            rect = (0, entry.y - entry.height, TEXT_WIDTH, entry.y)
            self.canv.linkRect("", entry.key, rect, relative=1, thickness=0)


def _draw_toc_forms(
    canvas: Canvas, pages: list[_TocPageLayout], lesson_pages: dict[str, int]
) -> None:
    number_font = SANS
    size = styles(False).toc_entry.fontSize
    for layout in pages:
        canvas.beginForm(layout.name, 0, 0, TEXT_WIDTH, _TOC_PAGE_HEIGHT)
        if layout.heading is not None:
            layout.heading.drawOn(canvas, 0, _TOC_PAGE_HEIGHT - layout.heading_height + 14)
        for entry in layout.entries:
            top = entry.y
            entry.paragraph.drawOn(canvas, 0, top - entry.paragraph.height)
            number = str(lesson_pages.get(entry.key, ""))
            baseline = top - entry.paragraph.height + (entry.paragraph.style.leading - size)
            canvas.setFont(number_font, size)
            canvas.setFillColor(styles(False).toc_entry.textColor)
            canvas.drawRightString(TEXT_WIDTH, baseline, number)
            # Dot leaders from the end of the title's last line to the number: a dashed line of
            # round dots, drawn right to left so that the dots line up from entry to entry.
            start = entry.last_line_width + 6
            end = TEXT_WIDTH - string_width(number, number_font, size) - 6
            if end - start > 12:
                canvas.saveState()
                canvas.setStrokeColor(RULE)
                canvas.setLineWidth(0.9)
                canvas.setLineCap(1)
                canvas.setDash([0, 4.5])
                canvas.line(end, baseline + 1.5, start, baseline + 1.5)
                canvas.restoreState()
        canvas.endForm()


# --- document ----------------------------------------------------------------------------------


def _canvas_class(epoch: int, before_save: Callable[[Canvas], None]) -> type[Canvas]:
    class _ExportCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            stamp = self._doc._timeStamp
            moment = time.gmtime(epoch)
            stamp.t = epoch
            stamp.lt = moment
            stamp.YMDhms = tuple(moment)[:6]
            stamp.dhh = stamp.dmm = 0
            stamp.tzname = "UTC"
            self.showOutline()

        def save(self) -> None:
            before_save(self)
            super().save()

    return _ExportCanvas


class _Document(BaseDocTemplate):
    def __init__(
        self,
        out: BinaryIO,
        package: CoursePackage,
        mapper: TextMapper,
        *,
        on_progress: Progress | None,
        cancel: threading.Event | None,
        steps: int,
        done: int,
    ) -> None:
        super().__init__(
            out,
            pagesize=PAGE_SIZE,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=PAGE_SIZE[1] - MARGIN_BOTTOM - FRAME_HEIGHT,
            bottomMargin=MARGIN_BOTTOM,
            invariant=1,
            title=" ".join(package.title.split()),
            author=", ".join(package.authors),
            subject=" ".join(package.summary.split()),
            creator="Course Player",
            keywords=package.course_id,
            lang=package.language or None,
        )
        self.package = package
        self.mapper = mapper
        self.lesson_pages: dict[str, int] = {}
        self.on_progress = on_progress
        self.cancel = cancel
        self.steps = steps
        self.done = done
        self.footer_title = self._footer_title()
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            FRAME_WIDTH,
            FRAME_HEIGHT,
            bottomPadding=FRAME_PADDING_BOTTOM,
            id="body",
        )
        self.addPageTemplates(
            [
                PageTemplate(id="title", frames=[frame]),
                PageTemplate(id="body", frames=[frame], onPage=self._footer),
            ]
        )

    def _footer_title(self) -> list[tuple[str, str]]:
        """The course title as (text, face) runs (CJK, emoji… in their fallback faces), cut
        with "…" to three quarters of the line."""
        title = bidi.display(" ".join(self.package.title.split()), rtl=False)
        runs = [(text, face or SANS) for text, face, _placeholder in self.mapper.runs(title, SANS)]
        limit = FRAME_WIDTH * 0.75
        if sum(string_width(text, face, 8.5) for text, face in runs) <= limit:
            return runs
        ellipsis = string_width("…", SANS, 8.5)
        kept: list[tuple[str, str]] = []
        used = 0.0
        for text, face in runs:
            for char in text:
                width = string_width(char, face, 8.5)
                if used + width + ellipsis > limit:
                    if kept:
                        kept[-1] = (kept[-1][0].rstrip(), kept[-1][1])
                    return [*kept, ("…", SANS)]
                if kept and kept[-1][1] == face:
                    kept[-1] = (kept[-1][0] + char, face)
                else:
                    kept.append((char, face))
                used += width
        return kept

    def _footer(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """The rule and course title (one form, drawn once) and the page number."""
        canvas.saveState()
        canvas.doForm(_FOOTER_FORM)
        canvas.setFont(SANS, 8.5)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(PAGE_SIZE[0] - MARGIN_X, _FOOTER_Y, str(canvas.getPageNumber()))
        canvas.restoreState()

    def draw_footer_form(self, canvas: Canvas) -> None:
        canvas.beginForm(_FOOTER_FORM)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, _FOOTER_Y + 11, PAGE_SIZE[0] - MARGIN_X, _FOOTER_Y + 11)
        canvas.setFillColor(MUTED)
        x = MARGIN_X
        for text, face in self.footer_title:
            canvas.setFont(face, 8.5)
            canvas.drawString(x, _FOOTER_Y, text)
            x += string_width(text, face, 8.5)
        canvas.endForm()

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, LessonTitle) and flowable.key is not None:
            self.lesson_pages[flowable.key] = self.canv.getPageNumber()
            _check(self.cancel)
            self.done += 1
            if self.on_progress is not None:
                self.on_progress(
                    self.done,
                    self.steps,
                    _("Laying out lesson {n} of {count}").format(
                        n=flowable.lesson_index + 1, count=len(self.package.lessons)
                    ),
                )


def _title_page(package: CoursePackage, renderer: BlockRenderer) -> list[Flowable]:
    st = styles(False)
    mapper = renderer.mapper
    rtl = package.direction == "rtl"
    out: list[Flowable] = [Spacer(1, TEXT_HEIGHT * 0.22)]
    out.append(Paragraph(renderer.markup(package.title, st.title.fontName, rtl=rtl), st.title))
    if package.summary.strip():
        out.append(Paragraph(renderer.markup(package.summary, rtl=rtl), st.subtitle))
    meta = _("Version {version}").format(version=package.version)
    published = _published_date(package)
    if published:
        meta += " · " + _("Published {date}").format(date=published)
    out.append(Paragraph(mapper.markup(meta), st.meta))
    if package.authors:
        authors = ", ".join(a.strip() for a in package.authors if a.strip())
        out.append(Paragraph(renderer.markup(_("By {authors}").format(authors=authors)), st.meta))
    lessons = len(package.lessons)
    out.append(Paragraph(mapper.markup(_("{n} lessons").format(n=lessons) if lessons != 1
                                       else _("1 lesson")), st.meta))  # fmt: skip
    out.append(Spacer(1, TEXT_HEIGHT * 0.25))
    out.append(
        Paragraph(
            mapper.markup(
                _("Course {course} · package {package}").format(
                    course=package.course_id, package=package.id
                )
            ),
            st.colophon,
        )
    )
    out.append(Paragraph(mapper.markup(_("Exported with Course Player")), st.colophon))
    return out


def _published_date(package: CoursePackage) -> str | None:
    if not package.published_at:
        return None
    try:
        return parse_rfc3339(package.published_at).date().isoformat()
    except ValueError:
        return None


_settings_lock = threading.Lock()


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Write compressed streams as binary, without reportlab's ASCII85 layer (a setting of 7-bit
    mail days): the file is a quarter smaller and faster to write. ``useA85`` is a module-wide
    setting read while the document is saved, hence the lock around the build."""
    with _settings_lock:
        previous = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = previous


def build_pdf(
    parsed: ParsedPackage,
    out: BinaryIO,
    *,
    on_progress: Progress | None = None,
    cancel: threading.Event | None = None,
    notes: Mapping[int, Sequence[str]] | None = None,
) -> None:
    """Write the PDF of ``parsed`` to ``out``. Raises ``Cancelled`` when ``cancel`` is set.

    ``notes``: the learner's notes per lesson index, printed after each lesson in a box of their
    own; without them (the default) the PDF is exactly what it was before notes existed."""
    package = parsed.package
    mapper = TextMapper()
    renderer = BlockRenderer(package, mapper)
    count = len(package.lessons)
    steps = 2 * count + 1
    body: list[Flowable] = []
    for lesson in package.lessons:
        _check(cancel)
        body.append(PageBreak())
        body.extend(renderer.lesson(lesson, count))
        if notes and notes.get(lesson.index):
            body.extend(_learner_notes(renderer, notes[lesson.index]))
        if on_progress is not None:
            on_progress(
                lesson.index + 1,
                steps,
                _("Preparing lesson {n} of {count}").format(n=lesson.index + 1, count=count),
            )
    toc_pages = _paginate_toc(renderer)
    front = _title_page(package, renderer)
    if mapper.substitutions:
        front.insert(
            -2,
            Paragraph(
                mapper.markup(
                    _(
                        "Some characters are shown as □: the fonts of this PDF do not include "
                        "them. The player shows the full text."
                    )
                ),
                styles(False).colophon,
            ),
        )
    story: list[Flowable] = [
        *front,
        NextPageTemplate("body"),
        PageBreak(),
        *(_TocPage(layout) for layout in toc_pages),
        *body,
    ]
    buffer = io.BytesIO()
    doc = _Document(
        buffer, package, mapper, on_progress=on_progress, cancel=cancel, steps=steps, done=count
    )

    def before_save(canvas: Canvas) -> None:
        _check(cancel)
        _draw_toc_forms(canvas, toc_pages, doc.lesson_pages)
        doc.draw_footer_form(canvas)

    with _binary_streams():
        doc.build(story, canvasmaker=_canvas_class(publish_epoch(package), before_save))
    if on_progress is not None:
        on_progress(steps, steps, _("Saving the PDF"))
    out.write(buffer.getbuffer())
    log.info(
        "PDF of %s v%d: %d lessons, %d bytes, %d glyph substitutions",
        package.course_id,
        package.version,
        count,
        buffer.tell(),
        mapper.substitutions,
    )


def _learner_notes(renderer: BlockRenderer, texts: Sequence[str]) -> list[Flowable]:
    """The learner's own notes on a lesson: a box headed "Your notes", one part per note."""
    st = styles(False)
    background, accent = CALLOUT_COLOURS["tip"]
    parts = [(_("Your notes"), st.label), *((text, st.body) for text in texts)]
    return renderer.box(parts, background, accent, rtl=False)
