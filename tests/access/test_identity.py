"""Request headers and bearer tokens to actors: trusted proxies only, IAP's prefix, configurable
header names, the default role, BARISTA_ADMINS, and none mode."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from barista_ui.access import roles
from barista_ui.access.actor import NONE_MODE, TOKEN, USER, Grant, operator
from barista_ui.access.identity import Identity
from barista_ui.access.roles import Forbidden, authorize
from barista_ui.access.service import AccessService
from data.db import make_engine, migrate, session_factory
from tests.access.matrix import settings


@pytest.fixture
def access(tmp_path: Path) -> AccessService:
    engine = make_engine(f"sqlite:///{tmp_path / 'id.db'}")
    migrate(engine)
    svc = AccessService(session_factory(engine), admins=frozenset({"Boss@Example.com"}))
    svc.grant("group:ml", "editor", "vision", actor=operator("root"))
    return svc


def identity(access: AccessService, **kw) -> Identity:
    return Identity(settings(**kw), access)


def test_headers_from_a_trusted_proxy_name_the_user_and_groups(access) -> None:
    who = identity(access).resolve_actor(
        {"X-Forwarded-Email": "Ana@Example.com", "X-Forwarded-Groups": "ml, staff"}, "10.0.0.7"
    )
    assert who is not None and who.name == "ana@example.com" and who.kind == USER
    assert who.groups == {"ml", "staff"}
    assert who.roles == {Grant("editor", "vision")}  # through the group; no default on top


def test_spoofed_headers_from_an_untrusted_address_are_ignored_and_logged(access, caplog) -> None:
    caplog.set_level(logging.WARNING, "barista.access")
    headers = {"X-Forwarded-Email": "boss@example.com", "X-Forwarded-Groups": "ml"}
    ident = identity(access)
    for client in ("192.168.1.9", "10.0.1.1", None, "not-an-address"):
        assert ident.resolve_actor(headers, client) is None
    assert "untrusted address 192.168.1.9 ignored" in caplog.text
    assert ident.resolve_actor(headers, "10.0.0.200") is not None  # inside 10.0.0.0/24


def test_google_iap_header_loses_its_prefix(access) -> None:
    who = identity(access).resolve_actor(
        {"X-Goog-Authenticated-User-Email": "accounts.google.com:boss@example.com"}, "10.0.0.1"
    )
    assert who is not None and who.name == "boss@example.com"
    assert who.roles == {Grant("admin")}  # BARISTA_ADMINS, case-insensitive


def test_header_names_are_configurable(access) -> None:
    ident = identity(access, email_header="X-Auth-Request-Email", groups_header="X-Auth-Groups")
    assert ident.resolve_actor({"X-Forwarded-Email": "ana@example.com"}, "10.0.0.1") is None
    who = ident.resolve_actor(
        {"x-auth-request-email": "ana@example.com", "x-auth-groups": "ml"}, "10.0.0.1"
    )
    assert who is not None and who.roles == {Grant("editor", "vision")}


def test_default_role_viewer_or_none(access, tmp_path: Path) -> None:
    who = identity(access).resolve_actor({"X-Forwarded-Email": "new@example.com"}, "10.0.0.1")
    assert who is not None and who.roles == {Grant("viewer")}
    authorize(who, roles.READ)
    strict = AccessService(access.new_session, default_role="none")
    who = Identity(settings(default_role="none"), strict).resolve_actor(
        {"X-Forwarded-Email": "new@example.com"}, "10.0.0.1"
    )
    assert who is not None and who.roles == frozenset()
    with pytest.raises(Forbidden, match="viewer needed to read"):
        authorize(who, roles.READ)


def test_bearer_token_acts_for_its_owner_and_a_bad_one_is_no_identity(access) -> None:
    made = access.create_token("ci", actor=operator("root"), owner="ana@example.com")
    ident = identity(access)
    who = ident.resolve_actor({"Authorization": f"Bearer {made.secret}"}, "203.0.113.9")
    assert who is not None and who.name == "ana@example.com" and who.kind == TOKEN
    headers = {"Authorization": "Bearer bar_wrong", "X-Forwarded-Email": "boss@example.com"}
    assert ident.resolve_actor(headers, "10.0.0.1") is None


def test_none_mode_everyone_may_act(access) -> None:
    who = identity(access, auth="none").resolve_actor({}, "127.0.0.1")
    assert who is not None and who.kind == NONE_MODE
    authorize(who, roles.ACCESS_MANAGE)


def test_forbidden_names_the_role_and_the_action(access) -> None:
    who = access.actor_for("vera@example.com")
    with pytest.raises(Forbidden) as denied:
        authorize(who, roles.MODELS_SCALE, "vision")
    assert str(denied.value) == "editor of team 'vision' needed to scale models"
    assert denied.value.permission.name == "models.scale"
