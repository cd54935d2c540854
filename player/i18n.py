"""Translation of visible strings.

The core marks strings with ``_``; a catalog installed at start-up (``install``) translates them.
The Qt UI installs its own translators for Qt's strings and routes ours through the same catalog.
"""

from __future__ import annotations

import gettext
import logging
from pathlib import Path

log = logging.getLogger(__name__)

_translation: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    """Return ``message`` translated to the installed language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` translated in ``context``, for a word with two meanings ("Note": a callout's
    label, a learner's own note)."""
    return _translation.pgettext(context, message)


def install(language: str | None, locale_dir: Path) -> None:
    """Use the catalog for ``language`` (e.g. "de") from ``locale_dir``; English when absent."""
    global _translation
    if not language or language.startswith("en"):
        _translation = gettext.NullTranslations()
        return
    try:
        _translation = gettext.translation("course-player", locale_dir, languages=[language])
    except OSError:
        log.warning("no translation for %s in %s; using English", language, locale_dir)
        _translation = gettext.NullTranslations()
