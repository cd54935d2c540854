"""``export_course``: guards in order, the persistent rate limit, audit, atomic writes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from player.errors import (
    Cancelled,
    CourseNotFound,
    ExportError,
    NotEnrolled,
    PayloadTooLarge,
    PurchaseRequired,
    RateLimited,
)
from player.export import MAX_EXPORT_BYTES, export_course, exportable_courses
from player.export.atomic import write_error as _write_error
from player.export.guards import rate_limit_retry_after
from player.export.service import default_file_name
from player.package import sha256_hex
from player.services import audit, outbox, progress
from player.store.db import Store
from player.store.models import AuditLog, ExportRecord, PackageBlob, Product, Profile, StoredPackage
from tests.conftest import FIXTURES, MakeLearner
from tests.export.conftest import ImportPackage, make_package

T0 = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)


def audit_rows(store: Store, action: str | None = None) -> list[AuditLog]:
    with store.read() as session:
        query = select(AuditLog).order_by(AuditLog.occurredAt)  # type: ignore[arg-type]
        rows = list(session.exec(query))
    return [row for row in rows if action is None or row.action == action]


def export_records(store: Store) -> list[ExportRecord]:
    with store.read() as session:
        return list(session.exec(select(ExportRecord)))


def test_pdf_and_lms_exports_are_written_recorded_and_audited(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    pdf = tmp_path / "out" / "git.pdf"
    pdf.parent.mkdir()
    seen: list[tuple[int, int, str]] = []
    result = export_course(
        imported, learner, "git-basics", "pdf", pdf, now=T0,
        on_progress=lambda d, t, m: seen.append((d, t, m)),
    )  # fmt: skip
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert result.size_bytes == pdf.stat().st_size
    assert result.sha256 == sha256_hex(pdf.read_bytes())
    assert (result.course_id, result.version, result.format) == ("git-basics", 2, "pdf")
    assert seen and seen[-1][0] == seen[-1][1]
    zip_path = tmp_path / "out" / "git.zip"
    export_course(imported, learner, "git-basics", "lms", zip_path, now=T0 + timedelta(seconds=5))
    assert zip_path.read_bytes().startswith(b"PK")
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["git.pdf", "git.zip"]  # no temp files
    assert [(r.courseId, r.format) for r in export_records(imported)] == [
        ("git-basics", "pdf"),
        ("git-basics", "lms"),
    ]
    [pdf_event] = audit_rows(imported, audit.EXPORT_PDF)
    [lms_event] = audit_rows(imported, audit.EXPORT_LMS)
    assert pdf_event.entityId == "git-basics"
    for key, value in {
        "courseId": "git-basics",
        "packageId": "pkg_git_basics_v2",
        "version": 2,
        "tenantId": "local",
        "format": "pdf",
    }.items():
        assert pdf_event.meta[key] == value
    assert lms_event.meta["format"] == "lms"
    queued = [
        item.payload["action"] for item in outbox.items(imported, learner) if item.kind == "audit"
    ]
    assert queued.count("EXPORT_PDF") == 1 and queued.count("EXPORT_LMS") == 1


def test_exports_never_modify_the_package(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    original = (FIXTURES / "git-basics.json").read_bytes()
    export_course(imported, learner, "git-basics", "pdf", tmp_path / "a.pdf", now=T0)
    export_course(imported, learner, "git-basics", "lms", tmp_path / "a.zip", now=T0)
    with imported.read() as session:
        stored = session.exec(
            select(StoredPackage).where(StoredPackage.courseId == "git-basics")
        ).one()
        blob = session.get(PackageBlob, stored.sha256)
    assert blob is not None and blob.data == original and sha256_hex(blob.data) == stored.sha256


def test_rate_limit_counts_pdf_and_lms_and_survives_a_restart(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    for minute, fmt in enumerate(("pdf", "lms", "pdf")):
        export_course(imported, learner, "git-basics", fmt, tmp_path / f"{minute}.{fmt}",
                      now=T0 + timedelta(minutes=minute))  # fmt: skip
    blocked = tmp_path / "blocked.pdf"
    with pytest.raises(RateLimited) as refused:
        export_course(
            imported, learner, "git-basics", "lms", blocked, now=T0 + timedelta(minutes=3)
        )
    # The oldest of the three leaves the window at T0 + 10 minutes: 7 minutes from now.
    assert refused.value.retry_after == 7 * 60
    assert "Try again in 7 minute(s)" in str(refused.value)
    assert not blocked.exists()
    [denied] = audit_rows(imported, audit.EXPORT_DENIED)
    assert denied.meta["reason"] == "RATE_LIMITED" and denied.meta["format"] == "lms"
    assert len(export_records(imported)) == 3  # the refusal is not counted

    # The count is in the store: reopening it (a restarted player) does not reset it.
    data_dir = imported.data_dir
    imported.close()
    reopened = Store(data_dir)
    try:
        with pytest.raises(RateLimited) as again:
            export_course(reopened, learner, "git-basics", "pdf", blocked,
                          now=T0 + timedelta(minutes=9, seconds=30))  # fmt: skip
        assert again.value.retry_after == 30
        # Other courses have their own count.
        export_course(reopened, learner, "welcome-multilingual", "pdf", tmp_path / "m.pdf",
                      now=T0 + timedelta(minutes=9, seconds=30))  # fmt: skip
        # Once the oldest export has left the window, the next one is allowed (refusals did not count).
        export_course(reopened, learner, "git-basics", "pdf", blocked,
                      now=T0 + timedelta(minutes=10, seconds=1))  # fmt: skip
        assert blocked.exists()
        with pytest.raises(RateLimited) as third:
            export_course(reopened, learner, "git-basics", "pdf", tmp_path / "x.pdf",
                          now=T0 + timedelta(minutes=10, seconds=2))  # fmt: skip
        assert third.value.retry_after == 60 - 2  # the export at T0+1min leaves at T0+11min
    finally:
        reopened.close()


def test_rate_limit_is_per_learner(store: Store, make_learner: MakeLearner, tmp_path: Path) -> None:
    from player.services import packages

    packages.import_file(store, FIXTURES / "git-basics.json")
    ana, ben = make_learner("ana"), make_learner("ben")
    for learner in (ana, ben):
        progress.enroll(store, learner, "git-basics")
    for i in range(3):
        export_course(store, ana, "git-basics", "lms", tmp_path / f"a{i}.zip", now=T0)
    with store.read() as session:
        assert rate_limit_retry_after(session, ana, "git-basics", T0) == 600
        assert rate_limit_retry_after(session, ben, "git-basics", T0) is None
    export_course(store, ben, "git-basics", "lms", tmp_path / "b.zip", now=T0)


def test_size_guard_refuses_large_packages_before_any_work(
    store: Store, guest: Profile, import_package: ImportPackage, tmp_path: Path
) -> None:
    small = import_package(make_package("small"))
    export_course(store, guest, small, "pdf", tmp_path / "small.pdf", now=T0)
    filler = "x" * 1000
    lessons = [
        {"index": i, "title": f"Lesson {i}", "blocks": [{"type": "paragraph", "text": filler}] * 50}
        for i in range(100)
    ]
    big = make_package("big", lessons=lessons)
    course = import_package(big)
    with store.read() as session:
        size = session.exec(select(PackageBlob.sizeBytes).join(
            StoredPackage, StoredPackage.sha256 == PackageBlob.sha256  # type: ignore[arg-type]
        ).where(StoredPackage.courseId == course)).one()  # fmt: skip
    assert size >= MAX_EXPORT_BYTES
    folder = tmp_path / "big"
    folder.mkdir()
    seen: list[int] = []
    for fmt in ("pdf", "lms"):
        with pytest.raises(PayloadTooLarge) as refused:
            export_course(store, guest, course, fmt, folder / f"big.{fmt}", now=T0,
                          on_progress=lambda d, t, m: seen.append(d))  # fmt: skip
        assert refused.value.size == size and refused.value.limit == 5_000_000
        assert f"{size:,}" in str(refused.value) and "5,000,000" in str(refused.value)
    assert seen == [] and list(folder.iterdir()) == []
    denied = audit_rows(store, audit.EXPORT_DENIED)
    assert [row.meta["reason"] for row in denied] == ["PAYLOAD_TOO_LARGE"] * 2
    assert denied[0].meta["packageId"] == "pkg_big_v1" and denied[0].meta["version"] == 1
    assert [r.courseId for r in export_records(store)] == ["small"]


def test_access_is_required_and_refusals_are_audited(
    store: Store,
    make_learner: MakeLearner,
    add_product: Callable[..., Product],
    tmp_path: Path,
) -> None:

    from tests.conftest import serve_courses

    serve_courses(store, names=("git-basics.json", "multilingual.json"))
    ana = make_learner("ana")
    add_product("git-basics")  # paid in ana's tenant; she has not bought it
    dest = tmp_path / "x.pdf"
    with pytest.raises(PurchaseRequired):
        export_course(store, ana, "git-basics", "pdf", dest, now=T0)
    with pytest.raises(NotEnrolled):  # free, but no enrollment
        export_course(store, ana, "welcome-multilingual", "lms", dest, now=T0)
    with pytest.raises(CourseNotFound):
        export_course(store, ana, "no-such-course", "pdf", dest, now=T0)
    assert not dest.exists() and export_records(store) == []
    reasons = [
        (r.meta["courseId"], r.meta["reason"]) for r in audit_rows(store, audit.EXPORT_DENIED)
    ]
    assert reasons == [
        ("git-basics", "PURCHASE_REQUIRED"),
        ("welcome-multilingual", "NOT_ENROLLED"),
        ("no-such-course", "NOT_FOUND"),
    ]
    assert [c.course_id for c in exportable_courses(store, ana)] == []
    progress.enroll(store, ana, "welcome-multilingual")
    assert [c.course_id for c in exportable_courses(store, ana)] == ["welcome-multilingual"]
    export_course(store, ana, "welcome-multilingual", "lms", dest, now=T0)
    assert dest.exists()


def test_cancel_leaves_no_file_and_counts_nothing(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    previous = folder / "git.pdf"
    previous.write_bytes(b"an older export")
    for fmt in ("pdf", "lms"):
        cancel = threading.Event()

        def stop(done: int, total: int, message: str, event: threading.Event = cancel) -> None:
            event.set()

        with pytest.raises(Cancelled):
            export_course(imported, learner, "git-basics", fmt, previous, now=T0, cancel=cancel,
                          on_progress=stop)  # fmt: skip
    assert [p.name for p in folder.iterdir()] == ["git.pdf"]
    assert previous.read_bytes() == b"an older export"  # untouched, no partial file
    assert export_records(imported) == []
    assert audit_rows(imported, audit.EXPORT_PDF) == []


def test_unwritable_destinations_give_clear_messages(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export_course(
            imported, learner, "git-basics", "pdf", tmp_path / "missing" / "a.pdf", now=T0
        )
    with pytest.raises(ExportError, match="is a folder"):
        export_course(imported, learner, "git-basics", "pdf", tmp_path, now=T0)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(ExportError, match="does not exist"):
        export_course(imported, learner, "git-basics", "lms", a_file / "a.zip", now=T0)
    assert export_records(imported) == []
    # A folder the learner may not write to (as root, chmod does not stop writes: checked directly).
    message = str(_write_error(tmp_path / "ro" / "a.pdf", PermissionError(13, "Permission denied")))
    assert "not allowed to write" in message and str(tmp_path / "ro") in message
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        probe = locked / "probe"
        try:
            probe.write_text("x")
        except PermissionError:
            with pytest.raises(ExportError, match="not allowed to write"):
                export_course(imported, learner, "git-basics", "pdf", locked / "a.pdf", now=T0)
        else:
            probe.unlink()
    finally:
        locked.chmod(0o700)


def test_default_file_names() -> None:
    assert default_file_name("Git Basics", 2, "pdf") == "git-basics-v2.pdf"
    assert default_file_name("日本語", 1, "lms") == "course-v1.zip"
    assert default_file_name("CON", 1, "lms") == "con-1-v1.zip"
