"""CoursePackage models, following ``docs/contract/coursepackage.schema.json``.

Unknown fields are kept (``extra="allow"``) and ignored. Blocks stay raw JSON objects here: a block
the player does not understand, or a malformed one, must never make the whole package unusable, so
blocks are interpreted one by one at render time (``player.package.blocks``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RTL_LANGUAGES = frozenset(
    {"ar", "arc", "dv", "fa", "ha", "he", "iw", "khw", "ks", "ku", "ps", "sd", "ur", "yi"}
)

Status = Literal["DRAFT", "IN_REVIEW", "APPROVED", "PUBLISHED", "ARCHIVED"]
MediaType = Literal["image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class Asset(_Open):
    media_type: MediaType = Field(alias="mediaType")
    data: str


class Lesson(_Open):
    index: int = Field(ge=0)
    title: str = Field(min_length=1)
    id: str | None = None
    objectives: list[str] = Field(default_factory=list)
    estimated_minutes: int | None = Field(default=None, alias="estimatedMinutes", ge=0)
    blocks: list[dict[str, Any]] = Field(default_factory=list)
    direction: Literal["ltr", "rtl"] | None = None
    language: str | None = None


class CoursePackage(_Open):
    schema_version: int = Field(default=1, alias="schemaVersion", ge=1)
    id: str = Field(min_length=1)
    course_id: str = Field(alias="courseId", min_length=1, max_length=200)
    version: int = Field(ge=1)
    status: Status
    title: str = Field(min_length=1)
    summary: str = ""
    language: str | None = None
    direction: Literal["ltr", "rtl"] | None = None
    published_at: str | None = Field(default=None, alias="publishedAt")
    authors: list[str] = Field(default_factory=list)
    lessons: list[Lesson] = Field(min_length=1)
    assets: dict[str, Asset] = Field(default_factory=dict)

    def lesson_direction(self, lesson: Lesson) -> Literal["ltr", "rtl"]:
        """The text direction of a lesson: its own, else the course's, else from the language."""
        if lesson.direction:
            return lesson.direction
        if lesson.language:
            return direction_of(lesson.language)
        if self.direction:
            return self.direction
        return direction_of(self.language)


def direction_of(language: str | None) -> Literal["ltr", "rtl"]:
    if not language:
        return "ltr"
    primary = language.split("-", 1)[0].split("_", 1)[0].lower()
    return "rtl" if primary in RTL_LANGUAGES else "ltr"
