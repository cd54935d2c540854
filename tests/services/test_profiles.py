from __future__ import annotations

from typing import Any

import pytest

from player.errors import ProfileNotFound
from player.services import profiles
from player.store.db import Store


def test_guest_is_created_once(store: Store) -> None:
    first = profiles.ensure_guest(store)
    assert profiles.ensure_guest(store).id == first.id == "guest"
    assert first.isGuest and first.tenantId == profiles.LOCAL_TENANT


def test_last_used_learner_is_the_default(store: Store, make_learner: Any) -> None:
    assert profiles.last_used(store).id == "guest"
    ana = make_learner("ana")
    ben = make_learner("ben")
    assert profiles.last_used(store).id == ben.id
    profiles.touch(store, ana)
    assert profiles.last_used(store).id == ana.id
    assert [p.id for p in profiles.list_profiles(store)][-1] == "guest"


def test_unknown_profile_is_a_clear_error(store: Store) -> None:
    with pytest.raises(ProfileNotFound, match="no learner"):
        profiles.get_profile(store, "nobody@nowhere")
