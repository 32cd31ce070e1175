"""Several replicas on one PostgreSQL database: exactly one scheduler acts (advisory lock or
Lease), a survivor takes over when the leader is killed, and a change committed by one process
is heard by the others at once (LISTEN/NOTIFY)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from barista_ui.ops.committed import install as install_commit_hooks
from barista_ui.ops.notify import ChangeListener
from barista_ui.records.registry import RegistryService
from data.db import make_engine, migrate, session_factory
from data.ops_tables import SchedulerAction
from k8s.gateway import ClusterGateway
from tests.apprunner import ROOT
from tests.conftest import base_record
from tests.k8s_fixtures import eventually, sim  # noqa: F401
from tests.ops.replicas import leads, metric, start_replicas

pytestmark = pytest.mark.postgres


def test_a_commit_is_heard_by_a_listener_on_another_connection(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    migrate(engine)
    install_commit_hooks()
    heard: list = []
    listener = ChangeListener(make_engine(postgres_url), heard.append)
    listener.start()
    try:
        assert listener.listening.wait(10)
        eventually(lambda: heard == [None], what="the catch-up call on connecting")
        registry = RegistryService(session_factory(engine))
        registry.create(base_record(), actor="ana", source="cli")
        eventually(lambda: {("ml-prod", "fraud-scorer")} in heard, what="the NOTIFY")
        heard.clear()
        with pytest.raises(Exception):  # noqa: B017 - refused: nothing committed, nothing said
            registry.create(base_record(), actor="ana", source="cli")
        registry.create(base_record(name="second"), actor="ana", source="cli")
        eventually(lambda: heard, what="the next NOTIFY")
        assert heard == [{("ml-prod", "second")}]
    finally:
        listener.stop()
        engine.dispose()


def _models_always_down(postgres_url: str, sim, n: int) -> RegistryService:  # noqa: F811
    engine = make_engine(postgres_url)
    migrate(engine)
    # created a day ago: past the grace period a new model gets before its first scale-down
    registry = RegistryService(
        session_factory(engine), clock=lambda: datetime.now(UTC) - timedelta(days=1)
    )
    gateway = ClusterGateway(sim.api_client())
    for i in range(n):
        rec = registry.create(
            base_record(name=f"m{i}", schedule={"uptime": "never"}), actor="t", source="cli"
        )
        gateway.apply(rec.to_file_dict(), 2)
    return registry


@pytest.mark.parametrize("election", ["lock", "lease"])
def test_one_scheduler_acts_and_a_survivor_takes_over(
    election: str,
    postgres_url: str,
    sim,  # noqa: F811
    tmp_path: Path,
) -> None:
    registry = _models_always_down(postgres_url, sim, 3)
    kubeconfig = sim.write_kubeconfig(str(tmp_path / "kubeconfig"))
    apps = start_replicas(2, tmp_path, postgres_url, kubeconfig, BARISTA_LEADER_ELECTION=election)
    try:
        eventually(lambda: sum(leads(a) for a in apps) == 1, timeout=30, what="one leader")
        for i in range(3):
            eventually(
                lambda i=i: (
                    sim.get_object("Deployment", "ml-prod", f"m{i}")["spec"]["replicas"] == 0
                ),
                timeout=30,
                what=f"m{i} scaled down",
            )
        leader = next(a for a in apps if leads(a))
        survivor = next(a for a in apps if a is not leader)
        assert metric(survivor, "barista_leader") == 0.0
        assert ["scheduler: leader now" in a.log.read_text() for a in apps].count(True) == 1
        with session_factory(make_engine(postgres_url))() as s:
            downs = s.exec(select(SchedulerAction).where(SchedulerAction.action == "scale-down"))
            assert sorted(a.name for a in downs) == ["m0", "m1", "m2"]  # each once, by one

        leader.proc.send_signal(signal.SIGKILL)
        leader.proc.wait(10)
        eventually(lambda: leads(survivor), timeout=40, what="the survivor leading")
        rec = registry.create(
            base_record(name="m3", schedule={"uptime": "never"}), actor="t", source="cli"
        )
        eventually(
            lambda: (
                (sim.get_object("Deployment", "ml-prod", "m3") or {})
                .get("spec", {})
                .get("replicas")
                == 0
            ),
            timeout=30,
            what="the new leader scaling a new model down",
        )
        assert rec.key == ("ml-prod", "m3")
    finally:
        for app in apps:
            app.stop()


def test_an_edit_through_one_process_is_heard_by_the_other(postgres_url: str, tmp_path) -> None:
    apps = start_replicas(2, tmp_path, postgres_url, None, BARISTA_SCHEDULER_ENABLED="false")
    try:
        before = [metric(a, "barista_change_notifications_total") for a in apps]
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
        env.update(BARISTA_DATABASE_URL=postgres_url, BARISTA_CLUSTER="none", BARISTA_ACTOR="ana")
        record = tmp_path / "m.yaml"
        import yaml

        record.write_text(yaml.safe_dump(base_record()))
        subprocess.run(
            [sys.executable, "-m", "barista_ui.cli", "models", "apply", "-f", str(record)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=180,
        )
        for app, was in zip(apps, before, strict=True):
            eventually(
                lambda app=app, was=was: metric(app, "barista_change_notifications_total") > was,
                timeout=30,
                what="the change heard",
            )
    finally:
        for app in apps:
            app.stop()
