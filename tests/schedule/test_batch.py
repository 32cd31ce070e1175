"""A pass acts as one batch: one commit for its outcomes, a bounded number of concurrent
writers, failures recorded per model, and a plan made ahead of a boundary that an edit since
invalidates."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from barista_ui.records.registry import RegistryService
from barista_ui.schedule.act import WRITERS
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.language import parse_time
from data.db import session_factory
from data.ops_tables import ScheduleMemory, SchedulerAction
from k8s.gateway import ClusterGateway
from k8s.manifests import ORIGINAL_REPLICAS
from tests.actors import ANA
from tests.conftest import base_record
from tests.k8s_fixtures import eventually, sim  # noqa: F401
from tests.schedule.office_hours import payments_office_hours

CREATED = parse_time("2026-11-01T00:00:00Z")
NIGHT = parse_time("2026-11-24T19:00:00Z")  # Tuesday, after Mon-Fri 08:00-18:00 UTC
MORNING = parse_time("2026-11-25T08:00:00Z")


@pytest.fixture
def fleet(engine, sim):  # noqa: F811
    new = session_factory(engine)
    registry = RegistryService(new, clock=lambda: CREATED)
    gateway = ClusterGateway(sim.api_client(), backoff_base_s=0.01, max_retries=1)
    sched = SchedulerEngine(new, registry, gateway, clock=lambda: NIGHT)
    payments_office_hours(sched)

    def add(n: int, namespace: str = "ml-prod") -> list[tuple[str, str]]:
        keys = []
        for i in range(n):
            rec = registry.create(
                base_record(name=f"m-{namespace}-{i}", namespace=namespace, replicas=1 + i % 3),
                actor="ana",
                source="ui",
            )
            gateway.apply(rec.to_file_dict(), rec.spec.replicas)
            keys.append(rec.key)
        # the pods start and the Deployments' status settles: no controller write can then
        # race a pass's conditional patches (a conflict sends a model one by one)
        eventually(lambda: all(settled(sim, key) for key in keys), 30, "pods ready")
        return keys

    return sched, registry, add, new, engine


def settled(sim, key) -> bool:  # noqa: F811
    dep = sim.get_object("Deployment", *key)
    status = dep.get("status") or {}
    return (
        status.get("readyReplicas", 0) == dep["spec"]["replicas"]
        and status.get("observedGeneration") == dep["metadata"].get("generation")
        and status.get("updatedReplicas", 0) == dep["spec"]["replicas"]
    )


def commits_during(engine, fn):
    """How many database transactions ``fn`` commits (SQLAlchemy's connection events)."""
    count = 0

    def counted(_conn) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "commit", counted)
    try:
        result = fn()
    finally:
        event.remove(engine, "commit", counted)
    return result, count


def test_a_batch_of_transitions_commits_once(fleet, sim) -> None:  # noqa: F811
    sched, _, add, new, engine = fleet
    keys = add(12)
    downs, commits = commits_during(engine, lambda: sched.reconcile(NIGHT))
    assert sorted((a.namespace, a.name) for a in downs) == sorted(keys)
    assert commits == 1  # the memories and the 12 log lines together
    ups, commits = commits_during(engine, lambda: sched.reconcile(MORNING))
    assert len(ups) == 12 and {a.action for a in ups} == {"scale-up"}
    assert commits == 1
    _, commits = commits_during(engine, lambda: sched.reconcile(MORNING + timedelta(hours=1)))
    assert commits == 0  # an idle pass writes nothing


def test_writes_equal_transitions_with_bounded_concurrency(fleet, sim, caplog) -> None:  # noqa: F811
    sched, _, add, _, _ = fleet
    keys = add(3 * WRITERS)
    writer = sched.transitions.writer
    assert writer is not None and writer.api.configuration.connection_pool_maxsize >= WRITERS
    flying = peak = 0
    guard = threading.Lock()
    patch = writer.patch

    @functools.wraps(patch)
    def counted(*args, **kwargs):
        nonlocal flying, peak
        with guard:
            flying += 1
            peak = max(peak, flying)
        try:
            return patch(*args, **kwargs)
        finally:
            with guard:
                flying -= 1

    writer.patch = counted  # type: ignore[method-assign]
    sim.faults.latency_s = 0.05  # each request takes a while: the writers overlap
    sim.reset_request_log()
    with caplog.at_level(logging.WARNING, logger="urllib3"):
        actions = sched.reconcile(NIGHT)
    sim.faults.latency_s = 0.0
    assert len(actions) == len(keys)
    assert sim.write_count(resource="deployments", verb="patch") == len(keys)
    assert 2 <= peak <= WRITERS
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]
    for key in keys:
        dep = sim.get_object("Deployment", *key)
        assert dep["spec"]["replicas"] == 0 and ORIGINAL_REPLICAS in dep["metadata"]["annotations"]


