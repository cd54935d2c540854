"""Breaks 1-3 of issue #9, end to end over real HTTP against the contract server and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from player.cli import main
from player.errors import PurchaseRequired
from player.export import guards
from player.services.learn import LearnService
from player.store.db import Store
from tests.server.app import ContractServer
from tests.server.fixtures import MakeServer
from tests.server.seeding import fixtures_dir
from tests.sync.conftest import SignInAs

FREE = "welcome-multilingual"
PAID = "git-basics"


def cli(capsys: pytest.CaptureFixture[str], store: Store, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(store.data_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def site_b(make_server: MakeServer) -> ContractServer:
    """Another institution whose server also calls its tenant ``t-north``; every course free."""
    server = make_server()
    server.add_tenant("t-north", "Site B")
    server.add_user("ana", "pw-ana", "t-north")  # the same user name, another account
    server.publish((fixtures_dir() / "git-basics.json").read_bytes(), "t-north")
    server.add_enrollment(server.user_id("ana"), PAID)
    return server


def test_break_1_another_servers_sync_never_opens_a_paid_course(
    contract_server: ContractServer,
    make_server: MakeServer,
    sign_in_as: SignInAs,
    store: Store,
    capsys: pytest.CaptureFixture[str],
) -> None:
    carol = sign_in_as(contract_server, "ana")  # site A: owns nothing
    carol.sync()
    dan = sign_in_as(site_b(make_server), "ana")  # site B: git-basics free and enrolled
    assert dan.profile.id != carol.profile.id
    report = dan.sync()
    assert report.courses_downloaded == 1

    with pytest.raises(PurchaseRequired):
        LearnService(store, carol.profile).get_lesson(PAID, 0)
    with pytest.raises(PurchaseRequired):
        guards.guard_export(store, carol.profile, PAID, "pdf")
    code, _out, err = cli(capsys, store, "--profile", carol.profile.id, "lesson", PAID, "0")
    assert code != 0 and "paid course" in err
    # Carol syncs again: still locked; Dan still reads his own server's copy
    carol.sync()
    with pytest.raises(PurchaseRequired):
        LearnService(store, carol.profile).get_lesson(PAID, 0)
    assert LearnService(store, dan.profile).get_lesson(PAID, 0).index == 0


def test_break_2_a_forged_file_never_replaces_a_bought_course(
    contract_server: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    contract_server.add_purchase(contract_server.user_id("ana"), "prod-git")
    alice = sign_in_as(contract_server, "ana")
    alice.sync()
    real = LearnService(store, alice.profile).get_course(PAID)
    forged = json.loads((fixtures_dir() / "git-basics.json").read_bytes())
    forged["version"] += 10
    forged["lessons"][0]["title"] = "Forged lesson"
    path = tmp_path / "update.json"
    path.write_text(json.dumps(forged), encoding="utf-8")
    assert cli(capsys, store, "--profile", "guest", "import", str(path))[0] == 0

    assert LearnService(store, alice.profile).get_course(PAID).version == real.version
    code, out, _ = cli(capsys, store, "--profile", alice.profile.id, "lesson", PAID, "0")
    assert code == 0 and "Forged lesson" not in out
    pdf = tmp_path / "alice.pdf"
    code, out, err = cli(
        capsys, store, "--profile", alice.profile.id, "export", "pdf", PAID, "-o", str(pdf)
    )
    assert code == 0, err
    assert guards.guard_export(store, alice.profile, PAID, "pdf").version == real.version
    code, out, _ = cli(capsys, store, "--profile", alice.profile.id, "list")
    rows = {line.split("\t")[0]: line.split("\t") for line in out.splitlines()}
    assert rows[PAID][1] == str(real.version) and rows[PAID][4] == "server"
    assert rows[f"file:{PAID}"][1] == str(real.version + 10)
    assert rows[f"file:{PAID}"][4:] == ["file", "update.json", "-"]
    code, out, _ = cli(capsys, store, "--profile", alice.profile.id, "lesson", f"file:{PAID}", "0")
    assert code == 0 and "Forged lesson" in out
    # a second sync finds the server course unchanged and downloads nothing
    assert alice.sync().courses_downloaded == 0


def test_break_3_a_free_course_opens_only_with_the_servers_consent(
    contract_server: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    ana = sign_in_as(contract_server, "ana")
    assert ana.sync().courses_downloaded == 1
    ben = sign_in_as(contract_server, "ben")  # not enrolled: the server answers 403
    ben.sync()

    code, out, err = cli(capsys, store, "--profile", ben.profile.id, "lesson", FREE, "0")
    assert code != 0 and out == "" and "not enrolled" in err
    pdf = str(tmp_path / "ben.pdf")
    code, _out, err = cli(
        capsys, store, "--profile", ben.profile.id, "export", "pdf", FREE, "-o", pdf
    )
    assert code != 0 and "not enrolled" in err
    # enrolling (free: no purchase) opens it
    assert cli(capsys, store, "--profile", ben.profile.id, "enroll", FREE)[0] == 0
    assert cli(capsys, store, "--profile", ben.profile.id, "lesson", FREE, "0")[0] == 0
