"""Learners known on this machine: the local guest and the people who signed in to a server."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from player.errors import ProfileNotFound
from player.i18n import _
from player.origin import LOCAL, normalize_origin, origin_host
from player.store.db import Store
from player.store.models import Profile, Tenant
from player.timeutil import utcnow

GUEST_ID = "guest"
LOCAL_TENANT = "local"


def ensure_guest(store: Store) -> Profile:
    """The local guest profile, which reads the bundled and imported courses with no server."""
    with store.read() as session:
        guest = session.get(Profile, GUEST_ID)
    if guest is not None:
        return guest
    with store.write() as session:
        guest = session.get(Profile, GUEST_ID)
        if guest is None:
            if session.get(Tenant, (LOCAL, LOCAL_TENANT)) is None:
                session.add(Tenant(server=LOCAL, id=LOCAL_TENANT, name=_("This computer")))
            guest = Profile(
                id=GUEST_ID,
                server=LOCAL,
                userId=GUEST_ID,
                displayName=_("Guest"),
                tenantId=LOCAL_TENANT,
                isGuest=True,
                createdAt=utcnow(),
            )
            session.add(guest)
        return guest


def profile_id_for(user_id: str, server_url: str) -> str:
    return f"{user_id}@{origin_host(normalize_origin(server_url))}"


def find_server_profile(session: Session, server: str, user_id: str) -> Profile | None:
    """The profile of one server account (a profile belongs to exactly one)."""
    return session.exec(
        select(Profile).where(Profile.server == server, Profile.userId == user_id)
    ).first()


def upsert_server_profile(
    store: Store, *, user_id: str, name: str, tenant_id: str, server_url: str, username: str
) -> Profile:
    """Record (or refresh) a learner after a successful sign-in."""
    server = normalize_origin(server_url)
    with store.write() as session:
        if session.get(Tenant, (server, tenant_id)) is None:
            session.add(Tenant(server=server, id=tenant_id, name=tenant_id, serverUrl=server_url))
        profile = find_server_profile(session, server, user_id)
        if profile is None:
            profile = Profile(
                id=profile_id_for(user_id, server_url),
                server=server,
                userId=user_id,
                displayName=name,
                tenantId=tenant_id,
                serverUrl=server_url,
                username=username,
                createdAt=utcnow(),
            )
        else:
            profile.displayName = name
            profile.tenantId = tenant_id
            profile.username = username
        profile.lastUsedAt = utcnow()
        session.add(profile)
        return profile


def list_profiles(store: Store) -> list[Profile]:
    """Every learner on this machine, most recently used first, the guest last."""
    ensure_guest(store)
    with store.read() as session:
        profiles = list(session.exec(select(Profile)))
    return sorted(
        profiles,
        key=lambda p: (
            p.isGuest,
            -(p.lastUsedAt.timestamp() if p.lastUsedAt else 0),
            p.displayName.lower(),
        ),
    )


@dataclass(frozen=True, slots=True)
class Learners:
    """Who learns on this machine: ``known`` as ``list_profiles`` orders them; ``last`` used it
    last (else the guest)."""

    known: list[Profile]
    last: Profile


def learners(store: Store) -> Learners:
    """The learners to choose from; creates the guest the first time (a write)."""
    known = list_profiles(store)
    return Learners(known, last_used(store))


def get_profile(store: Store, profile_id: str) -> Profile:
    with store.read() as session:
        profile = session.get(Profile, profile_id)
    if profile is None:
        if profile_id == GUEST_ID:
            return ensure_guest(store)
        raise ProfileNotFound(
            _(
                "There is no learner “{id}” on this computer. “course-player profiles” lists them."
            ).format(id=profile_id)
        )
    return profile


def last_used(store: Store) -> Profile:
    """The learner who used the machine last, else the guest."""
    with store.read() as session:
        profile = session.exec(
            select(Profile)
            .where(col(Profile.lastUsedAt).is_not(None))
            .order_by(col(Profile.lastUsedAt).desc())
        ).first()
    return profile or ensure_guest(store)


def touch(store: Store, profile: Profile) -> None:
    """Remember ``profile`` as the machine's last learner."""
    with store.write() as session:
        row = session.get(Profile, profile.id)
        if row is not None:
            row.lastUsedAt = utcnow()
            session.add(row)