def test_a_failure_inside_a_batch_is_recorded_and_the_rest_applied(fleet, sim) -> None:  # noqa: F811
    sched, _, add, new, _ = fleet
    good = add(6)
    bad = add(3, namespace="ml-locked")
    sim.faults.forbidden_namespaces.add("ml-locked")
    actions = sched.reconcile(NIGHT)
    by_key = {(a.namespace, a.name): a for a in actions}
    assert {by_key[k].action for k in good} == {"scale-down"}
    assert {(by_key[k].action, by_key[k].ok) for k in bad} == {("error", False)}
    assert all("forbidden" in by_key[k].error for k in bad)
    for key in good:
        assert sim.get_object("Deployment", *key)["spec"]["replicas"] == 0
        assert sched.is_held_down(key)
    for i, key in enumerate(bad):
        dep = sim.get_object("Deployment", *key)
        assert dep["spec"]["replicas"] == 1 + i % 3
        assert ORIGINAL_REPLICAS not in dep["metadata"]["annotations"]
        assert not sched.is_held_down(key)
    with new() as s:
        held = {(m.namespace, m.name) for m in s.exec(select(ScheduleMemory)).all()}
        assert held == set(good)  # the database says what the cluster says
    sim.faults.forbidden_namespaces.clear()
    retried = sched.reconcile(NIGHT + timedelta(minutes=1))  # the next pass retries them
    assert sorted((a.namespace, a.name, a.action) for a in retried) == sorted(
        (*k, "scale-down") for k in bad
    )
    with new() as s:
        assert len(s.exec(select(SchedulerAction)).all()) == 6 + 3 + 3


def edit_record(sched, registry) -> None:
    registry.set_enabled("ml-prod", "m-ml-prod-0", False, actor="ana", source="ui")


def edit_override(sched, registry) -> None:
    until = NIGHT + timedelta(hours=2)
    sched.set_override(("ml-prod", "m-ml-prod-0"), "up", until, actor=ANA, reason="demo")


def edit_policy(sched, registry) -> None:
    sched.set_policy(
        "team",
        "payments",
        uptime="Mon-Fri 08:00-20:00 UTC",  # 19:00 is now inside the working hours
        downtime=None,
        timezone=None,
        holidays=None,
        actor=ANA,
    )


@pytest.mark.parametrize("edit", [edit_record, edit_override, edit_policy])
def test_a_plan_made_ahead_is_invalidated_by_an_edit_since(fleet, sim, edit) -> None:  # noqa: F811
    sched, registry, add, _, _ = fleet
    add(2)
    plan = sched.prepare(NIGHT)
    assert {m.record.name for m in plan.moves} == {"m-ml-prod-0", "m-ml-prod-1"}
    edit(sched, registry)
    sim.reset_request_log()
    actions = sched.execute(plan, check=True)
    names = {a.name for a in actions}
    assert "m-ml-prod-0" not in names
    assert sim.get_object("Deployment", "ml-prod", "m-ml-prod-0")["spec"]["replicas"] == 1
    if edit is edit_policy:
        assert names == set() and sim.write_count() == 0
    else:
        assert names == {"m-ml-prod-1"}


def test_an_unchanged_plan_is_carried_out_as_made(fleet, sim) -> None:  # noqa: F811
    sched, _, add, _, engine = fleet
    add(2)
    plan = sched.prepare(NIGHT)
    (actions, commits) = commits_during(engine, lambda: sched.execute(plan, check=True))
    assert sorted(a.name for a in actions) == ["m-ml-prod-0", "m-ml-prod-1"]
    assert commits == 1


async def test_the_boundary_carries_out_the_plan_made_ahead(fleet, sim) -> None:  # noqa: F811
    """The runner plans before the boundary; at the boundary it waits for that plan (even one
    still being made) instead of deciding again."""
    from barista_ui.schedule.leader import AlwaysLeader
    from barista_ui.schedule.runner import SchedulerRunner

    sched, _, add, _, _ = fleet
    keys = set(add(3))
    made: list = []
    prepare = sched.prepare

    def counted(*args, **kwargs):
        made.append(args)
        return prepare(*args, **kwargs)

    sched.prepare = counted  # type: ignore[method-assign]
    runner = SchedulerRunner(sched, AlwaysLeader(), interval_s=3600)
    runner.leader = True
    planning = asyncio.ensure_future(runner._prepare(NIGHT, keys))
    await runner._run(None, keys, NIGHT)  # the boundary, while the plan may still be made
    await planning
    assert made == [(NIGHT,)]  # planned once, not decided again at the boundary
    for key in keys:
        assert sim.get_object("Deployment", *key)["spec"]["replicas"] == 0
