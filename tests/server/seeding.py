"""Standard seed data for tests, and directory seeding for demos."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .app import ContractServer

log = logging.getLogger(__name__)

#: username → (password, tenant)
STANDARD_USERS: dict[str, tuple[str, str]] = {
    "ana": ("pw-ana", "t-north"),
    "ben": ("pw-ben", "t-north"),
    "chen": ("pw-chen", "t-south"),
}


def fixtures_dir() -> Path:
    """Where the project's test CoursePackages live (``tests/fixtures``)."""
    return Path(__file__).resolve().parents[1] / "fixtures"


def seed_standard(server: ContractServer, fixtures: Path | None = None) -> dict[str, str]:
    """Seed the standard world; return {username: user id}.

    Tenants ``t-north`` and ``t-south``; users ana/pw-ana and ben/pw-ben (t-north), chen/pw-chen
    (t-south); git-basics.json and multilingual.json published for t-north with the product
    ``prod-git`` (git-basics, 4900 EUR); hostile.json published for t-south. Nobody is enrolled.
    """
    folder = fixtures or fixtures_dir()
    server.add_tenant("t-north", "North Academy")
    server.add_tenant("t-south", "South College")
    users = {
        username: server.add_user(username, password, tenant)
        for username, (password, tenant) in STANDARD_USERS.items()
    }
    server.publish((folder / "git-basics.json").read_bytes(), "t-north")
    server.publish((folder / "multilingual.json").read_bytes(), "t-north")
    server.add_product("prod-git", "t-north", "git-basics", price_cents=4900, currency="EUR")
    server.publish((folder / "hostile.json").read_bytes(), "t-south")
    return users


def seed_directory(server: ContractServer, folder: Path, tenant_id: str = "demo") -> list[str]:
    """Publish every ``*.json`` in ``folder`` whose status is PUBLISHED for ``tenant_id``;
    files that are not such packages are skipped. A later file with the same courseId, version and
    status replaces an earlier one. Return the course ids published."""
    published: list[str] = []
    for path in sorted(folder.glob("*.json")):
        data = path.read_bytes()
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.info("skipping %s: not JSON", path.name)
            continue
        if not isinstance(doc, dict) or doc.get("status") != "PUBLISHED":
            log.info("skipping %s: not a PUBLISHED package", path.name)
            continue
        try:
            server.publish(data, tenant_id)
        except ValueError as exc:
            log.info("skipping %s: %s", path.name, exc)
            continue
        course_id = str(doc["courseId"])
        if course_id in published:
            log.warning("%s replaces an earlier package of course %r", path.name, course_id)
        else:
            published.append(course_id)
    return published
