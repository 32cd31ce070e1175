"""The page and ``barista models status`` build their rows with the same builder and the same
inputs, so they agree for every demo model, scheduled-down ones included (the CLI reads the
scheduler's remembered state from the database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from barista_ui.app import build_app
from barista_ui.cli import context as cli
from barista_ui.cli.app import app as cli_app
from barista_ui.settings import Settings
from tests.k8s_fixtures import eventually, sim  # noqa: F401

SATURDAY = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)  # recsys and vision are off-hours


@pytest.fixture
def dashboard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sim):  # noqa: F811
    monkeypatch.setenv("BARISTA_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("BARISTA_KUBECONFIG", sim.write_kubeconfig(str(tmp_path / "kubeconfig")))
    monkeypatch.setenv("BARISTA_SEED_DEMO", "true")
    monkeypatch.setenv("BARISTA_ACTOR", "oncall")
    services = build_app(Settings())
    yield services
    services.stop()
    if "s" in cli._services_cache:
        cli._services_cache.pop("s").stop()


def test_page_and_cli_show_the_same_status_for_every_demo_model(dashboard) -> None:
    services = dashboard
    reconciler = services.reconciler
    assert reconciler is not None
    assert all(r.ok for r in reconciler.reconcile_all())
    actions = services.scheduler.reconcile(SATURDAY)
    held = {(a.namespace, a.name) for a in actions if a.action == "scale-down"}
    assert held, "the demo policies scale some models down on a Saturday"
    live = services.watch()
    records = services.registry.list_models()

    def settled() -> bool:
        snaps = {r.key: live.snapshot(r.key) for r in records}
        return all(s and s.deployment_exists for s in snaps.values()) and all(
            snaps[k].desired == 0 for k in held
        )

    eventually(settled, timeout=20, what="the live view shows every model, held ones at 0")
    page = {
        row.record.key: row.status.status for row in services.fleet.rows_of(records) if row.status
    }

    cli._services_cache.clear()
    res = CliRunner().invoke(cli_app, ["models", "status", "-o", "json"])
    assert res.exit_code == 0, res.output
    printed = {(row["namespace"], row["name"]): row["status"] for row in json.loads(res.stdout)}

    assert {k: printed.get(k) for k in page} == page
    assert {page[k] for k in held} == {"Synced"}  # not "OutOfSync: desired 2, live 0"
