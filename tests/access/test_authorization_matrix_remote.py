"""The authorisation matrix (tests/access/matrix.py) over the HTTP API and through the remote
CLI: the same allowed table as the service calls, anonymous 401 (CLI exit 3), a signed-in
identity without the role 403 (exit 3), nothing changed when denied, and every allowed change
recorded under the acting user's e-mail.

HTTP: proxy identity headers from the trusted proxy address. Remote CLI: each identity's own
API token (``barista login`` / BARISTA_TOKEN), the CLI's HTTP client wired to the API
application in this process (the live-server path is tests/cli/test_remote_cli.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.routing import Mount

from barista_ui.api.server import create_api
from barista_ui.app import App, build_app
from barista_ui.cost.rates import DEFAULT_PRICES
from tests.access.matrix import (
    GROUPS,
    IDENTITIES,
    OPERATIONS,
    PROXY,
    World,
    _billing,
    _eddies_token,
    build_world,
    copy_world,
    fingerprint,
    seed,
    settings,
    vision,
)

ONE = "/v1/models/ml-vision/detector"
OVERRIDE = "/v1/schedules/models/ml-vision/detector/override"
V2 = {"If-Match": '"2"'}


def _until() -> str:
    return (datetime.now(UTC) + timedelta(hours=3)).isoformat()


def _prices() -> dict:
    entry = asdict(replace(DEFAULT_PRICES, cpu_hourly=0.05, as_of=date(2026, 11, 1)))
    return {"entries": [{**entry, "as_of": "2026-11-01"}]}


@dataclass(frozen=True)
class Call:
    method: str
    path: str | Any  # or a function of the world
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None


HTTP: dict[str, Call] = {
    "models.create": Call("POST", "/v1/models", vision(name="segmenter")),
    "models.update": Call("PUT", ONE, vision(replicas=4), V2),
    "models.update (move to another team)": Call("PUT", ONE, {**vision(), "team": "nlp"}, V2),
    "models.toggle": Call("PATCH", ONE, {"enabled": False}, V2),
    "models.scale": Call("PATCH", ONE, {"replicas": 5}, V2),
    "models.delete": Call("DELETE", ONE, headers=V2),
    "models.rollback": Call("POST", ONE + "/rollback", {"revision": 1}),
    "models.apply": Call("POST", "/v1/models/apply", {"records": [vision(replicas=6)]}),
    "schedules.team": Call(
        "PUT", "/v1/schedules/teams/vision", {"uptime": "Mon-Fri 08:00-18:00", "timezone": "UTC"}
    ),
    "schedules.global": Call(
        "PUT", "/v1/schedules/global", {"uptime": "Mon-Fri 07:00-19:00", "timezone": "UTC"}
    ),
    "overrides.set": Call("PUT", OVERRIDE, None),  # body filled at run time (a future time)
    "overrides.clear": Call("DELETE", OVERRIDE),
    "cost.prices": Call("PUT", "/v1/cost/prices", _prices()),
    "cost.budgets": Call("PUT", "/v1/cost/budgets/vision", {"monthly_usd": 250.0}),
    "cost.billing": Call(
        "POST",
        "/v1/cost/billing-imports",
        params={"format": "focus", "filename": "oct.csv"},
        content=_billing(),
        headers={"Content-Type": "text/csv"},
    ),
    "access.grant": Call(
        "POST",
        "/v1/access/bindings",
        {"subject": "user:new@example.com", "role": "editor", "team": "vision"},
    ),
    "access.revoke": Call(
        "DELETE",
        "/v1/access/bindings",
        params={"subject": "user:gone@example.com", "role": "viewer"},
    ),
    "tokens.create (own)": Call("POST", "/v1/access/tokens", {"name": "mine"}),
    "tokens.create (for another user)": Call(
        "POST", "/v1/access/tokens", {"name": "bot", "owner": "ci-bot@example.com"}
    ),
    "tokens.revoke (another user's)": Call(
        "DELETE", lambda w: f"/v1/access/tokens/{_eddies_token(w)}"
    ),
}

# the remote CLI's command for each operation it offers (the rest are local-only commands)
CLI: dict[str, list[str]] = {
    "models.create": ["models", "create", "-f", "{segmenter}"],
    "models.update": ["models", "set", "detector", "replicas=4", "-n", "ml-vision"],
    "models.update (move to another team)": ["models", "set", "detector", "team=nlp"],
    "models.toggle": ["models", "toggle", "detector", "--off"],
    "models.scale": ["models", "scale", "detector", "--replicas", "5"],
    "models.delete": ["models", "delete", "detector"],
    "models.rollback": ["models", "rollback", "detector", "--to", "1"],
    "models.apply": ["models", "apply", "-f", "{detector}"],
    "schedules.team": ["schedule", "set", "--team", "vision", "--uptime", "Mon-Fri 08:00-18:00"],
    "schedules.global": ["schedule", "set", "--global", "--uptime", "Mon-Fri 07:00-19:00"],
    "overrides.set": ["override", "detector", "--down", "--until", "{until}", "--reason", "t"],
    "overrides.clear": ["override", "detector", "--clear"],
}
LOCAL_ONLY = {  # operations the CLI offers on the local database only (refused in remote mode)
    "cost.prices",
    "cost.budgets",
    "cost.billing",
    "access.grant",
    "access.revoke",
    "tokens.create (own)",
    "tokens.create (for another user)",
    "tokens.revoke (another user's)",
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("matrix-remote") / "template.db"
    seed(build_world(db))
    return db


@pytest.fixture
def case(template: Path, tmp_path: Path) -> Iterator[tuple[World, App]]:
    db = tmp_path / "case.db"
    world = copy_world(template, db)
    app = build_app(
        settings(
            database_url=f"sqlite:///{db}", cluster="none", seed_demo=False, scheduler_enabled=False
        ),
        embedded=False,
    )
    yield world, app
    app.stop()
    world.engine.dispose()


def api_client(app: App) -> TestClient:
    server = Starlette(routes=[Mount("/api", app=create_api(app))])
    return TestClient(server, base_url="http://testserver/api", client=(PROXY, 5000))


def proxy_headers(label: str) -> dict[str, str]:
    email = IDENTITIES[label]
    if email is None:
        return {}
    return {"X-Forwarded-Email": email, "X-Forwarded-Groups": GROUPS.get(email, "")}


def check_outcome(
    world: World, op: Any, label: str, before: dict, ok: bool, denied_as: Any
) -> None:
    if label in op.allowed:
        assert ok, f"{op.name} by {label} was refused"
        assert fingerprint(world) != before, f"{op.name} by {label} changed nothing"
        recorded = op.recorded(world)
        if op.name != "overrides.clear":  # a cleared override records when, not who
            assert recorded == IDENTITIES[label], f"{op.name} recorded as {recorded!r}"
        return
    assert denied_as == (401 if IDENTITIES[label] is None else 403), f"{op.name} by {label}"
    assert fingerprint(world) == before, f"{op.name} by {label} changed something"


@pytest.mark.parametrize("label", list(IDENTITIES))
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_http_api(case: tuple[World, App], op: Any, label: str) -> None:
    world, app = case
    call = HTTP[op.name]
    body = call.json
    if op.name == "overrides.set":
        body = {"state": "down", "until": _until(), "reason": "test"}
    path = call.path(world) if callable(call.path) else call.path
    before = fingerprint(world)
    res = api_client(app).request(
        call.method,
        path,
        json=body,
        content=call.content,
        params=call.params,
        headers={**call.headers, **proxy_headers(label)},
    )
    assert res.status_code < 300 or res.headers["content-type"].startswith(
        "application/problem+json"
    )
    check_outcome(world, op, label, before, res.status_code < 300, res.status_code)


def test_every_operation_is_in_the_remote_columns_or_named_local_only() -> None:
    names = {op.name for op in OPERATIONS}
    assert set(HTTP) == names
    assert set(CLI) | LOCAL_ONLY == names and not set(CLI) & LOCAL_ONLY


@pytest.mark.parametrize("label", list(IDENTITIES))
@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.name in CLI], ids=lambda op: op.name)
def test_remote_cli(
    case: tuple[World, App], op: Any, label: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from barista_ui.cli import remote
    from barista_ui.cli.app import app as cli_app

    world, app = case
    actor = world.actor(label)
    token = "" if actor is None else world.access.create_token("cli", actor=actor).secret
    files = {}
    for name, rec in (("segmenter", vision(name="segmenter")), ("detector", vision(replicas=6))):
        files[name] = tmp_path / f"{name}.yaml"
        files[name].write_text(yaml.safe_dump(rec))
    args = [a.format(until=_until(), **{k: str(v) for k, v in files.items()}) for a in CLI[op.name]]
    for key in ("BARISTA_ACTOR", "BARISTA_DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(remote, "_client", {})
    monkeypatch.setattr(remote, "TRANSPORT", api_client(app)._transport)
    before = fingerprint(world)
    res = CliRunner().invoke(
        cli_app, args, env={"BARISTA_URL": "http://testserver", "BARISTA_TOKEN": token}
    )
    denied = {3: 401 if actor is None else 403}.get(res.exit_code)
    check_outcome(world, op, label, before, res.exit_code == 0, denied)
    if res.exit_code not in (0, 3):
        pytest.fail(f"{op.name} by {label}: exit {res.exit_code}: {res.output}")
