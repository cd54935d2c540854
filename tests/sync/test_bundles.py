"""Course bundles end to end: a signing server, one learner's bundle, a lab machine importing it;
a forged bundle, a wrong signature, an unknown key, path tricks (issue #9)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from player.cli import main
from player.errors import BundleError
from player.services import bundles, keys
from player.store.db import Store
from player.store.models import Enrollment, LessonNote, LessonProgress, StoredPackage
from tests.server.app import ContractServer
from tests.sync.conftest import SignInAs

FREE = "welcome-multilingual"
PAID = "git-basics"


def cli(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def rows(data: Path) -> list[tuple[str, int, str, str | None]]:
    store = Store(data)
    try:
        with store.read() as session:
            return sorted(
                (p.courseId, p.version, p.server, p.sigKid)
                for p in session.exec(select(StoredPackage))
            )
    finally:
        store.close()


@pytest.fixture
def made(
    contract_server: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> Path:
    """A bundle of ana's two courses, written on the technician's machine."""
    contract_server.enable_signing("k1")
    ana_id = contract_server.user_id("ana")
    contract_server.add_enrollment(ana_id, FREE)
    contract_server.add_purchase(ana_id, "prod-git")
    ana = sign_in_as(contract_server, "ana")
    assert ana.sync().courses_downloaded == 2
    out = tmp_path / "lab.zip"
    code, printed, err = cli(capsys, store.data_dir, "--profile", ana.profile.id, "bundle",
                             "-o", str(out), "--all")  # fmt: skip
    assert code == 0, err
    assert sorted(line.split("\t")[1] for line in printed.splitlines()) == [PAID, FREE]
    return out


def lab_machine(tmp_path: Path, server: ContractServer, name: str = "lab") -> Path:
    """A lab machine's data folder with the server's key pinned by its lab policy."""
    data = tmp_path / name
    store = Store(data)
    keys.pin_policy_keys(store, server.url, [server.pinned_key("k1")])
    store.close()
    return data


def test_a_bundle_provisions_a_lab_machine_and_a_sync_downloads_nothing(
    made: Path,
    contract_server: ContractServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with zipfile.ZipFile(made) as zf:
        manifest = json.loads(zf.read("bundle.json"))
        assert manifest["format"] == "course-bundle/1"
        assert manifest["origin"] == contract_server.url and manifest["tenantId"] == "t-north"
        for course in manifest["courses"]:
            assert course["signature"]["kid"] == "k1"
            assert f"packages/{course['sha256']}.json" in zf.namelist()
    data = lab_machine(tmp_path, contract_server)
    code, out, err = cli(capsys, data, "import", str(made))
    assert code == 0, err
    assert out.startswith("imported bundle\t") and out.rstrip().endswith("\t2\t2")
    assert rows(data) == [
        (PAID, 2, contract_server.url, "k1"),
        (FREE, 1, contract_server.url, "k1"),
    ]
    # the guest does not open a server's course
    code, _out, _err = cli(capsys, data, "--profile", "guest", "lesson", FREE, "0")
    assert code != 0
    # ben of the same tenant signs in on the lab machine: the courses are there, a sync
    # downloads nothing
    from player.sync.engine import sync
    from player.sync.server_signin import open_client, sign_in
    from player.sync.tokens import TokenStore

    store = Store(data)
    try:
        tokens = TokenStore()
        contract_server.add_enrollment(contract_server.user_id("ben"), FREE)
        ben = sign_in(store, contract_server.url, "ben", "pw-ben", tokens=tokens).profile
        with open_client(ben, tokens=tokens) as client:
            report = sync(store, ben, client)
        assert report.courses_downloaded == 0 and not report.errors
        assert contract_server.bodies_sent == 2  # only the technician's first sync
    finally:
        store.close()


def _rewrite(src: Path, dst: Path, change: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, change.pop(name, zin.read(name)))
        for name, data in change.items():
            zout.writestr(name, data)
    return dst


def test_a_forged_or_wrongly_signed_bundle_is_refused_whole(
    made: Path, contract_server: ContractServer, tmp_path: Path
) -> None:
    data = lab_machine(tmp_path, contract_server)
    with zipfile.ZipFile(made) as zf:
        manifest = json.loads(zf.read("bundle.json"))
    # 1. a package altered (and its manifest sha256 with it): the signature does not verify
    first = manifest["courses"][0]
    with zipfile.ZipFile(made) as zf:
        body = json.loads(zf.read(f"packages/{first['sha256']}.json"))
    body["lessons"][0]["title"] = "Forged"
    forged_raw = json.dumps(body).encode()
    import hashlib

    forged_sha = hashlib.sha256(forged_raw).hexdigest()
    forged = json.loads(json.dumps(manifest))
    forged["courses"][0]["sha256"] = forged_sha
    bad = _rewrite(made, tmp_path / "forged.zip", {
        "bundle.json": json.dumps(forged).encode(),
        f"packages/{forged_sha}.json": forged_raw,
    })  # fmt: skip
    # 2. a signature swapped between courses
    swapped = json.loads(json.dumps(manifest))
    a, b = swapped["courses"]
    a["signature"], b["signature"] = b["signature"], a["signature"]
    wrong = _rewrite(made, tmp_path / "wrong.zip", {"bundle.json": json.dumps(swapped).encode()})
    for path in (bad, wrong):
        store = Store(data)
        try:
            with pytest.raises(BundleError, match="nothing of it was stored"):
                bundles.import_bundle(store, path)
        finally:
            store.close()
        assert rows(data) == []


def test_a_bundle_from_a_server_whose_key_is_unknown_says_how_to_pin_it(
    made: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, tmp_path / "fresh", "import", str(made))
    assert code != 0 and out == ""
    assert "does not know" in err and "public_keys" in err
    assert rows(tmp_path / "fresh") == []


@pytest.mark.parametrize(
    "member",
    ["../evil.json", "/etc/passwd", "packages/../../x.json", "packages/notahash.json", "x.py"],
)
def test_path_tricks_are_refused(
    made: Path, contract_server: ContractServer, tmp_path: Path, member: str
) -> None:
    data = lab_machine(tmp_path, contract_server)
    trick = _rewrite(made, tmp_path / "trick.zip", {member: b"{}"})
    store = Store(data)
    try:
        with pytest.raises(BundleError, match="unexpected file"):
            bundles.import_bundle(store, trick)
    finally:
        store.close()
    assert rows(data) == [] and not (tmp_path / "evil.json").exists()


def test_a_zip_bomb_member_is_refused_while_reading(
    made: Path, contract_server: ContractServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = lab_machine(tmp_path, contract_server)
    monkeypatch.setattr(bundles, "MAX_MANIFEST_BYTES", 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bundle.json", b" " * 10_000_000)  # compresses to a few kB
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(buffer.getvalue())
    assert bomb.stat().st_size < 100_000
    store = Store(data)
    try:
        with pytest.raises(BundleError, match="too large"):
            bundles.import_bundle(store, bomb)
    finally:
        store.close()


# --- a lab policy naming the server: every learner sees its courses (issue #9) ----------------


def _policy(tmp_path: Path, server_url: str, tenant: str | None = "t-north") -> Path:
    path = tmp_path / f"policy-{len(list(tmp_path.glob('policy-*')))}.toml"
    text = f'[server]\nurl = "{server_url}"\n'
    if tenant is not None:
        text += f'tenant = "{tenant}"\n'
    path.write_text(text, encoding="utf-8")
    return path


def _listed(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> dict[str, list[str]]:
    code, out, err = cli(capsys, data, *argv, "list")
    assert code == 0, err
    return {line.split("\t")[0]: line.split("\t")[3:] for line in out.splitlines()}


def _other_server_learner(data: Path) -> str:
    from player.services import profiles

    store = Store(data)
    try:
        return profiles.upsert_server_profile(
            store, user_id="u1", name="Dan", tenant_id="t-north",
            server_url="https://other.example.org", username="dan",
        ).id  # fmt: skip
    finally:
        store.close()


def test_a_lab_policy_naming_the_server_lists_its_courses_for_every_learner(
    made: Path,
    contract_server: ContractServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = lab_machine(tmp_path, contract_server)
    code, _out, err = cli(capsys, data, "import", str(made))
    assert code == 0, err
    dan = _other_server_learner(data)
    names_it = str(_policy(tmp_path, contract_server.url))
    sign_in = ["sign in to open", "server", contract_server.url, "signed"]
    for who in ("guest", dan):
        assert _listed(capsys, data, "--config", names_it, "--profile", who) == {
            PAID: sign_in,
            FREE: sign_in,
        }
        # shown, never opened: the content stays closed, with a message that says what to do
        for argv in (
            ("lesson", FREE, "0"),
            ("progress", PAID),
            ("enroll", FREE),
            ("complete", FREE, "0"),
            ("bookmark", FREE, "0"),
            ("note", FREE, "0", "hello"),
            ("export", "pdf", FREE, "-o", str(tmp_path / "x.pdf")),
        ):
            code, out, err = cli(capsys, data, "--config", names_it, "--profile", who, *argv)
            assert code == 3 and out == ""
            assert "Sign in with your account of that server" in err
        assert not (tmp_path / "x.pdf").exists()
    assert rows(data) == [
        (PAID, 2, contract_server.url, "k1"),
        (FREE, 1, contract_server.url, "k1"),
    ]
    store = Store(data)  # nothing was written for them: no enrollment, progress or note
    try:
        with store.read() as session:
            for table in (Enrollment, LessonProgress, LessonNote):
                assert session.exec(select(table)).first() is None, table
    finally:
        store.close()
    # without a policy, or with one naming another server or tenant, they are not listed
    other_server = str(_policy(tmp_path, "https://other.example.org"))
    other_tenant = str(_policy(tmp_path, contract_server.url, tenant="t-south"))
    for who in ("guest", dan):
        assert _listed(capsys, data, "--profile", who) == {}
        assert _listed(capsys, data, "--config", other_server, "--profile", who) == {}
        assert _listed(capsys, data, "--config", other_tenant, "--profile", who) == {}
    # a policy without a tenant names every tenant of the server
    any_tenant = str(_policy(tmp_path, contract_server.url, tenant=None))
    assert set(_listed(capsys, data, "--config", any_tenant, "--profile", "guest")) == {PAID, FREE}


def test_a_learner_of_the_lab_server_sees_the_bundled_courses_with_their_own_state(
    made: Path,
    contract_server: ContractServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from player.sync.engine import sync
    from player.sync.server_signin import open_client, sign_in
    from player.sync.tokens import TokenStore

    data = lab_machine(tmp_path, contract_server)
    assert cli(capsys, data, "import", str(made))[0] == 0
    store = Store(data)
    try:
        tokens = TokenStore()
        ben = sign_in(store, contract_server.url, "ben", "pw-ben", tokens=tokens).profile
        with open_client(ben, tokens=tokens) as client:
            assert sync(store, ben, client).courses_downloaded == 0  # the bundle had them
    finally:
        store.close()
    names_it = str(_policy(tmp_path, contract_server.url))
    listed = _listed(capsys, data, "--config", names_it, "--profile", ben.id)
    # ben has bought nothing: the paid course is locked, the free one opens once he enrolls
    assert listed == {
        PAID: ["locked", "server", contract_server.url, "signed"],
        FREE: ["ready", "server", contract_server.url, "signed"],
    }
    code, _out, err = cli(capsys, data, "--config", names_it, "--profile", ben.id,
                          "lesson", PAID, "0")  # fmt: skip
    assert code == 3 and "paid course" in err


def test_a_server_without_signing_lists_its_courses_as_unsigned(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    ana_id = contract_server.user_id("ana")
    contract_server.add_enrollment(ana_id, FREE)
    ana = sign_in_as(contract_server, "ana")
    assert ana.sync().courses_downloaded >= 1
    listed = _listed(capsys, store.data_dir, "--profile", ana.profile.id)
    assert listed[FREE] == ["ready", "server", contract_server.url, "unsigned"]
    assert listed[PAID][3] == "unsigned"  # offered, not downloaded: its server does not sign
    contract_server.enable_signing("k1")
    ana.sync()  # pins the key it now publishes (trust on first use)
    listed = _listed(capsys, store.data_dir, "--profile", ana.profile.id)
    assert listed[PAID][3] == "signed"  # the server now signs: it will be verified
