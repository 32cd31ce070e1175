"""API tokens: stored as a hash only, shown once, expiry, revocation, last use, ownership."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from barista_ui.access.actor import operator
from barista_ui.access.bindings import AccessError
from barista_ui.access.roles import Forbidden
from barista_ui.access.service import AccessService
from data.access_tables import AccessAudit, ApiToken
from data.db import make_engine, migrate, session_factory, transaction

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def access(tmp_path: Path, clock: Clock) -> AccessService:
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    migrate(engine)
    return AccessService(session_factory(engine), token_days=30, clock=clock)


def rows(access: AccessService) -> list[ApiToken]:
    with transaction(access.new_session) as s:
        return list(s.exec(select(ApiToken)).all())


def test_only_the_hash_is_stored_and_the_secret_is_shown_once(access) -> None:
    vera = access.actor_for("vera@example.com")  # the default role: viewer
    made = access.create_token("laptop", actor=vera)
    (row,) = rows(access)
    assert row.token_hash == hashlib.sha256(made.secret.encode()).hexdigest()
    assert made.secret not in str(row.model_dump())
    assert made.secret.startswith("bar_") and len(made.secret) > 40
    assert row.expires_at == T0 + timedelta(days=30) and row.owner == "vera@example.com"
    listed = access.tokens(actor=vera)
    assert [t.name for t in listed] == ["laptop"] and not hasattr(listed[0], "secret")


def test_expiry(access, clock) -> None:
    made = access.create_token("short", actor=operator("ana"), days=1)
    assert access.actor_for_token(made.secret) is not None
    clock.now = T0 + timedelta(days=1)
    assert access.actor_for_token(made.secret) is None
    assert access.tokens(actor=operator("ana"))[0].state(clock.now) == "expired"


def test_revocation_by_owner_or_admin_only(access) -> None:
    vera, otto = access.actor_for("vera@example.com"), access.actor_for("otto@example.com")
    made = access.create_token("laptop", actor=vera)
    token_id = made.token.id
    with pytest.raises(Forbidden, match="admin needed to manage other users' API tokens"):
        access.revoke_token(token_id, actor=otto)
    assert access.actor_for_token(made.secret) is not None
    access.revoke_token(token_id, actor=vera)
    assert access.actor_for_token(made.secret) is None
    with pytest.raises(AccessError, match="revoked already"):
        access.revoke_token(token_id, actor=operator("admin"))
    with transaction(access.new_session) as s:
        actions = [a.action for a in s.exec(select(AccessAudit)).all()]
    assert actions == ["token-create", "token-revoke"]


def test_last_used_is_noted_at_most_once_a_minute(access, clock) -> None:
    made = access.create_token("ci", actor=operator("ana"))
    assert rows(access)[0].last_used_at is None
    clock.now = T0 + timedelta(minutes=5)
    access.actor_for_token(made.secret)
    assert rows(access)[0].last_used_at == clock.now
    clock.now += timedelta(seconds=30)
    access.actor_for_token(made.secret)
    assert rows(access)[0].last_used_at == T0 + timedelta(minutes=5)
    clock.now += timedelta(minutes=1)
    access.actor_for_token(made.secret)
    assert rows(access)[0].last_used_at == clock.now


def test_a_token_cannot_mint_tokens_and_unknown_secrets_fail(access) -> None:
    made = access.create_token("ci", actor=operator("ana"))
    as_token = access.actor_for_token(made.secret)
    assert as_token is not None and as_token.kind == "token"
    with pytest.raises(AccessError, match="cannot create tokens"):
        access.create_token("more", actor=as_token)
    for secret in ("", "bar_", made.secret + "x", "x" * 500, made.secret[4:]):
        assert access.actor_for_token(secret) is None


def test_others_tokens_are_listed_for_admins_only(access) -> None:
    access.create_token("a", actor=access.actor_for("vera@example.com"))
    access.create_token("b", actor=access.actor_for("otto@example.com"))
    assert [t.name for t in access.tokens(actor=operator("root"), everyone=True)] == ["b", "a"]
    with pytest.raises(Forbidden):
        access.tokens(actor=access.actor_for("vera@example.com"), everyone=True)
