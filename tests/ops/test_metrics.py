"""/metrics: the series a scheduler pass writes, latency by route template, who may read it;
and JSON logs with the actor and the model on every mutation."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.requests import Request

from barista_ui.ops import metrics
from barista_ui.ops.committed import install as install_commit_hooks
from barista_ui.ops.http import metrics_refusal, route_of, token_check
from barista_ui.records.registry import RegistryService
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.runner import SchedulerRunner
from barista_ui.settings import Settings
from data.db import session_factory
from k8s.gateway import ClusterGateway
from tests.apprunner import ROOT, AppProcess
from tests.conftest import base_record
from tests.k8s_fixtures import sim  # noqa: F401


def sample(name: str, labels: str = "") -> float:
    """The value of one series in the exposition (0 when absent)."""
    text = metrics.exposition()[0].decode()
    pattern = re.escape(name + (("{" + labels + "}") if labels else "")) + r" ([0-9.e+-]+)"
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


class Leader:
    kind = "test"

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


async def test_a_boundary_pass_counts_the_transition_and_its_lag(engine, sim) -> None:  # noqa: F811
    install_commit_hooks()  # as build_app does: committed scheduler actions are counted
    new = session_factory(engine)
    registry = RegistryService(new, clock=lambda: datetime.now(UTC) - timedelta(days=1))
    gateway = ClusterGateway(sim.api_client(), backoff_base_s=0.01)
    rec = registry.create(base_record(schedule={"uptime": "never"}), actor="ana", source="ui")
    gateway.apply(rec.to_file_dict(), 2)
    runner = SchedulerRunner(SchedulerEngine(new, registry, gateway), Leader(), interval_s=3600)
    down = 'action="scale-down"'
    before = sample("barista_scheduler_transitions_total", down)
    lags = sample("barista_scheduler_boundary_lag_seconds_count")
    boundary = datetime.now(UTC) - timedelta(seconds=3)  # the job placed at this boundary
    await runner._run(None, {rec.key}, boundary)
    assert sim.get_object("Deployment", "ml-prod", "fraud-scorer")["spec"]["replicas"] == 0
    assert sample("barista_scheduler_transitions_total", down) == before + 1
    assert sample("barista_scheduler_boundary_lag_seconds_count") == lags + 1
    # the write came at least those 3 s after the boundary
    assert sample("barista_scheduler_boundary_lag_seconds_sum") >= 3.0


def _request(headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "method": "GET", "path": "/metrics", "headers": raw})


def test_who_may_read_metrics() -> None:
    known = {"s3cret"}

    def resolve(headers: dict[str, str], _client: str | None) -> str | None:
        token = headers["authorization"].removeprefix("Bearer ")
        return "scraper" if token in known else None

    check = token_check(resolve)
    embedded = Settings(auth="none")
    assert metrics_refusal(_request(), embedded, check) is None
    on = Settings(auth="proxy", trusted_proxies="10.0.0.0/8")
    assert metrics_refusal(_request(), on, check)[0] == 401
    assert metrics_refusal(_request({"Authorization": "Bearer "}), on, check)[0] == 401
    assert metrics_refusal(_request({"Authorization": "Bearer nope"}), on, check)[0] == 403
    assert metrics_refusal(_request({"Authorization": "Bearer s3cret"}), on, check) is None
    public = Settings(auth="proxy", trusted_proxies="10.0.0.0/8", metrics_public=True)
    assert metrics_refusal(_request(), public, check) is None


def test_route_is_the_template_not_the_path() -> None:
    class Route:
        path = "/api/models/{name}"

    assert route_of({"route": Route()}) == "/api/models/{name}"
    assert route_of({}) == "<unmatched>"


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_a_real_process_serves_metrics_and_logs_json(tmp_path: Path) -> None:
    app = AppProcess(
        {
            "BARISTA_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
            "BARISTA_CLUSTER": "none",
            "BARISTA_SCHEDULER_ENABLED": "false",
            "BARISTA_SEED_DEMO": "true",
            "BARISTA_LOG_FORMAT": "json",
            "BARISTA_ACTOR": "seed-check",
        },
        cwd=tmp_path,
    )
    try:
        app.wait_ready(timeout=180)
        _get(app.url + "/healthz/ready")
        _get(app.url + "/no/such/page/123")
        code, body = _get(app.url + "/metrics")
        assert code == 200
        assert 'route="/healthz/ready"' in body and 'route="<unmatched>"' in body
        assert "/no/such/page/123" not in body  # raw paths never become series
        for name in (
            "barista_http_request_duration_seconds_bucket",
            "barista_reconcile_queue_depth",
            "barista_watch_restarts_total",
            "barista_watch_relists_total",
            "barista_scheduler_boundary_lag_seconds_count",
            "barista_cost_rollup_duration_seconds_count",
            "barista_leader",
        ):
            assert name in body, name
        assert all(line.startswith(("#", "barista_")) for line in body.splitlines() if line), (
            "only barista_ series"
        )
    finally:
        app.stop()
    lines = [json.loads(line) for line in app.log.read_text().splitlines() if line.startswith("{")]
    mutations = [line for line in lines if line.get("event") == "mutation"]
    assert len(mutations) >= 40  # the demo seed: one line per record created
    assert all(m["actor"] and re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+", m["model"]) for m in mutations)
    assert {"time", "level", "logger", "message"} <= set(lines[0])


def test_with_auth_on_metrics_need_an_api_token_unless_public(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    base = {
        "BARISTA_DATABASE_URL": db,
        "BARISTA_CLUSTER": "none",
        "BARISTA_SCHEDULER_ENABLED": "false",
        "BARISTA_SEED_DEMO": "false",
        "BARISTA_AUTH": "proxy",
        "BARISTA_TRUSTED_PROXIES": "10.0.0.0/8",
    }
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update(base, BARISTA_ACTOR="ops")
    made = subprocess.run(
        [sys.executable, "-m", "barista_ui.cli", "tokens", "create", "prometheus", "-o", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)["token"]  # an API token, as `barista tokens create` makes
    app = AppProcess(base, cwd=tmp_path)
    try:
        app.wait_ready(timeout=180)
        assert _get(app.url + "/metrics")[0] == 401
        assert _get(app.url + "/metrics", "wrong")[0] == 403
        assert _get(app.url + "/metrics", token)[0] == 200
    finally:
        app.stop()
    public = AppProcess({**base, "BARISTA_METRICS_PUBLIC": "true"}, cwd=tmp_path)
    try:
        public.wait_ready(timeout=180)
        assert _get(public.url + "/metrics")[0] == 200
    finally:
        public.stop()
