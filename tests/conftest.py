"""Common fixtures: a real store in tmp_path, learners, the project's fixture packages."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from player.services import packages, profiles
from player.store.db import Store
from player.store.models import Product, Profile, Tenant
from player.timeutil import utcnow

pytest_plugins = ["tests.server.fixtures"]

REPO = Path(__file__).resolve().parents[1]


#: The project's own test courses (good, hostile, draft, broken, multilingual): tests/fixtures/README.md
FIXTURES = REPO / "tests" / "fixtures"
#: The SCORM 1.2 schema files the LMS export is validated against
SCORM12_XSD = FIXTURES / "scorm12-xsd"
SAMPLES = REPO / "resources" / "samples"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture
def guest(store: Store) -> Profile:
    return profiles.ensure_guest(store)


@pytest.fixture
def imported(store: Store) -> Store:
    """A store holding the good fixtures (git-basics, multilingual, hostile) as file imports."""
    for name in ("git-basics.json", "multilingual.json", "hostile.json"):
        packages.import_file(store, FIXTURES / name)
    return store


MakeLearner = Callable[..., Profile]


@pytest.fixture
def make_learner(store: Store) -> MakeLearner:
    """Create a server learner on this machine: ``make_learner("ana", tenant="t-north")``."""

    def make(user_id: str, tenant: str = "t-north", server: str = "http://127.0.0.1:1") -> Profile:
        return profiles.upsert_server_profile(
            store,
            user_id=user_id,
            name=user_id.title(),
            tenant_id=tenant,
            server_url=server,
            username=user_id,
        )

    return make


@pytest.fixture
def add_product(store: Store) -> Callable[..., Product]:
    def add(
        course_id: str,
        tenant: str = "t-north",
        price_cents: int = 4900,
        product_id: str | None = None,
    ) -> Product:
        product = Product(
            id=product_id or f"prod-{tenant}-{course_id}",
            tenantId=tenant,
            courseId=course_id,
            priceCents=price_cents,
            currency="EUR",
            active=True,
        )
        with store.write() as session:
            if session.get(Tenant, tenant) is None:
                session.add(Tenant(id=tenant, name=tenant))
            session.add(product)
        return product

    return add


__all__ = ["FIXTURES", "SAMPLES", "SCORM12_XSD", "MakeLearner", "utcnow"]
