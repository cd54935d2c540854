"""The SCORM 1.2 side of the LMS export: ``imsmanifest.xml``, identifiers and the schema files.

One SCO per lesson. Identifiers are XML NCNames derived from the course id and the lesson's id
(or position when it has none), so the same course gives the same identifiers on every export and
an LMS can match the SCOs of a re-imported version; a hostile course id such as
``../../etc/passwd`` only contributes its safe characters and a hash.

``xsi:schemaLocation`` names the three schemas of the namespaces the manifest uses (content
packaging, ADL's SCORM extension, IMS metadata). The fourth file, ``ims_xml.xsd``, is imported by
two of them and says of itself "Do not reference this file in XML instances"; it is shipped with
the other three, unchanged, as ADL's conformance checker expects.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from player import config
from player.export.names import ncname
from player.render.options import clean_text

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

SCHEMA_FILES = (
    "adlcp_rootv1p2.xsd",
    "ims_xml.xsd",
    "imscp_rootv1p1p2.xsd",
    "imsmd_rootv1p2p1.xsd",
)
SCHEMA_LOCATION = (
    f"{IMSCP} imscp_rootv1p1p2.xsd {IMSMD} imsmd_rootv1p2p1.xsd {ADLCP} adlcp_rootv1p2.xsd"
)
TITLE_MAX = 200  # the schema's smallest permitted maximum for titles


def schema_dir() -> Path:
    return config.resources_dir() / "scorm12"


def schema_bytes() -> dict[str, bytes]:
    """The four XSD files, byte for byte as bundled."""
    directory = schema_dir()
    return {name: (directory / name).read_bytes() for name in SCHEMA_FILES}


@dataclass(frozen=True, slots=True)
class Sco:
    """One lesson as a SCO: its identifiers, title and the files its page needs."""

    item_id: str
    resource_id: str
    title: str
    href: str
    files: tuple[str, ...]


def _title(text: str) -> str:
    one_line = " ".join(clean_text(text).split())
    return one_line[:TITLE_MAX] if len(one_line) > TITLE_MAX else one_line


def manifest_id(course_id: str) -> str:
    return ncname("MANIFEST", course_id)


def organization_id(course_id: str) -> str:
    return ncname("ORG", course_id)


def sco_ids(course_id: str, lesson_keys: list[str]) -> list[tuple[str, str]]:
    """(item id, resource id) per lesson key; keys are the lesson ids or ``#N`` positions."""
    seen: set[str] = set()
    result = []
    for position, key in enumerate(lesson_keys):
        unique = key if key not in seen else f"{key}#{position}"
        seen.add(unique)
        readable = unique.lstrip("#") if unique.startswith("#") else unique
        digest_source = f"{course_id}\n{unique}"
        item = ncname("ITEM", readable or f"lesson-{position + 1}", hashed=digest_source)
        resource = ncname("RES", readable or f"lesson-{position + 1}", hashed=digest_source)
        result.append((item, resource))
    return result


def build_manifest(
    *,
    course_id: str,
    title: str,
    version: int,
    scos: list[Sco],
    shared_files: list[str],
) -> bytes:
    """``imsmanifest.xml`` as UTF-8 bytes with LF line ends."""
    ET.register_namespace("", IMSCP)
    ET.register_namespace("adlcp", ADLCP)
    ET.register_namespace("xsi", XSI)
    org_id = organization_id(course_id)
    root = ET.Element(
        f"{{{IMSCP}}}manifest",
        {
            "identifier": manifest_id(course_id),
            "version": str(version)[:20],
            f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION,
        },
    )
    metadata = ET.SubElement(root, f"{{{IMSCP}}}metadata")
    ET.SubElement(metadata, f"{{{IMSCP}}}schema").text = "ADL SCORM"
    ET.SubElement(metadata, f"{{{IMSCP}}}schemaversion").text = "1.2"
    organizations = ET.SubElement(root, f"{{{IMSCP}}}organizations", {"default": org_id})
    organization = ET.SubElement(organizations, f"{{{IMSCP}}}organization", {"identifier": org_id})
    ET.SubElement(organization, f"{{{IMSCP}}}title").text = _title(title) or course_id
    for sco in scos:
        item = ET.SubElement(
            organization,
            f"{{{IMSCP}}}item",
            {"identifier": sco.item_id, "identifierref": sco.resource_id, "isvisible": "true"},
        )
        ET.SubElement(item, f"{{{IMSCP}}}title").text = _title(sco.title) or sco.item_id
    resources = ET.SubElement(root, f"{{{IMSCP}}}resources")
    for sco in scos:
        resource = ET.SubElement(
            resources,
            f"{{{IMSCP}}}resource",
            {
                "identifier": sco.resource_id,
                "type": "webcontent",
                f"{{{ADLCP}}}scormtype": "sco",
                "href": sco.href,
            },
        )
        for href in sco.files:
            ET.SubElement(resource, f"{{{IMSCP}}}file", {"href": href})
    if shared_files:
        shared = ET.SubElement(
            resources,
            f"{{{IMSCP}}}resource",
            {
                "identifier": ncname("RES-SHARED", course_id),
                "type": "webcontent",
                f"{{{ADLCP}}}scormtype": "asset",
            },
        )
        for href in shared_files:
            ET.SubElement(shared, f"{{{IMSCP}}}file", {"href": href})
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
    return text.encode("utf-8", errors="replace")
