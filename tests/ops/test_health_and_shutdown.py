"""A real ``python main.py`` process: separate liveness and readiness answers, and a graceful
stop on SIGTERM (scheduler stopped and leadership handed back, reconciler drained, watches
closed, exit code 0)."""

from __future__ import annotations

import json
import signal
import urllib.error
import urllib.request
from pathlib import Path

from data.db import head_revision, make_engine
from tests.apprunner import AppProcess
from tests.k8s_fixtures import eventually, sim  # noqa: F401


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_ready_needs_the_schema_at_head_live_does_not(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    app = AppProcess(
        {
            "BARISTA_DATABASE_URL": f"sqlite:///{db}",
            "BARISTA_CLUSTER": "none",
            "BARISTA_SCHEDULER_ENABLED": "false",
            "BARISTA_SEED_DEMO": "false",
        },
        cwd=tmp_path,
    )
    try:
        app.wait_ready(timeout=180)  # a busy machine starts slowly
        assert get(app.url + "/healthz/live") == (200, {"status": "ok"})
        ready = (200, {"status": "ok", "database": "ok", "schema": head_revision()})
        assert get(app.url + "/healthz/ready") == ready
        assert get(app.url + "/healthz") == ready
        engine = make_engine(f"sqlite:///{db}")  # an older schema: not ready, still alive
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001_old'")
        engine.dispose()
        code, body = get(app.url + "/healthz/ready")
        assert code == 503 and body["schema"] == "0001_old" and body["expected"] == head_revision()
        assert get(app.url + "/healthz/live") == (200, {"status": "ok"})
    finally:
        app.stop()


def test_sigterm_stops_the_scheduler_releases_the_lease_and_closes_the_watches(
    tmp_path: Path,
    sim,  # noqa: F811
) -> None:
    kubeconfig = sim.write_kubeconfig(str(tmp_path / "kubeconfig"))
    app = AppProcess(
        {
            "BARISTA_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
            "BARISTA_KUBECONFIG": kubeconfig,
            "BARISTA_SEED_DEMO": "true",
            "BARISTA_LEADER_ELECTION": "lease",
        },
        cwd=tmp_path,
    )
    try:
        app.wait_ready(timeout=180)  # a busy machine starts slowly
        eventually(lambda: len(sim.store.watchers) >= 3, timeout=30, what="the live watches")
        eventually(
            lambda: "scheduler: leader now" in app.log.read_text(), timeout=30, what="leadership"
        )
        app.proc.send_signal(signal.SIGTERM)
        assert app.proc.wait(30) == 0
        log = app.log.read_text()
        for line in (
            "shutdown: scheduler stopped, leadership released",
            "shutdown: reconciler stopped",
            "shutdown: watches closed",
        ):
            assert line in log
        eventually(lambda: not sim.store.watchers, timeout=10, what="every watch closed")
        lease = sim.get_object("Lease", "default", "barista-scheduler")
        assert lease["spec"].get("holderIdentity") is None  # handed back: a successor starts now
    finally:
        app.stop()
