"""Guarded exports: a printable PDF and an LMS (SCORM 1.2) package of a course.

``export_course`` is the entry point for the window and the command line; the guards (access,
size, rate limit, audit) live in ``player.export.guards``. Nothing here imports Qt.
"""

from player.export.guards import FORMATS, MAX_EXPORT_BYTES, RATE_LIMIT, RATE_WINDOW, ExportFormat
from player.export.service import (
    ExportResult,
    default_file_name,
    export_course,
    export_file_name,
    exportable_courses,
)

__all__ = [
    "FORMATS",
    "MAX_EXPORT_BYTES",
    "RATE_LIMIT",
    "RATE_WINDOW",
    "ExportFormat",
    "ExportResult",
    "default_file_name",
    "export_course",
    "export_file_name",
    "exportable_courses",
]
