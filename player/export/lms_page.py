"""The HTML pages of the LMS export: the course page and one self-contained page per lesson.

A lesson page is the player's own rendering (``render_lesson_body``, same sanitizer) wrapped in a
page with inline CSS (readable on a phone, printable) and one small inline script: ours, never
content. The script finds the SCORM 1.2 API the standard way (``window.parent`` up to 7 levels,
then ``window.opener``), calls ``LMSInitialize``, reports ``cmi.core.lesson_status = completed``
once the end of the page has been on screen (an IntersectionObserver on an end marker, a scroll
check where there is none, and a "Mark as complete" button as a last resort), commits, and calls
``LMSFinish`` when the page goes away. Without an API it does nothing and the page stays a plain
page with links to the previous and next lessons.

A Content-Security-Policy allows exactly that script (by hash) and that stylesheet, images from the
package, and nothing else: no other script, no plugin, no network request.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from player.i18n import _
from player.render.options import esc

SCORM_SCRIPT = """\
(function () {
  "use strict";
  var api = null, done = false, finished = false, started = new Date().getTime();
  var end = document.getElementById("cp-end");
  var button = document.getElementById("cp-complete");
  var status = document.getElementById("cp-status");

  function scan(win) {
    var hops = 0;
    try {
      while (win && !win.API && win.parent && win.parent !== win && hops < 7) {
        hops += 1;
        win = win.parent;
      }
      return win && win.API ? win.API : null;
    } catch (e) {
      return null;
    }
  }

  function findAPI() {
    var found = scan(window);
    if (!found && window.opener) {
      try { found = scan(window.opener); } catch (e) { found = null; }
    }
    return found;
  }

  function call(name, a, b) {
    try {
      return String(b === undefined ? api[name](a) : api[name](a, b));
    } catch (e) {
      return "false";
    }
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) { s = "0" + s; }
    return s;
  }

  function sessionTime() {
    var s = Math.max(0, Math.round((new Date().getTime() - started) / 1000));
    return pad(Math.floor(s / 3600), 4) + ":" + pad(Math.floor(s / 60) % 60, 2) + ":" + pad(s % 60, 2);
  }

  function showDone() {
    button.disabled = true;
    button.textContent = button.getAttribute("data-done");
    status.textContent = status.getAttribute("data-done");
  }

  function complete() {
    if (done || !api) { return; }
    done = true;
    call("LMSSetValue", "cmi.core.lesson_status", "completed");
    call("LMSCommit", "");
    showDone();
  }

  function finish() {
    if (!api || finished) { return; }
    finished = true;
    call("LMSSetValue", "cmi.core.session_time", sessionTime());
    call("LMSCommit", "");
    call("LMSFinish", "");
  }

  function atEnd() {
    var box = end.getBoundingClientRect();
    var height = window.innerHeight || document.documentElement.clientHeight;
    return box.top <= height;
  }

  api = findAPI();
  if (!api || call("LMSInitialize", "") !== "true") {
    api = null;
    return;
  }
  document.documentElement.className += " cp-lms";
  var current = call("LMSGetValue", "cmi.core.lesson_status");
  if (current === "completed" || current === "passed") {
    done = true;
    showDone();
  } else if (current === "not attempted" || current === "") {
    call("LMSSetValue", "cmi.core.lesson_status", "incomplete");
    call("LMSCommit", "");
  }
  button.hidden = false;
  button.addEventListener("click", complete);
  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      for (var i = 0; i < entries.length; i += 1) {
        if (entries[i].isIntersecting) { complete(); }
      }
    }).observe(end);
  }
  window.addEventListener("scroll", function () { if (atEnd()) { complete(); } }, { passive: true });
  window.addEventListener("load", function () { if (atEnd()) { complete(); } });
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
})();
"""

PAGE_CSS = """\
:root { color-scheme: light; --ink: #1f2328; --muted: #5b6270; --rule: #c9ced6; --link: #1a5fb4;
  --code-bg: #f3f4f6; --note: #e7f0fd; --note-bar: #3b78d8; --tip: #e6f4ea; --tip-bar: #2e8b57;
  --warning: #fdf0d8; --warning-bar: #c77c02; --box: #f5f6f8; --unsupported: #eeeeee; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 17px/1.6 "DejaVu Sans", "Segoe UI", system-ui, -apple-system, Roboto, "Noto Sans", sans-serif; }
.page { max-width: 46rem; margin: 0 auto; padding: 1.25rem 1.1rem 3rem; }
.course-bar { font-size: .9rem; color: var(--muted); border-bottom: 1px solid var(--rule);
  padding-bottom: .5rem; margin-bottom: 1.25rem; }
.course-bar a { color: var(--muted); }
h1 { font-size: 1.9rem; line-height: 1.25; margin: .2rem 0 .8rem; }
h2 { font-size: 1.45rem; line-height: 1.3; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1.2rem; margin: 1.3rem 0 .4rem; }
h4, h5, h6 { font-size: 1.05rem; margin: 1.1rem 0 .3rem; }
p { margin: .55rem 0; }
a { color: var(--link); overflow-wrap: anywhere; }
ul, ol { padding-inline-start: 1.6rem; }
li { margin: .2rem 0; }
img { max-width: 100%; height: auto; }
hr { border: 0; border-top: 1px solid var(--rule); margin: 1.5rem 0; }
code, kbd, pre { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; font-size: .88em; }
:not(pre) > code, kbd { background: var(--code-bg); padding: .05em .3em; border-radius: 3px; }
pre { background: var(--code-bg); padding: .8rem 1rem; border-radius: 6px; overflow-x: auto;
  white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.45; }
.code-language { font-size: .8rem; color: var(--muted); margin: 1rem 0 .2rem; }
.code-block pre { margin-top: 0; }
.objectives { background: var(--box); border-radius: 6px; padding: .6rem 1rem; margin: 0 0 1.2rem; }
.objectives ul { margin: .3rem 0; }
figure { margin: 1rem 0; }
figure.image { text-align: center; }
figcaption { font-size: .9rem; color: var(--muted); margin-top: .3rem; }
figure.quote { margin: 1rem 0; padding: .2rem 1rem; border-inline-start: 4px solid var(--rule); }
figure.quote blockquote { margin: 0; font-style: italic; }
blockquote { margin: 1rem 0; padding: .2rem 1rem; border-inline-start: 4px solid var(--rule); }
aside.callout { border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0;
  border-inline-start: 4px solid var(--note-bar); background: var(--note); }
aside.callout-tip { background: var(--tip); border-inline-start-color: var(--tip-bar); }
aside.callout-warning { background: var(--warning); border-inline-start-color: var(--warning-bar); }
aside.callout p, aside.unsupported p { margin: .25rem 0; }
aside.unsupported { background: var(--unsupported); color: var(--muted); border-radius: 6px; padding: .3rem 1rem; margin: 1rem 0; }
.image-remote, .image-missing { font-style: italic; color: var(--muted); }
table { border-collapse: collapse; margin: 1rem 0; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid var(--rule); padding: .35rem .6rem; text-align: start; vertical-align: top; }
th { background: var(--box); }
.lesson-end { margin-top: 2.5rem; padding-top: 1rem; border-top: 1px solid var(--rule); }
.cp-status { color: var(--muted); font-size: .95rem; min-height: 1.5em; }
#cp-complete { font: inherit; padding: .5rem 1.1rem; border-radius: 6px; border: 1px solid var(--note-bar);
  background: var(--note-bar); color: #fff; cursor: pointer; }
#cp-complete:disabled { background: var(--tip); color: var(--ink); border-color: var(--tip-bar); cursor: default; }
#cp-complete[hidden] { display: none; }
.pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 1.2rem; font-size: .95rem; }
.cp-lms .pager, .cp-lms .course-bar a { display: none; }
.course-summary { font-size: 1.1rem; color: var(--muted); }
.course-meta { color: var(--muted); font-size: .95rem; }
ol.lessons li { margin: .45rem 0; }
.minutes { color: var(--muted); font-size: .9rem; }
@media (max-width: 480px) { body { font-size: 16px; } h1 { font-size: 1.6rem; } .page { padding: 1rem .8rem 2rem; } }
@media print {
  body { font-size: 11pt; }
  .page { max-width: none; padding: 0; }
  .lesson-end, .pager, .course-bar a { display: none; }
  a { color: inherit; text-decoration: underline; }
  pre, figure, aside, table, img { break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; }
}
"""


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# The exact text between the tags, which is what a CSP hash covers.
_SCRIPT_TEXT = "\n" + SCORM_SCRIPT
_STYLE_TEXT = "\n" + PAGE_CSS
SCRIPT_HASH = csp_hash(_SCRIPT_TEXT)
STYLE_HASH = csp_hash(_STYLE_TEXT)

CSP = (
    "default-src 'none'; "
    f"script-src {SCRIPT_HASH}; "
    f"style-src {STYLE_HASH}; "
    "img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'"
)
CSP_NO_SCRIPT = CSP.replace(f"script-src {SCRIPT_HASH}", "script-src 'none'")


@dataclass(frozen=True, slots=True)
class PageLink:
    href: str
    title: str


def _head(title: str, csp: str) -> str:
    return (
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">\n'
        '<meta name="generator" content="Course Player">\n'
        f"<title>{esc(title)}</title>\n"
        f"<style>{_STYLE_TEXT}</style>\n"
    )


def _lang_attrs(language: str | None, direction: str) -> str:
    lang = f' lang="{esc(language)}"' if language else ""
    return f'{lang} dir="{esc(direction)}"'


def lesson_page(
    *,
    body: str,
    lesson_title: str,
    course_title: str,
    position: int,
    count: int,
    language: str | None,
    direction: str,
    previous: PageLink | None,
    following: PageLink | None,
) -> str:
    """A complete lesson page around the renderer's ``body`` fragment (already sanitized)."""
    one_line = " ".join(lesson_title.split())
    course_line = " ".join(course_title.split())
    crumb = _("Lesson {n} of {count}").format(n=position, count=count)
    pager = []
    if previous is not None:
        pager.append(f'<a rel="prev" href="{esc(previous.href)}">← {esc(previous.title)}</a>')
    else:
        pager.append("<span></span>")
    if following is not None:
        pager.append(f'<a rel="next" href="{esc(following.href)}">{esc(following.title)} →</a>')
    done_label = _("Completed ✓")
    done_status = _("This lesson is marked as complete.")
    return (
        "<!DOCTYPE html>\n"
        f"<html{_lang_attrs(language, direction)}>\n<head>\n"
        f"{_head(f'{one_line} — {course_line}', CSP)}"
        "</head>\n<body>\n"
        '<div class="page">\n'
        f'<header class="course-bar"><a href="../index.html">{esc(course_line)}</a>'
        f'<span class="crumb"> · {esc(crumb)}</span></header>\n'
        f"<main>\n{body}\n</main>\n"
        '<footer class="lesson-end" id="cp-end">\n'
        f'<p class="cp-status" id="cp-status" role="status" aria-live="polite" '
        f'data-done="{esc(done_status)}"></p>\n'
        f'<button type="button" id="cp-complete" hidden data-done="{esc(done_label)}">'
        f"{esc(_('Mark as complete'))}</button>\n"
        f'<nav class="pager">{"".join(pager)}</nav>\n'
        "</footer>\n"
        "</div>\n"
        f"<script>{_SCRIPT_TEXT}</script>\n"
        "</body>\n</html>\n"
    )


