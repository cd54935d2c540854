"""Common fixtures: a sandboxed home for every test, a real store in tmp_path, learners, the
project's fixture packages (tests/fixtures/)."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from player import config
from player.services import learner_lock, packages, profiles
from player.store.db import Store
from player.store.models import Product, Profile, Tenant
from player.timeutil import utcnow

# tests.qt_warnings: any Qt warning fails the run, also outside a test's own call
pytest_plugins = ["tests.server.fixtures", "tests.qt_warnings"]

REPO = Path(__file__).resolve().parents[1]


#: The project's own test courses (good, hostile, draft, broken, multilingual): tests/fixtures/README.md
FIXTURES = REPO / "tests" / "fixtures"
#: The SCORM 1.2 schema files the LMS export is validated against
SCORM12_XSD = FIXTURES / "scorm12-xsd"
SAMPLES = REPO / "resources" / "samples"


@pytest.fixture(autouse=True)
def quick_learner_locks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every server sign-in keeps a password verifier; 600,000 PBKDF2 rounds each would add
    minutes to the suite. The checks are the same with fewer rounds."""
    monkeypatch.setattr(learner_lock, "ITERATIONS", 1_000)
    monkeypatch.setattr(learner_lock, "MIN_ITERATIONS", 1_000)


@pytest.fixture(autouse=True)
def collect_on_the_main_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a test with Qt objects, cycles are collected on the main thread only, as in the window
    (``player.ui.shell.garbage``): left automatic, the collector may run on the contract server's
    thread or a pool worker and destroy a controller's timer there ("QObject::killTimer: Timers
    cannot be stopped from another thread", which fails the test)."""
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    yield
    gc.collect()
    if enabled:
        gc.enable()


#: Variables that would point the player (or what it runs) at this machine's own files.
SANDBOXED_DIRS = {
    "HOME": "home",
    "XDG_CONFIG_HOME": "home/.config",
    "XDG_DATA_HOME": "home/.local/share",
    "XDG_STATE_HOME": "home/.local/state",
    "XDG_CONFIG_DIRS": "etc/xdg",  # the site policy: etc/xdg/course-player/policy.toml
    config.CONFIG_DIR_ENV: "home/.config/course-player",  # settings.json
}
#: Cleared: a data folder or a language chosen in the shell running the tests.
CLEARED = (config.DATA_DIR_ENV, "LANGUAGE", "LC_ALL", "LC_MESSAGES")


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the session (font caches need not be rebuilt for every test)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def sandbox(
    tmp_path_factory: pytest.TempPathFactory, shared_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Every test runs in a home of its own: settings, site policy, data, state, logs, keyring.

    The variables are set in ``os.environ``, so the subprocesses a test starts inherit them. No
    test reads or writes the real ``settings.json``, ``policy.toml`` or keyring of the machine.
    Yields the sandbox folder (``home/``, ``etc/xdg/`` inside).
    """
    root = tmp_path_factory.mktemp("sandbox")
    for variable, relative in SANDBOXED_DIRS.items():
        monkeypatch.setenv(variable, str(root / relative))
    (root / "home").mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    for variable in CLEARED:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    # No desktop keyring: in this process and in the processes a test starts. A test that needs
    # one installs its own (tests/sync/conftest.py: ``memory_keyring``).
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield root
    keyring.set_keyring(previous)


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


TEST_SERVER = "http://127.0.0.1:1"
FIXTURE_COURSES = ("git-basics.json", "multilingual.json", "hostile.json")


def serve_courses(
    store: Store,
    tenant: str = "t-north",
    server: str = TEST_SERVER,
    names: tuple[str, ...] = FIXTURE_COURSES,
) -> Store:
    """Store fixture courses as if downloaded from ``server`` for ``tenant``."""
    from player.origin import normalize_origin
    from player.package import parse_package

    with store.write() as session:
        for name in names:
            parsed = parse_package((FIXTURES / name).read_bytes())
            packages.store_parsed(
                session,
                parsed,
                origin="server",
                server=normalize_origin(server),
                tenant_id=tenant,
            )
    return store


@pytest.fixture
def served(store: Store) -> Store:
    """A store holding the good shared fixtures as courses of the t-north tenant of TEST_SERVER
    (the server of ``make_learner``'s learners)."""
    return serve_courses(store)


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
        server: str = TEST_SERVER,
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
def learner(make_learner: MakeLearner) -> Profile:
    """A learner of TEST_SERVER's t-north tenant (the owner of ``served``'s courses)."""
    return make_learner("lea")


@pytest.fixture
def add_product(store: Store) -> Callable[..., Product]:
    def add(
        course_id: str,
        tenant: str = "t-north",
        price_cents: int = 4900,
        product_id: str | None = None,
        server: str = "http://127.0.0.1:1",
    ) -> Product:
        product = Product(
            server=server,
            id=product_id or f"prod-{tenant}-{course_id}",
            tenantId=tenant,
            courseId=course_id,
            priceCents=price_cents,
            currency="EUR",
            active=True,
        )
        with store.write() as session:
            if session.get(Tenant, (server, tenant)) is None:
                session.add(Tenant(server=server, id=tenant, name=tenant))
            session.add(product)
        return product

    return add


__all__ = [
    "FIXTURES",
    "SAMPLES",
    "SCORM12_XSD",
    "TEST_SERVER",
    "MakeLearner",
    "serve_courses",
    "utcnow",
]
