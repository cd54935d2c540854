"""Course bundles: one download that provisions a lab of machines.

``write_bundle`` puts the courses the learner has from a signing server in a ZIP:
``bundle.json`` (``{"format": "course-bundle/1", "origin", "tenantId", "createdAt", "courses":
[{"courseId", "version", "sha256", "signature": {"kid", "sig"}}]}``) and each package's exact bytes
as ``packages/<sha256>.json``. ``import_bundle`` verifies every package (its SHA-256 and its
signature under the keys this machine trusts for the bundle's origin) before storing any: one
failure refuses the whole bundle and stores nothing. Verified courses join that server's catalog
on this machine as if downloaded (learners still need their entitlements to open them).

The ZIP is untrusted: only ``bundle.json`` and ``packages/<64 hex>.json`` are read, each with a
size limit enforced while reading (a member's declared size is not believed), and the number of
members is bounded.
"""

from __future__ import annotations

import json
import os
import re
import stat
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import select

from player.errors import AccessDenied, BundleError, PackageError
from player.i18n import _
from player.origin import LOCAL, normalize_origin
from player.package import parse_package
from player.package.limits import MAX_PACKAGE_BYTES
from player.package.signature import Signature, verify
from player.services import keys, packages
from player.services.access import check_enrolled, course_access, latest_package
from player.store.db import Store
from player.store.models import Profile, StoredPackage
from player.timeutil import to_rfc3339, utcnow

FORMAT = "course-bundle/1"
MANIFEST = "bundle.json"
MAX_MEMBERS = 20_000
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_PACKAGE_NAME = re.compile(r"packages/([0-9a-f]{64})\.json")

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BundleResult:
    origin: str
    tenant_id: str
    courses: int
    created: int


def is_bundle(path: Path) -> bool:
    """A regular file that starts like a ZIP. A FIFO or a device is never opened here (the file
    import refuses it with its own message)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb", buffering=0) as file:
            return file.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def write_bundle(
    store: Store, profile: Profile, course_ids: Sequence[str] | None, path: Path
) -> list[StoredPackage]:
    """Write the learner's signed server courses (``None``: all they may open) to ``path``."""
    if profile.server == LOCAL:
        raise BundleError(
            _("Only courses from a course server can be bundled: sign in to your server first.")
        )
    chosen: list[StoredPackage] = []
    with store.read() as session:
        if course_ids is None:
            candidates = session.exec(
                select(StoredPackage.courseId)
                .where(
                    StoredPackage.server == profile.server,
                    StoredPackage.tenantKey == profile.tenantId,
                )
                .distinct()
            ).all()
            ids = sorted(set(candidates))
        else:
            ids = list(course_ids)
        for ref in ids:
            access = course_access(session, profile, ref)
            if access.is_file:
                raise BundleError(
                    _("“{id}” is an imported file, not a course of your server.").format(id=ref)
                )
            if course_ids is None:
                try:
                    check_enrolled(access)
                except AccessDenied:
                    continue
            else:
                check_enrolled(access)
            stored = latest_package(session, profile, access.key)
            if stored is None or stored.sig is None or stored.sigKid is None:
                if course_ids is None:
                    continue
                raise BundleError(
                    _(
                        "“{title}” is not on this computer with its server's signature, so it "
                        "cannot be bundled. Sync first; a server that does not sign its courses "
                        "cannot make bundles."
                    ).format(title=access.title)
                )
            chosen.append(stored)
        blobs = {s.sha256: packages.blob_bytes(session, s.sha256) for s in chosen}
    if not chosen:
        raise BundleError(_("There is no signed course of your server to bundle."))
    manifest = {
        "format": FORMAT,
        "origin": profile.server,
        "tenantId": profile.tenantId,
        "createdAt": to_rfc3339(utcnow()),
        "courses": [
            {
                "courseId": s.courseId,
                "version": s.version,
                "sha256": s.sha256,
                "signature": {"kid": s.sigKid, "sig": s.sig},
            }
            for s in chosen
        ],
    }
    partial = path.with_name(path.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2))
        for sha, data in blobs.items():
            zf.writestr(f"packages/{sha}.json", data)
    partial.replace(path)
    return chosen


