"""Signed packages end to end over real HTTP: trust on first use, a wrong signature, an unknown
key, a key change, a rotation the old key vouches for, an unsigned (seed) server (issue #9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from player.cli import main
from player.errors import ServerKeyChanged, SignatureInvalid
from player.services import keys
from player.services.learn import LearnService
from player.store.db import Store
from player.store.models import ServerKey, StoredPackage
from tests.server.app import ContractServer
from tests.server.fixtures import MakeServer
from tests.server.seeding import fixtures_dir
from tests.sync.conftest import SignInAs

FREE = "welcome-multilingual"


def stored(store: Store, course_id: str = FREE) -> list[tuple[int, str | None]]:
    with store.read() as session:
        rows = session.exec(select(StoredPackage).where(StoredPackage.courseId == course_id))
        return sorted((p.version, p.sigKid) for p in rows)


def pins(store: Store) -> list[tuple[str, str]]:
    with store.read() as session:
        return sorted((k.kid, k.source) for k in session.exec(select(ServerKey)))


def publish_v2(server: ContractServer) -> None:
    data = json.loads((fixtures_dir() / "multilingual.json").read_bytes())
    data["version"] = data["version"] + 1
    server.publish(json.dumps(data).encode(), "t-north")


@pytest.fixture
def signing(contract_server: ContractServer) -> ContractServer:
    contract_server.enable_signing("k1")
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    return contract_server


def test_first_sign_in_pins_the_keys_and_packages_are_verified(
    signing: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(signing, "ana")
    assert pins(store) == [("k1", keys.FIRST_USE)]
    report = ana.sync()
    assert report.courses_downloaded == 1 and not report.errors
    assert stored(store) == [(1, "k1")]
    assert LearnService(store, ana.profile).get_lesson(FREE, 0).index == 0
    [course] = [c for c in LearnService(store, ana.profile).list_courses() if c.course_id == FREE]
    assert course.signed


def test_a_wrong_signature_is_never_stored_and_the_old_version_stays(
    signing: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(signing, "ana")
    ana.sync()
    publish_v2(signing)
    signing.faults.sign_wrong(FREE)

    report = ana.sync()

    assert stored(store) == [(1, "k1")]
    assert report.courses_failed == 1
    [error] = report.errors
    assert "valid signature" in error.message and "Hallo" in error.message
    assert LearnService(store, ana.profile).get_course(FREE).version == 1
    signing.faults.clear()
    assert ana.sync().courses_downloaded == 1
    assert stored(store) == [(1, "k1"), (2, "k1")]


def test_a_rotation_the_old_key_vouches_for_is_taken(
    signing: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(signing, "ana")
    ana.sync()
    signing.rotate_key("k2", keep_old=True)
    publish_v2(signing)
    report = ana.sync()
    assert not report.errors and report.courses_downloaded == 1
    assert pins(store) == [("k1", keys.FIRST_USE), ("k2", keys.VOUCHED)]
    assert stored(store) == [(1, "k1"), (2, "k2")]


def test_a_key_change_nobody_vouches_for_stops_sync_until_an_administrator_accepts(
    signing: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ana = sign_in_as(signing, "ana")
    ana.sync()
    signing.rotate_key("k2", keep_old=False)
    publish_v2(signing)

    with pytest.raises(ServerKeyChanged, match="keys accept"):
        ana.sync()
    assert stored(store) == [(1, "k1")]
    assert pins(store) == [("k1", keys.FIRST_USE)]

    code = main(["--data-dir", str(store.data_dir), "keys", "accept", signing.url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("accepted\t") and "\tk2\t" in out
    assert pins(store) == [("k2", keys.ADMIN)]
    assert ana.sync().courses_downloaded == 1
    assert stored(store) == [(1, "k1"), (2, "k2")]
    assert LearnService(store, ana.profile).get_course(FREE).version == 2


def test_after_a_key_is_accepted_courses_signed_with_the_old_one_are_fetched_again(
    signing: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(signing, "ana")
    ana.sync()
    signing.rotate_key("k2", keep_old=False)  # the same version, now signed with k2 only
    keys.accept_keys(store, signing.url, [keys.PublishedKey("k2", signing.public_key("k2"))])
    with pytest.raises(SignatureInvalid):  # k1 is no longer trusted here
        LearnService(store, ana.profile).get_course(FREE)
    report = ana.sync()
    assert not report.errors
    assert stored(store) == [(1, "k2")]
    assert LearnService(store, ana.profile).get_course(FREE).version == 1


def keys_only_v1(store: Store, profile: object) -> None:
    from player.services.keys import verify_stored

    with store.read() as session:
        row = session.exec(
            select(StoredPackage).where(StoredPackage.courseId == FREE, StoredPackage.version == 1)
        ).one()
        verify_stored(session, row)


def test_keys_pinned_by_the_lab_policy_refuse_an_unknown_key(
    make_server: MakeServer, sign_in_as: SignInAs, store: Store
) -> None:
    genuine = make_server(standard=True)
    pinned = f"k1:{genuine.enable_signing('k1')}"
    impostor = make_server(standard=True)  # same address would be needed for a real attack:
    impostor.enable_signing("k1")  # here the policy pins the genuine key for the impostor's URL
    impostor.add_enrollment(impostor.user_id("ana"), FREE)
    keys.pin_policy_keys(store, impostor.url, [pinned])
    assert pins(store) == [("k1", keys.POLICY)]
    ana = sign_in_as(impostor, "ana")
    with pytest.raises(ServerKeyChanged):
        ana.sync()
    assert stored(store) == []


def test_a_tampered_signature_in_the_store_is_caught_when_opened(
    signing: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(signing, "ana")
    ana.sync()
    with store.write() as session:
        row = session.exec(select(StoredPackage).where(StoredPackage.courseId == FREE)).one()
        row.version = 1
        row.sig = "A" * 86 + "=="
        session.add(row)
    with pytest.raises(SignatureInvalid, match="valid signature"):
        LearnService(store, ana.profile).get_course(FREE)


def test_a_server_without_signing_keeps_working_its_courses_unsigned(
    seed_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    seed_server.add_enrollment(seed_server.user_id("ana"), FREE)
    ana = sign_in_as(seed_server, "ana")
    report = ana.sync()
    assert not report.errors and report.courses_downloaded >= 1
    assert pins(store) == []
    assert stored(store) == [(1, None)]
    [course] = [c for c in LearnService(store, ana.profile).list_courses() if c.course_id == FREE]
    assert not course.signed


def test_the_lab_policy_pins_keys_and_refuses_malformed_ones(
    signing: ContractServer, tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from player.errors import ConfigError
    from player.policy import parse_policy

    good = f'[server]\nurl = "{signing.url}"\npublic_keys = ["{signing.pinned_key("k1")}"]\n'
    policy = parse_policy(good, tmp_path / "policy.toml")
    assert policy.public_keys == (signing.pinned_key("k1"),)
    with pytest.raises(ConfigError, match="KID:BASE64"):
        parse_policy('[server]\nurl = "https://x.org"\npublic_keys = ["k1"]\n', tmp_path / "p")
    path = tmp_path / "policy.toml"
    path.write_text(good, encoding="utf-8")
    code = main(["--data-dir", str(store.data_dir), "--config", str(path), "keys"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.split("\t")[:3] == [signing.url, "k1", keys.POLICY]


def test_a_key_change_ends_the_sync_command_with_a_guard_exit_code(
    signing: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ana = sign_in_as(signing, "ana")
    ana.sync()
    signing.rotate_key("k2", keep_old=False)
    code = main(["--data-dir", str(store.data_dir), "--profile", ana.profile.id, "sync"])
    _out, err = capsys.readouterr()
    assert code == 3 and "keys accept" in err
