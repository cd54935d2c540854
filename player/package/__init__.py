"""CoursePackage format: models, parsing, hashing, blocks."""

from player.package.model import Asset, CoursePackage, Lesson
from player.package.parse import SUPPORTED_SCHEMA_VERSION, ParsedPackage, parse_package, sha256_hex

__all__ = [
    "SUPPORTED_SCHEMA_VERSION",
    "Asset",
    "CoursePackage",
    "Lesson",
    "ParsedPackage",
    "parse_package",
    "sha256_hex",
]
