"""The Linux desktop entry and AppStream metainfo: well-formed, consistent, and valid for the
freedesktop tools when they are installed (desktop-file-utils, appstream)."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from player.config import APP_ID

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
ICONS = REPO / "resources" / "icons" / "hicolor"
SPEC = REPO / "packaging" / "course-player.spec"


def desktop_entry() -> dict[str, str]:
    """The [Desktop Entry] group, read by the spec's rules: key=value lines, # comments."""
    groups: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, line in enumerate(DESKTOP.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = groups.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"line {number}: a key before any group"
        assert "=" in line, f"line {number}: not key=value: {line!r}"
        key, value = line.split("=", 1)
        assert key == key.strip(), f"line {number}: space around the key"
        assert key not in current, f"line {number}: {key} twice"
        current[key] = value.strip()
    assert next(iter(groups)) == "Desktop Entry"
    return groups["Desktop Entry"]


def metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def test_desktop_entry_has_the_required_keys() -> None:
    entry = desktop_entry()
    for key in ("Type", "Name", "Exec", "Icon", "Categories"):
        assert entry.get(key), f"{key} missing"
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "course-player"
    assert entry["Icon"] == APP_ID  # a theme icon name, not a path
    assert entry["Categories"].endswith(";")
    assert "Education" in entry["Categories"].split(";")
    assert entry["Terminal"] == "false"
    assert entry.get("Keywords", ";").endswith(";")


def test_the_icon_exists_at_the_usual_sizes() -> None:
    for size in (16, 32, 48, 64, 128, 256):
        assert (ICONS / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file(), size


def test_metainfo_is_well_formed_and_matches_the_desktop_file() -> None:
    root = metainfo()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID == DESKTOP.stem
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert root.findtext("name") == desktop_entry()["Name"]
    for tag in ("summary", "metadata_license", "project_license", "developer/name"):
        assert (root.findtext(tag) or "").strip(), f"<{tag}> missing"
    assert root.findall("description/p")
    content_rating = root.find("content_rating")
    assert content_rating is not None and content_rating.get("type") == "oars-1.1"
    assert root.findtext("provides/binary") == "course-player"


def test_metainfo_release_is_the_package_version() -> None:
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    releases = metainfo().findall("releases/release")
    assert releases, "no <release>"
    assert releases[0].get("version") == version
    assert releases[0].get("date")


def test_metainfo_screenshots_are_the_docs_screenshots() -> None:
    images = [image.text or "" for image in metainfo().findall("screenshots/screenshot/image")]
    assert images
    folder = REPO / "docs" / "screenshots"
    for url in images:
        assert url.startswith("https://")
        assert "/docs/screenshots/" in url
        if folder.is_dir():  # made by docs/screenshots/make_screenshots.py
            assert (folder / url.rsplit("/", 1)[1]).is_file(), url


def test_the_spec_builds_from_the_entry_point_and_bundles_the_resources() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    compile(spec, str(SPEC), "exec")  # at least valid Python
    assert '"player" / "__main__.py"' in spec
    for name in ("samples", "fonts", "icons", "scorm12", "locale"):
        assert f'"{name}"' in spec


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate not installed (apt-get install desktop-file-utils)",
)
def test_desktop_file_validate_accepts_it() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


@pytest.mark.skipif(
    shutil.which("appstreamcli") is None,
    reason="appstreamcli not installed (apt-get install appstream)",
)
def test_appstreamcli_validates_the_metainfo() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
