"""Leader election across processes, and the event-driven job at a schedule boundary."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from barista_ui.records.registry import RegistryService
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.leader import FileLock, PostgresAdvisoryLock
from barista_ui.schedule.runner import SchedulerRunner
from data.db import make_engine, session_factory
from k8s.gateway import ClusterGateway
from tests.apprunner import ROOT
from tests.conftest import base_record
from tests.k8s_fixtures import eventually, sim  # noqa: F401

HOLDER = """
import sys, time
from barista_ui.schedule.leader import {cls}
from data.db import make_engine
lock = {make}
print("leader" if lock.try_acquire() else "follower", flush=True)
time.sleep(60)
"""


def hold_in_other_process(cls: str, make: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(cls=cls, make=make)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "leader"
    return proc


@pytest.mark.postgres
def test_postgres_lock_one_leader_and_takeover_when_it_dies(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    other = hold_in_other_process(
        "PostgresAdvisoryLock", f"PostgresAdvisoryLock(make_engine({postgres_url!r}))"
    )
    try:
        mine = PostgresAdvisoryLock(engine)
        assert mine.try_acquire() is False  # the other process leads
        other.kill()
        other.wait(10)
        eventually(mine.try_acquire, timeout=10, what="takeover after the leader died")
        assert mine.try_acquire() is True  # and keeps it
        mine.release()
    finally:
        if other.poll() is None:
            other.kill()
        engine.dispose()


def test_file_lock_one_leader_and_takeover(tmp_path) -> None:
    path = str(tmp_path / "db.scheduler-lock")
    other = hold_in_other_process("FileLock", f"FileLock({path!r})")
    try:
        mine = FileLock(path)
        assert mine.try_acquire() is False
        other.kill()
        other.wait(10)
        assert eventually(mine.try_acquire, timeout=5)
        mine.release()
    finally:
        if other.poll() is None:
            other.kill()


async def test_boundary_job_scales_at_the_boundary(engine, sim) -> None:  # noqa: F811
    """A boundary ~2 s ahead on the real clock: the job fires at it, not before (how soon after
    is a benchmark figure, bench/bench_scheduler.py, not asserted here)."""
    boundary = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0) + timedelta(
        seconds=1
    )
    new = session_factory(engine)
    registry = RegistryService(new, clock=lambda: datetime.now(UTC) - timedelta(days=1))
    gateway = ClusterGateway(sim.api_client(), backoff_base_s=0.01)
    start = datetime.now(UTC) - timedelta(hours=1)
    spec = f"{start:%Y-%m-%dT%H:%M:%SZ}-{boundary:%Y-%m-%dT%H:%M:%SZ}"
    rec = registry.create(base_record(schedule={"uptime": spec}), actor="ana", source="ui")
    gateway.apply(rec.to_file_dict(), 2)
    sched = SchedulerEngine(new, registry, gateway)
    runner = SchedulerRunner(sched, FileLock(str(engine.url.database) + ".lock"), interval_s=3600)
    runner.start()
    try:
        sim.reset_request_log()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not sim.write_count(resource="deployments"):
            await asyncio.sleep(0.01)
        writes = [r for r in sim.requests if r.verb == "patch" and r.resource == "deployments"]
        assert writes, "no scale-down at the boundary"
        assert writes[0].at >= boundary.timestamp(), "scaled down before the boundary"
        assert sim.get_object("Deployment", "ml-prod", "fraud-scorer")["spec"]["replicas"] == 0
    finally:
        runner.shutdown()


ACTOR = """
import sys, time
from barista_ui.schedule.leader import PostgresAdvisoryLock
from barista_ui.records.registry import RegistryService
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.language import parse_time
from data.db import make_engine, session_factory
from k8s.client import load_api_client
from k8s.gateway import ClusterGateway
engine = make_engine({url!r})
new = session_factory(engine)
lock = PostgresAdvisoryLock(engine)
sched = SchedulerEngine(new, RegistryService(new), ClusterGateway(load_api_client({kubeconfig!r})))
import os
print("ready", flush=True)
while not os.path.exists({go!r}):  # both start trying together, however slow the imports were
    time.sleep(0.01)