def import_bundle(store: Store, path: Path, progress: Progress | None = None) -> BundleResult:
    """Verify every package of the bundle, then store them all in one transaction."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BundleError(
            _("“{name}” is not a course bundle (not a readable ZIP file).").format(name=path.name)
        ) from error
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise BundleError(
                _("“{name}” has too many files to be a course bundle.").format(name=path.name)
            )
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename != MANIFEST and not _PACKAGE_NAME.fullmatch(info.filename):
                raise _refused(
                    path,
                    _("it holds an unexpected file “{member}”").format(member=info.filename[:200]),
                )
            members[info.filename] = info
        if MANIFEST not in members:
            raise _refused(path, _("it has no bundle.json"))
        manifest = _manifest(path, _read(zf, members[MANIFEST], MAX_MANIFEST_BYTES, path))
        origin = normalize_origin(manifest["origin"])
        tenant_id = manifest["tenantId"]
        with store.read() as session:
            trusted = keys.known_keys(session, origin)
        if not trusted:
            raise BundleError(
                _(
                    "“{name}” comes from {origin}, whose signing key this computer does not "
                    "know, so it was not imported. Pin the server's key first: sign in to "
                    "{origin} once, or add it to the lab policy ([server] public_keys, see "
                    "docs/kiosk.md)."
                ).format(name=path.name, origin=origin)
            )
        verified = []
        total = len(manifest["courses"])
        for index, entry in enumerate(manifest["courses"]):
            name = f"packages/{entry['sha256']}.json"
            if name not in members:
                raise _refused(
                    path, _("the package of “{id}” is missing").format(id=entry["courseId"])
                )
            raw = _read(zf, members[name], MAX_PACKAGE_BYTES, path)
            try:
                parsed = parse_package(raw, expected_sha256=entry["sha256"])
                if (parsed.package.course_id, parsed.package.version) != (
                    entry["courseId"],
                    entry["version"],
                ):
                    raise _refused(
                        path,
                        _("“{id}” is not the course it claims to be").format(id=entry["courseId"]),
                    )
                signature = Signature(entry["signature"]["kid"], entry["signature"]["sig"])
                verify(
                    trusted,
                    signature,
                    course_id=parsed.package.course_id,
                    version=parsed.package.version,
                    sha256=parsed.sha256,
                    title=parsed.package.title,
                )
            except PackageError as error:
                raise BundleError(
                    _("“{name}” was not imported, nothing of it was stored: {reason}").format(
                        name=path.name, reason=error
                    )
                ) from error
            verified.append((parsed, signature, packages.index_rows(parsed)))
            if progress is not None:
                progress(index + 1, total)
    created = 0
    with store.write() as session:
        for parsed, signature, rows in verified:
            result = packages.store_parsed(
                session,
                parsed,
                origin="server",
                server=origin,
                tenant_id=tenant_id,
                signature=signature,
                index=rows,
            )
            created += int(result.created)
    return BundleResult(origin, tenant_id, len(verified), created)


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, path: Path) -> bytes:
    """A member's bytes, at most ``limit`` (read in chunks: the declared size is not believed)."""
    if info.file_size > limit:
        raise _refused(path, _("“{member}” is too large").format(member=info.filename))
    chunks: list[bytes] = []
    total = 0
    try:
        with zf.open(info) as member:
            while chunk := member.read(1024 * 1024):
                total += len(chunk)
                if total > limit:
                    raise _refused(path, _("“{member}” is too large").format(member=info.filename))
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise _refused(path, _("it is damaged ({reason})").format(reason=error)) from error
    return b"".join(chunks)


def _manifest(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("format")
        if not isinstance(data.get("origin"), str) or not isinstance(data.get("tenantId"), str):
            raise ValueError("origin")
        courses = data.get("courses")
        if not isinstance(courses, list):
            raise ValueError("courses")
        for entry in courses:
            sig = entry.get("signature")
            if not (
                isinstance(entry.get("courseId"), str)
                and type(entry.get("version")) is int
                and isinstance(entry.get("sha256"), str)
                and re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])
                and isinstance(sig, dict)
                and isinstance(sig.get("kid"), str)
                and isinstance(sig.get("sig"), str)
            ):
                raise ValueError("course")
    except (UnicodeDecodeError, ValueError, AttributeError, TypeError) as error:
        raise _refused(path, _("its bundle.json is not a course-bundle/1 manifest")) from error
    return dict(data)


def _refused(path: Path, reason: str) -> BundleError:
    return BundleError(
        _("“{name}” was not imported, nothing of it was stored: {reason}.").format(
            name=path.name, reason=reason
        )
    )
