"""The API with authentication on (BARISTA_AUTH=proxy): bearer tokens and trusted proxy
headers resolve the actor, 401 without one, 403 naming the permission, changes attributed to
the authenticated user; spoofed headers from an untrusted address are ignored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.routing import Mount

from barista_ui.access.actor import operator
from barista_ui.api.server import create_api
from barista_ui.app import App, build_app
from barista_ui.settings import Settings
from tests.conftest import base_record

ADMIN = "root@example.com"


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[App]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        cluster="none",
        seed_demo=False,
        scheduler_enabled=False,
        auth="proxy",
        trusted_proxies="10.0.0.0/8",
        admins=ADMIN,
    )
    app = build_app(settings, embedded=False)
    yield app
    app.stop()


def client_for(app: App, host: str = "testclient") -> TestClient:
    server = Starlette(routes=[Mount("/api", app=create_api(app))])
    return TestClient(server, base_url="http://testserver/api", client=(host, 5000))


def bearer(app: App, who: str) -> dict[str, str]:
    made = app.access.create_token("test", actor=operator(ADMIN), owner=who)
    return {"Authorization": f"Bearer {made.secret}"}


def test_no_identity_is_401_problem(secured: App) -> None:
    api = client_for(secured)
    res = api.get("/v1/models")
    assert res.status_code == 401 and res.headers["WWW-Authenticate"] == "Bearer"
    assert res.json()["type"].endswith("/not-authenticated")
    assert api.post("/v1/models", json=base_record()).status_code == 401


def test_spoofed_proxy_headers_from_untrusted_address_are_ignored(secured: App) -> None:
    spoof = {"X-Forwarded-Email": ADMIN}
    assert (
        client_for(secured, "192.0.2.7")
        .post("/v1/models", json=base_record(), headers=spoof)
        .status_code
        == 401
    )
    trusted = client_for(secured, "10.1.2.3").post("/v1/models", json=base_record(), headers=spoof)
    assert trusted.status_code == 201
    hist = secured.registry.history("fraud-scorer", "ml-prod")
    assert hist[0].actor == ADMIN and hist[0].source == "api"


def test_viewer_403_names_permission_editor_of_team_allowed(secured: App) -> None:
    api = client_for(secured)
    viewer = bearer(secured, "vic@example.com")  # no binding: the default role, viewer
    assert api.get("/v1/models", headers=viewer).status_code == 200
    res = api.post("/v1/models", json=base_record(), headers=viewer)
    assert res.status_code == 403
    assert (
        res.json()["permission"] == "models.create"
        and "editor of team 'payments'" in res.json()["detail"]
    )
    secured.access.grant("user:eve@example.com", "editor", "payments", actor=operator(ADMIN))
    editor = bearer(secured, "eve@example.com")
    assert api.post("/v1/models", json=base_record(), headers=editor).status_code == 201
    other = api.post("/v1/models", json=base_record(name="x", team="search"), headers=editor)
    assert other.status_code == 403
    assert secured.registry.history("fraud-scorer", "ml-prod")[0].actor == "eve@example.com"
    assert api.get("/v1/whoami", headers=editor).json()["identity"] == "eve@example.com"


def test_tokens_and_bindings_over_http(secured: App) -> None:
    api = client_for(secured)
    admin = bearer(secured, ADMIN)
    res = api.post(
        "/v1/access/bindings", json={"subject": "group:ml", "role": "viewer"}, headers=admin
    )
    assert res.status_code == 200 and res.json() == {"granted": True}
    assert any(
        b["subject"] == "group:ml" for b in api.get("/v1/access/bindings", headers=admin).json()
    )
    bad = api.post(
        "/v1/access/bindings", json={"subject": "group:ml", "role": "editor"}, headers=admin
    )
    assert bad.status_code == 422  # an editor needs a team
    viewer = bearer(secured, "vic@example.com")
    denied = api.post(
        "/v1/access/bindings",
        json={"subject": "user:vic@example.com", "role": "admin"},
        headers=viewer,
    )
    assert denied.status_code == 403
    actions = [
        (e["action"], e["subject"]) for e in api.get("/v1/access/audit", headers=admin).json()
    ]
    assert ("grant", "group:ml") in actions
    listed = api.get("/v1/access/tokens", headers=viewer).json()
    assert [t["owner"] for t in listed] == ["vic@example.com"]
    gone = api.delete(f"/v1/access/tokens/{listed[0]['id']}", headers=viewer)
    assert gone.status_code == 200 and gone.json()["revoked_at"]
    assert api.get("/v1/models", headers=viewer).status_code == 401  # revoked: no identity


def test_cookie_callers_need_the_csrf_header_bearer_callers_do_not(secured: App) -> None:
    api = client_for(secured, "10.1.2.3")  # through the trusted proxy, which sets the identity
    me = {"X-Forwarded-Email": ADMIN}
    token = api.get("/v1/csrf", headers=me).json()["token"]  # sets the cookie on the client
    res = api.post("/v1/models", json=base_record(), headers=me)
    assert res.status_code == 403 and res.json()["type"].endswith("/csrf")
    assert secured.registry.find("fraud-scorer", "ml-prod") is None
    ok = api.post("/v1/models", json=base_record(), headers={**me, "X-Barista-CSRF": token})
    assert ok.status_code == 201
    with_token = api.post(
        "/v1/models", json=base_record(name="other"), headers=bearer(secured, ADMIN)
    )
    assert with_token.status_code == 201  # bearer calls need no CSRF header, cookies or not