for _ in range(50):  # try for a while, as the periodic job does
    if lock.try_acquire():
        actions = sched.reconcile(parse_time("2026-11-24T19:00:00Z"))
        print("acted", len(actions), flush=True)
        time.sleep(3)  # hold the lock while the other one tries
        break
    time.sleep(0.05)
else:
    print("follower", flush=True)
"""


@pytest.mark.postgres
def test_two_processes_on_postgres_act_once(postgres_url: str, sim, tmp_path) -> None:  # noqa: F811
    from data.db import migrate

    engine = make_engine(postgres_url)
    migrate(engine)
    new = session_factory(engine)
    registry = RegistryService(new, clock=lambda: datetime(2026, 11, 1, tzinfo=UTC))
    gateway = ClusterGateway(sim.api_client())
    for i in range(5):
        rec = registry.create(
            base_record(name=f"m{i}", schedule={"uptime": "Mon-Fri 08:00-18:00 UTC"}),
            actor="t",
            source="cli",
        )
        gateway.apply(rec.to_file_dict(), 2)
    kubeconfig = sim.write_kubeconfig(str(tmp_path / "kubeconfig"))
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    go = tmp_path / "go"
    script = ACTOR.format(url=postgres_url, kubeconfig=kubeconfig, go=str(go))
    sim.reset_request_log()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    assert [p.stdout.readline().strip() for p in procs] == ["ready", "ready"]
    go.touch()
    outputs = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert outputs == ["acted 5", "follower"], outputs
    assert sim.write_count(verb="patch") == 5  # one scale-down per model, from one process
    engine.dispose()


class Switch:
    """A leadership the test hands over: a follower until ``leader`` is set."""

    def __init__(self) -> None:
        self.leader = False
        self.asked = 0

    def try_acquire(self) -> bool:
        self.asked += 1
        return self.leader

    def release(self) -> None:
        self.leader = False


async def test_a_new_leader_runs_a_pass_at_once(engine, sim) -> None:  # noqa: F811
    """The leader died at night: the survivor takes the lock at its next check (well before
    the pass interval) and scales the model down in that same moment, not an interval later."""
    new = session_factory(engine)
    registry = RegistryService(new, clock=lambda: datetime.now(UTC) - timedelta(days=1))
    gateway = ClusterGateway(sim.api_client(), backoff_base_s=0.01)
    rec = registry.create(base_record(schedule={"uptime": "never"}), actor="ana", source="ui")
    gateway.apply(rec.to_file_dict(), 2)
    sched = SchedulerEngine(new, registry, gateway)
    lock = Switch()
    runner = SchedulerRunner(sched, lock, interval_s=3600, lock_check_s=0.1)
    runner.start()
    try:
        await asyncio.sleep(0.5)
        assert lock.asked >= 3 and runner.runs == 0  # a follower checks, and does nothing
        assert sim.get_object("Deployment", "ml-prod", "fraud-scorer")["spec"]["replicas"] == 2
        lock.leader = True  # the leader died; this one gets the lock
        took_over = time.monotonic()
        while time.monotonic() - took_over < 5 and runner.runs == 0:
            await asyncio.sleep(0.01)
        assert runner.runs == 1, "no pass after taking over the lock"
        assert time.monotonic() - took_over < 2
        assert sim.get_object("Deployment", "ml-prod", "fraud-scorer")["spec"]["replicas"] == 0
    finally:
        runner.shutdown()


def test_the_lock_is_checked_more_often_than_the_pass_runs(engine) -> None:
    sched = SchedulerEngine(session_factory(engine), RegistryService(session_factory(engine)), None)
    assert SchedulerRunner(sched, Switch(), interval_s=60).lock_check_s == 5.0
    assert SchedulerRunner(sched, Switch(), interval_s=2).lock_check_s == 2
