"""The LMS package: ZIP layout, manifest.json, imsmanifest.xml (SCORM 1.2), pages, hostile input."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import threading
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from player.errors import Cancelled
from player.export import scorm
from player.export.lms import build_lms
from player.export.lms_page import SCORM_SCRIPT
from player.package import ParsedPackage, parse_package
from tests.conftest import FIXTURES, SCORM12_XSD
from tests.export.conftest import encode, fixture_parsed, make_package, png_base64

NS = {"cp": scorm.IMSCP, "adlcp": scorm.ADLCP}
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
SAFE_LESSON = re.compile(r"lessons/\d{3}-[a-z0-9]+(?:-[a-z0-9]+)*\.html")
SAFE_ASSET = re.compile(r"assets/[a-z0-9]+(?:-[a-z0-9]+)*\.(?:png|jpg|gif|svg|webp)")
XSD_DIR = SCORM12_XSD


def lms_bytes(parsed: ParsedPackage, **kwargs: Any) -> bytes:
    out = io.BytesIO()
    build_lms(parsed, out, **kwargs)
    return out.getvalue()


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def manifest_root(archive: zipfile.ZipFile) -> ET.Element:
    return ET.fromstring(archive.read("imsmanifest.xml"))


def validator(tmp_path: Path) -> xmlschema.XMLSchema10:
    """The schema as the scorm12-xsd README says: imscp + adlcp, ims_xml.xsd without its xmlns."""
    folder = tmp_path / "xsd"
    folder.mkdir()
    for name in ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd"):
        (folder / name).write_bytes((XSD_DIR / name).read_bytes())
    text = (XSD_DIR / "ims_xml.xsd").read_text(encoding="utf-8")
    patched = "\n".join(
        line
        for line in text.splitlines()
        if 'xmlns="http://www.w3.org/XML/1998/namespace"' not in line
    )
    (folder / "ims_xml.xsd").write_text(patched, encoding="utf-8")
    return xmlschema.XMLSchema10(
        [
            str((folder / "imscp_rootv1p1p2.xsd").resolve()),
            str((folder / "adlcp_rootv1p2.xsd").resolve()),
        ]
    )


def test_file_list_and_zip_properties() -> None:
    parsed = fixture_parsed("git-basics.json")
    data = lms_bytes(parsed)
    archive = open_zip(data)
    names = archive.namelist()
    assert names == sorted(names)
    assert names == [
        "adlcp_rootv1p2.xsd",
        "assets/diagram.png",
        "ims_xml.xsd",
        "imscp_rootv1p1p2.xsd",
        "imsmanifest.xml",
        "imsmd_rootv1p2p1.xsd",
        "index.html",
        "lessons/001-what-git-remembers.html",
        "lessons/002-making-a-first-commit.html",
        "lessons/003-branches-and-merges.html",
        "manifest.json",
    ]
    for info in archive.infolist():
        assert not info.is_dir() and "\\" not in info.filename
        assert info.date_time == (2026, 9, 21, 9, 15, 0)  # publishedAt
        assert info.external_attr == 0o644 << 16 and info.create_system == 3
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.filename.isascii()
    assert archive.testzip() is None
    # The asset is the decoded bytes of the package's base64.
    assert archive.read("assets/diagram.png") == base64.b64decode(
        parsed.package.assets["diagram.png"].data
    )
    # The schema files travel unchanged.
    for name in scorm.SCHEMA_FILES:
        assert archive.read(name) == (XSD_DIR / name).read_bytes()
    # Our own text files use LF line ends.
    for name in names:
        if name.endswith((".html", ".json")) or name == "imsmanifest.xml":
            assert b"\r" not in archive.read(name), name


def test_manifest_json_lists_lessons_and_hashes() -> None:
    parsed = fixture_parsed("git-basics.json")
    archive = open_zip(lms_bytes(parsed))
    raw = archive.read("manifest.json")
    manifest = json.loads(raw)
    assert raw.endswith(b"}\n")
    assert raw.decode() == json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert manifest["courseId"] == "git-basics"
    assert manifest["title"] == "Git Basics"
    assert manifest["version"] == 2
    assert manifest["packageId"] == "pkg_git_basics_v2"
    assert manifest["packageSha256"] == parsed.sha256
    assert [entry["title"] for entry in manifest["lessons"]] == [
        lesson.title for lesson in parsed.package.lessons
    ]
    for entry in manifest["lessons"]:
        assert entry["sha256"] == hashlib.sha256(archive.read(entry["file"])).hexdigest()
    for entry in manifest["assets"]:
        assert entry["sha256"] == hashlib.sha256(archive.read(entry["file"])).hexdigest()


def test_imsmanifest_is_scorm_12_with_every_href_present(tmp_path: Path) -> None:
    parsed = fixture_parsed("git-basics.json")
    archive = open_zip(lms_bytes(parsed))
    names = set(archive.namelist())
    root = manifest_root(archive)
    assert root.tag == f"{{{scorm.IMSCP}}}manifest"
    assert root.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2"
    location = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", "").split()
    assert set(location[1::2]) <= set(scorm.SCHEMA_FILES) and set(location[1::2]) <= names
    organizations = root.find("cp:organizations", NS)
    assert organizations is not None
    [organization] = organizations.findall("cp:organization", NS)
    assert organizations.get("default") == organization.get("identifier")
    assert organization.findtext("cp:title", namespaces=NS) == "Git Basics"
    items = organization.findall("cp:item", NS)
    assert [item.findtext("cp:title", namespaces=NS) for item in items] == [
        lesson.title for lesson in parsed.package.lessons
    ]
    resources = {r.get("identifier"): r for r in root.iterfind("cp:resources/cp:resource", NS)}
    for item in items:
        resource = resources[item.get("identifierref")]
        assert resource.get("type") == "webcontent"
        assert resource.get(f"{{{scorm.ADLCP}}}scormtype") == "sco"
        assert SAFE_LESSON.fullmatch(resource.get("href", ""))
        assert resource.get("href") in [f.get("href") for f in resource.findall("cp:file", NS)]
    first = resources[items[0].get("identifierref")]
    assert "assets/diagram.png" in [f.get("href") for f in first.findall("cp:file", NS)]
    hrefs = [r.get("href") for r in resources.values() if r.get("href")]
    hrefs += [f.get("href") for f in root.iterfind(".//cp:file", NS)]
    assert hrefs and all(href in names for href in hrefs)
    identifiers = [e.get("identifier") for e in root.iter() if e.get("identifier")]
    assert len(identifiers) == len(set(identifiers))
    assert all(NCNAME.fullmatch(i or "") for i in identifiers)
    validator(tmp_path).validate(archive.read("imsmanifest.xml").decode("utf-8"))


def test_identifiers_are_stable_and_derived_from_the_course(tmp_path: Path) -> None:
    def identifiers(parsed: ParsedPackage) -> list[str]:
        root = manifest_root(open_zip(lms_bytes(parsed)))
        return [e.get("identifier", "") for e in root.iter() if e.get("identifier")]

    git = fixture_parsed("git-basics.json")
    assert identifiers(git) == identifiers(git)
    hostile = identifiers(fixture_parsed("hostile.json"))
    assert all(NCNAME.fullmatch(i) for i in hostile)
    assert not set(hostile) & set(identifiers(git))
    # A new version of the same course keeps the identifiers of the lessons it keeps.
    data = json.loads((FIXTURES / "git-basics.json").read_text(encoding="utf-8"))
    data["version"], data["id"] = 3, "pkg_git_basics_v3"
    data["lessons"][2]["title"] = "Branching, merging and rebasing"
    assert identifiers(parse_package(encode(data))) == identifiers(git)


def test_two_runs_give_identical_bytes() -> None:
    for name in ("git-basics.json", "multilingual.json", "hostile.json"):
        parsed = fixture_parsed(name)
        assert lms_bytes(parsed) == lms_bytes(parsed)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def test_hostile_package_has_safe_names_and_sanitized_pages(tmp_path: Path) -> None:
    archive = open_zip(lms_bytes(fixture_parsed("hostile.json")))
    names = archive.namelist()
    lessons = [n for n in names if n.startswith("lessons/")]
    assert lessons == [
        "lessons/001-svg-onload-alert-7.html",
        "lessons/002-nul-1.html",
        "lessons/003-x-y-z-w-v-u-t-s-r-q.html",
        "lessons/004-tricks-with-exe-txt-and-2jterminals.html",
    ]
    reserved = {
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{i}" for i in range(10)),
        *(f"lpt{i}" for i in range(10)),
    }
    for name in names:
        assert name.isascii() and ".." not in name and not name.startswith("/")
        stem = name.rsplit("/", 1)[-1].split(".", 1)[0]
        assert stem.lower() not in reserved
        assert re.fullmatch(r"[a-z0-9_./-]+", name)
    for name in [*lessons, "index.html"]:
        page = archive.read(name).decode("utf-8")
        parsed = elements(page)
        if name == "index.html":
            assert parsed.scripts == []
        else:
            assert parsed.scripts == ["\n" + SCORM_SCRIPT], "the only script is ours"
        for tag, attrs in parsed.tags:
            assert tag not in {"iframe", "object", "embed", "form", "input", "base", "link"}
            for attribute, value in attrs.items():
                assert not attribute.startswith("on"), (tag, attribute)
                assert attribute != "style"
                if value is None:
                    continue
                assert "javascript:" not in value.lower()
                if attribute in ("src", "href"):
                    assert not value.lower().startswith(("file:", "//", "vbscript:")), value
                if attribute == "src":
                    assert not re.match(r"[a-z][a-z0-9+.-]*:", value, re.I) or value.startswith(
                        "data:image/"
                    ), value  # images are package files or data: images, never remote
    first = archive.read(lessons[0]).decode("utf-8")
    assert "&lt;svg onload=alert(7)&gt;" in first  # the title is text
    assert "&lt;i&gt;Shown as typed, angle brackets included.&lt;/i&gt;" in first
    assert "203.0.113.9" in first and 'src="http' not in first
    assert "steal(" not in first and "mdscript" not in first and "exfiltrate" not in first
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["courseId"] == "../../etc/passwd"  # data, never a path
    root = manifest_root(archive)
    assert root.get("identifier", "").startswith("MANIFEST-etc-passwd-")
    validator(tmp_path).validate(archive.read("imsmanifest.xml").decode("utf-8"))


def test_lesson_pages_are_self_contained_and_responsive() -> None:
    archive = open_zip(lms_bytes(fixture_parsed("multilingual.json")))
    for name in archive.namelist():
        if not name.endswith(".html"):
            continue
        page = archive.read(name).decode("utf-8")
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert "Content-Security-Policy" in page and "<style>" in page
        assert "@media print" in page
        for _tag, attrs in elements(page).tags:
            assert "stylesheet" not in (attrs.get("rel") or "")
    # "اللغة العربية" has no ASCII slug
    arabic = archive.read("lessons/003-lesson.html").decode("utf-8")
    assert '<html lang="de" dir="rtl">' in arabic
    assert 'href="../index.html"' in arabic
    index = archive.read("index.html").decode("utf-8")
    for number, lesson in enumerate(fixture_parsed("multilingual.json").package.lessons, start=1):
        assert lesson.title in index
        assert f'href="lessons/{number:03d}-' in index


def test_assets_get_safe_unique_names_and_unsafe_svgs_are_not_shipped() -> None:
    png = png_base64()
    safe_svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>').decode()
    bad_svg = base64.b64encode(b'<svg onload="alert(1)"><script>alert(2)</script></svg>').decode()
    assets = {
        "Ünïcode Picture.png": {"mediaType": "image/png", "data": png},
        "unicode-picture.png": {"mediaType": "image/png", "data": png},
        "../../evil.png": {"mediaType": "image/png", "data": png},
        "drawing.svg": {"mediaType": "image/svg+xml", "data": safe_svg},
        "evil.svg": {"mediaType": "image/svg+xml", "data": bad_svg},
        "CON.jpg": {"mediaType": "image/jpeg", "data": png},
    }
    blocks = [{"type": "image", "asset": name, "alt": f"alt {i}"} for i, name in enumerate(assets)]
    lesson = {"index": 0, "title": "Pictures", "blocks": blocks}
    parsed = parse_package(encode(make_package("pictures", lessons=[lesson], assets=assets)))
    archive = open_zip(lms_bytes(parsed))
    shipped = [n for n in archive.namelist() if n.startswith("assets/")]
    assert all(SAFE_ASSET.fullmatch(n) for n in shipped), shipped
    assert len(shipped) == 5 and not any("evil.svg" in n for n in shipped)
    page = archive.read("lessons/001-pictures.html").decode("utf-8")
    srcs = [a["src"] for t, a in elements(page).tags if t == "img"]
    assert sorted(s.removeprefix("../") for s in srcs if s) == sorted(shipped)
    assert "[Image unavailable: alt 4]" in page  # the unsafe SVG
    assert "assets/con-1.jpg" in shipped


def test_cancel_raises_and_progress_counts_lessons() -> None:
    parsed = fixture_parsed("git-basics.json")
    seen: list[tuple[int, int]] = []
    lms_bytes(parsed, on_progress=lambda d, t, m: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    cancel = threading.Event()
    with pytest.raises(Cancelled):
        lms_bytes(parsed, on_progress=lambda d, t, m: cancel.set(), cancel=cancel)


def test_entries_deflated_beside_the_rendering_give_the_zip_zipfile_writes() -> None:
    """Each entry is deflated on a worker thread while the next lessons render; the ZIP is
    byte for byte the one zipfile writes itself from the same entries at the same level."""
    data = lms_bytes(fixture_parsed("git-basics.json"))
    archive = open_zip(data)
    again = io.BytesIO()
    with zipfile.ZipFile(again, "w", compression=zipfile.ZIP_DEFLATED) as plain:
        for info in archive.infolist():
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.create_system = info.create_system
            copy.external_attr = info.external_attr
            plain.writestr(copy, archive.read(info.filename), compresslevel=6)
    assert again.getvalue() == data
    assert any(info.compress_size < info.file_size for info in archive.infolist())
