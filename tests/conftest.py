"""Shared fixtures: a real store in tmp_path, learners, the shared fixture packages."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from player.services import learner_lock, packages, profiles
from player.store.db import Store
from player.store.models import Product, Profile, Tenant
from player.timeutil import utcnow

# tests.qt_warnings: any Qt warning fails the run, also outside a test's own call
pytest_plugins = ["tests.server.fixtures", "tests.qt_warnings"]

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    override = os.environ.get("COURSE_PLAYER_SHARED_DIR")
    return Path(override) if override else REPO.parent / "shared"


FIXTURES = shared_dir() / "fixtures"
SAMPLES = REPO / "resources" / "samples"


@pytest.fixture(autouse=True)
def quick_learner_locks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every server sign-in keeps a password verifier; 600,000 PBKDF2 rounds each would add
    minutes to the suite. The checks are the same with fewer rounds."""
    monkeypatch.setattr(learner_lock, "ITERATIONS", 1_000)
    monkeypatch.setattr(learner_lock, "MIN_ITERATIONS", 1_000)


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
    """A store holding the good shared fixtures (git-basics, multilingual, hostile) as file imports."""
    for name in ("git-basics.json", "multilingual.json", "hostile.json"):
        packages.import_file(store, FIXTURES / name)
    return store


MakeLearner = Callable[..., Profile]


@pytest.fixture
def make_learner(store: Store) -> MakeLearner:
    """Create a server learner on this machine: ``make_learner("ana", tenant="t-north")``.

    Such a learner signed in with the password ``pw-<user>`` and chose "don't ask on this
    computer", so that the window switches to them freely; ``locked=True`` makes a learner who
    never signed in since verifiers were kept (``tests/ui/test_learner_lock.py``)."""

    def make(
        user_id: str,
        tenant: str = "t-north",
        server: str = "http://127.0.0.1:1",
        *,
        locked: bool = False,
    ) -> Profile:
        profile = profiles.upsert_server_profile(
            store,
            user_id=user_id,
            name=user_id.title(),
            tenant_id=tenant,
            server_url=server,
            username=user_id,
        )
        if not locked:
            learner_lock.remember(store, profile, f"pw-{user_id}")
            learner_lock.set_ask(store, profile, f"pw-{user_id}", ask=False)
        return profile

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


__all__ = ["FIXTURES", "SAMPLES", "MakeLearner", "shared_dir", "utcnow"]
