"""The page in proxy mode: who the proxy says is at the browser decides what the page offers.
A viewer gets no edit controls, an editor only on their team's rows, a request without an
identity (or with headers from an address that is no proxy) gets no page."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from nicegui.testing import User

from barista_ui.access.actor import operator
from barista_ui.access.service import AccessService
from data.db import make_engine, migrate, session_factory


@pytest.fixture
def proxy_env(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BARISTA_AUTH", "proxy")
    monkeypatch.setenv("BARISTA_TRUSTED_PROXIES", "127.0.0.1/32")  # the test client's address
    monkeypatch.setenv("BARISTA_ADMINS", "ada@example.com")
    return app_env


def access_for(db: Path) -> AccessService:
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    return AccessService(session_factory(engine))


def sign_in(user: User, email: str, groups: str = "") -> None:
    user.http_client.headers.update({"X-Forwarded-Email": email, "X-Forwarded-Groups": groups})


def rows(user: User) -> list[dict]:
    return user.find(marker="models-table").elements.pop().rows


async def test_a_viewer_sees_everything_and_no_edit_controls(proxy_env: Path, user: User) -> None:
    sign_in(user, "vera@example.com")
    await user.open("/")
    await user.should_see("40 models", retries=30)
    assert rows(user) and not any(r["edit"] for r in rows(user))
    new = user.find(marker="new-model").elements.pop()
    assert new.props.get("disable") is True
    assert new.props.get("data-needs") == "editor of a team"
    user.find(marker="models-table").trigger("open", {"key": "ml-prod/face-blur"})
    await user.should_see(marker="panel-edit", retries=30)
    for marker in ("panel-edit", "panel-delete"):
        assert user.find(marker=marker).elements.pop().props.get("disable") is True
    user.find(marker="user-button").click()
    await user.should_see("Signed in as vera@example.com (viewer)")
    await user.should_not_see(marker="user-name")  # no typed name in proxy mode


@pytest.fixture
def cv_editors(proxy_env: Path) -> Path:
    """The group cv edits team vision (granted before the app starts)."""
    access_for(proxy_env).grant("group:cv", "editor", "vision", actor=operator("root"))
    return proxy_env


@pytest.fixture
def no_proxy_here(proxy_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The proxies are elsewhere: the test client's address is not one of them."""
    monkeypatch.setenv("BARISTA_TRUSTED_PROXIES", "10.0.0.0/8")
    return proxy_env


async def test_an_editor_gets_controls_on_their_teams_rows_only(
    cv_editors: Path, user: User
) -> None:
    sign_in(user, "eddie@example.com", "cv,staff")
    await user.open("/")
    await user.should_see("40 models", retries=30)
    editable = {r["team"] for r in rows(user) if r["edit"]}
    assert editable == {"vision"}
    assert any(not r["edit"] for r in rows(user))
    assert user.find(marker="new-model").elements.pop().props.get("disable") is not True


async def test_no_identity_no_page(proxy_env: Path, user: User) -> None:
    await user.open("/")
    await user.should_see(marker="sign-in-needed")
    await user.should_not_see(marker="models-table")


async def test_headers_from_an_address_that_is_no_proxy_are_ignored(
    no_proxy_here: Path, user: User
) -> None:
    sign_in(user, "ada@example.com")
    await user.open("/")
    await user.should_see(marker="sign-in-needed")


async def test_an_admin_grants_a_role_and_creates_a_token_shown_once(
    proxy_env: Path, user: User
) -> None:
    sign_in(user, "ada@example.com")
    await user.open("/")
    await user.should_see("40 models", retries=30)
    user.find(marker="user-button").click()
    user.find(marker="open-access").click()
    await user.should_see(marker="grant-subject", retries=30)
    user.find(marker="grant-subject").type("user:otto@example.com")
    user.find(marker="grant-role").elements.pop().value = "editor"
    user.find(marker="grant-team").type("nlp")
    user.find(marker="grant-button").click()
    await user.should_see("user:otto@example.com: editor granted", retries=30)
    held = await asyncio.to_thread(access_for(proxy_env).roles_for, "otto@example.com")
    assert {(g.role, g.team) for g in held} == {("editor", "nlp")}
    user.find(marker="token-name").type("laptop")
    user.find(marker="token-create").click()
    await user.should_see(marker="token-secret", retries=30)
    secret = user.find(marker="token-secret").elements.pop().value
    who = await asyncio.to_thread(access_for(proxy_env).actor_for_token, secret)
    assert who is not None and who.name == "ada@example.com"