def index_page(
    *,
    title: str,
    summary: str,
    meta: list[str],
    language: str | None,
    direction: str,
    lessons: list[tuple[PageLink, int | None]],
) -> str:
    """The course page: title, summary, facts and a link to every lesson."""
    items = []
    for link, minutes in lessons:
        extra = (
            f' <span class="minutes">· {esc(_("about {minutes} minutes").format(minutes=minutes))}</span>'
            if minutes
            else ""
        )
        items.append(f'<li><a href="{esc(link.href)}">{esc(link.title)}</a>{extra}</li>')
    summary_html = f'<p class="course-summary">{esc(summary)}</p>\n' if summary.strip() else ""
    meta_html = "".join(f'<p class="course-meta">{esc(line)}</p>\n' for line in meta)
    one_line = " ".join(title.split())
    return (
        "<!DOCTYPE html>\n"
        f"<html{_lang_attrs(language, direction)}>\n<head>\n"
        f"{_head(one_line, CSP_NO_SCRIPT)}"
        "</head>\n<body>\n"
        '<div class="page">\n<main>\n'
        f"<h1>{esc(one_line)}</h1>\n"
        f"{summary_html}{meta_html}"
        f"<h2>{esc(_('Lessons'))}</h2>\n"
        f'<ol class="lessons">\n{chr(10).join(items)}\n</ol>\n'
        "</main>\n</div>\n</body>\n</html>\n"
    )


def dumps_manifest(data: dict[str, object]) -> bytes:
    """``manifest.json``: sorted keys, two-space indent, a final line feed."""
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", errors="replace")
