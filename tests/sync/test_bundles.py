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
from player.store.models import StoredPackage
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
