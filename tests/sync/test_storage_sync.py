"""Removing a server course: the next sync leaves it removed until the learner asks; notes,
progress and the resume point are there when it comes back. ``course-player storage/remove``."""

from __future__ import annotations

from sqlmodel import select

from player.services import notes, progress, storage
from player.store.db import Store
from player.store.models import StoredPackage
from tests.server.app import ContractServer
from tests.sync.conftest import SignInAs
from tests.sync.test_cli_sync import Cli, table
from tests.sync.test_cli_sync import cli as cli  # the fixture
from tests.sync.test_engine import FREE


def stored(store: Store, course_id: str) -> list[int]:
    with store.read() as session:
        return list(
            session.exec(
                select(StoredPackage.version).where(StoredPackage.courseId == course_id)
            ).all()
        )


def test_a_removed_course_stays_removed_until_asked_for(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    ana = sign_in_as(contract_server, "ana")
    assert ana.sync().courses_downloaded == 1
    progress.set_lesson_completed(store, ana.profile, FREE, 0)
    notes.add_note(store, ana.profile, FREE, 1, "still here")

    storage.remove_course(store, ana.profile, FREE)
    contract_server.reset_requests()
    report = ana.sync()
    assert report.delivered and report.courses_downloaded == 0
    assert stored(store, FREE) == [] and contract_server.bodies_sent == 0
    assert storage.usage(store, ana.profile).courses == ()

    assert storage.request_download(store, ana.profile, FREE)
    assert ana.sync().courses_downloaded == 1
    assert stored(store, FREE) == [1]
    assert progress.get_progress(store, ana.profile, FREE).completed == {0}
    assert [i.text for i in notes.list_notes(store, ana.profile)] == ["still here"]
    assert ana.sync().courses_downloaded == 0  # asked for once, then an ordinary course again


def test_storage_remove_and_sync_download_on_the_command_line(
    contract_server: ContractServer, cli: Cli
) -> None:
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    code, out, err = cli("sync", "--server", contract_server.url, "--user", "ana")
    assert code == 0, err
    code, out, _ = cli("storage")
    rows = table(out)
    assert rows[FREE][1] == "1" and int(rows[FREE][0]) > 0
    assert int(rows["total"][0]) >= int(rows[FREE][0])
    code, out, _ = cli("remove", FREE)
    assert code == 0 and out.startswith(f"removed\t{FREE}\t")
    code, out, err = cli("sync")
    assert code == 0, err
    assert table(out)["courses"][0] == "downloaded 0"
    code, out, _ = cli("storage")
    assert FREE not in table(out)
    code, out, err = cli("sync", "--download", FREE)
    assert code == 0, err
    assert table(out)["courses"][0] == "downloaded 1"
    code, out, err = cli("remove", "nope")
    assert code == 1 and "no course" in err
