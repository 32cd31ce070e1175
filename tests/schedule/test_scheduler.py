"""The scheduler against the simulator: exact restore, manual scale kept, restarts, dry-run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import delete, select

from barista_ui.records.registry import RegistryService
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.language import parse_time
from data.db import session_factory
from data.ops_tables import ScheduleMemory, SchedulerAction
from k8s.gateway import ClusterGateway
from k8s.manifests import ORIGINAL_REPLICAS
from tests.actors import ANA
from tests.conftest import base_record
from tests.k8s_fixtures import sim  # noqa: F401
from tests.schedule.office_hours import payments_office_hours

CREATED = parse_time("2026-11-01T00:00:00Z")
WORK = parse_time("2026-11-24T10:00:00Z")  # Tuesday, inside Mon-Fri 08:00-18:00 UTC
NIGHT = parse_time("2026-11-24T19:00:00Z")
NEXT_MORNING = parse_time("2026-11-25T08:00:00Z")
KEY = ("ml-prod", "fraud-scorer")


@pytest.fixture
def env(engine, sim):  # noqa: F811
    new = session_factory(engine)
    registry = RegistryService(new, clock=lambda: CREATED)
    gateway = ClusterGateway(sim.api_client(), backoff_base_s=0.01)

    def make(**kw) -> SchedulerEngine:
        return SchedulerEngine(new, registry, gateway, clock=lambda: kw.pop("now", WORK), **kw)

    sched = make()
    payments_office_hours(sched)
    return registry, gateway, sched, make, new


def add(registry, gateway, **overrides):
    rec = registry.create(base_record(**overrides), actor="ana", source="ui")
    gateway.apply(rec.to_file_dict(), rec.spec.replicas)
    return rec


def dep(sim, name="fraud-scorer"):  # noqa: F811
    return sim.get_object("Deployment", "ml-prod", name)


def test_down_and_up_restore_the_exact_count(env, sim) -> None:  # noqa: F811
    registry, gateway, sched, _, new = env
    add(registry, gateway, replicas=3)
    assert sched.reconcile(WORK) == []  # up and running: nothing to do
    sim.reset_request_log()
    (down,) = sched.reconcile(NIGHT, reason="schedule")
    assert (down.action, down.before, down.after, down.reason) == ("scale-down", 3, 0, "schedule")
    assert sim.write_count() == 1  # one patch: replicas and the remembered count together
    d = dep(sim)
    assert d["spec"]["replicas"] == 0 and d["metadata"]["annotations"][ORIGINAL_REPLICAS] == "3"
    assert sched.is_held_down(KEY)
    assert sched.reconcile(NIGHT + timedelta(hours=1)) == []  # idle: nothing written
    assert sim.write_count() == 1
    (up,) = sched.reconcile(NEXT_MORNING, reason="schedule")
    assert (up.action, up.before, up.after) == ("scale-up", 0, 3)
    d = dep(sim)
    assert d["spec"]["replicas"] == 3 and ORIGINAL_REPLICAS not in d["metadata"]["annotations"]
    with new() as s:
        logged = s.exec(select(SchedulerAction)).all()
    assert [a.action for a in logged] == ["scale-down", "scale-up"]
    assert all(a.actor == "system:scheduler" for a in logged)


def test_manual_scale_up_during_downtime_is_kept(env, sim) -> None:  # noqa: F811
    registry, gateway, sched, _, _ = env
    add(registry, gateway, replicas=3)
    sched.reconcile(NIGHT)
    gateway.scale("ml-prod", "fraud-scorer", 2)  # on-call needs it tonight
    (kept,) = sched.reconcile(NIGHT + timedelta(minutes=5))
    assert (kept.action, kept.reason, kept.after) == ("keep-manual", "manual", 2)
    assert "kept until 2026-11-25 08:00" in kept.detail
    assert sched.reconcile(NIGHT + timedelta(hours=2)) == []
    assert dep(sim)["spec"]["replicas"] == 2
    assert "kept" not in sched.explain_for(registry.get("fraud-scorer"), NIGHT + timedelta(hours=2))
    assert sched.reconcile(NEXT_MORNING) == []  # up time: it is already up
    assert dep(sim)["spec"]["replicas"] == 2
    # the next evening it goes down again and remembers the count it ran
    (down,) = sched.reconcile(NIGHT + timedelta(days=1))
    assert (down.before, down.after) == (2, 0)
    assert dep(sim)["metadata"]["annotations"][ORIGINAL_REPLICAS] == "2"


def test_restart_during_downtime_loses_nothing(env, sim) -> None:  # noqa: F811
    registry, gateway, sched, make, new = env
    add(registry, gateway, replicas=4)
    sched.reconcile(NIGHT)
    again = make()  # a new process: memory comes from the database
    assert again.is_held_down(KEY)
    (up,) = again.reconcile(NEXT_MORNING, reason="catch-up")
    assert (up.after, up.reason) == (4, "catch-up")
    sched.reconcile(NIGHT + timedelta(days=1))
    with new() as s:
        s.exec(delete(ScheduleMemory))
        s.commit()
    fresh = make()  # even the memory table is gone: the annotation still knows
    assert not fresh.is_held_down(KEY)
    (up,) = fresh.reconcile(NEXT_MORNING + timedelta(days=1))
    assert up.after == 4 and dep(sim)["spec"]["replicas"] == 4


def test_autoscaled_models_go_to_zero_through_the_deployment(env, sim) -> None:  # noqa: F811
    registry, gateway, sched, _, _ = env
    sim.set_load("ml-prod", "fraud-scorer", 70)
    auto = {"enabled": True, "min": 2, "max": 6, "target_cpu_percent": 70}
    add(registry, gateway, replicas=2, autoscaling=auto)
    gateway.scale("ml-prod", "fraud-scorer", 5)  # the HPA's count
    (down,) = sched.reconcile(NIGHT)
    assert (down.before, down.after) == (5, 0)
    hpa = sim.get_object("HorizontalPodAutoscaler", "ml-prod", "fraud-scorer")
    assert hpa["spec"]["minReplicas"] == 2
    (up,) = sched.reconcile(NEXT_MORNING)
    assert up.after == 5


def test_dry_run_writes_nothing_and_logs_once(env, sim) -> None:  # noqa: F811
    registry, gateway, _, make, _ = env
    add(registry, gateway, replicas=3)
    dry = make(dry_run=True)
    sim.reset_request_log()
    (a,) = dry.reconcile(NIGHT)
    assert a.dry_run and a.action == "scale-down" and (a.before, a.after) == (3, 0)
    assert dry.reconcile(NIGHT + timedelta(minutes=1)) == []
    assert sim.write_count() == 0 and dep(sim)["spec"]["replicas"] == 3
    assert not dry.is_held_down(KEY)


def test_override_and_grace(env, sim) -> None:  # noqa: F811
    registry, gateway, sched, make, _ = env
    add(registry, gateway, replicas=2)
    sched.set_override(KEY, "up", NIGHT + timedelta(hours=3), actor=ANA, reason="demo")
    assert sched.reconcile(NIGHT) == []
    text = sched.explain_for(registry.get("fraud-scorer"), NIGHT)
    assert text == "up until 22:00 (override by ana: demo)"
    (down,) = sched.reconcile(NIGHT + timedelta(hours=3))
    assert down.action == "scale-down" and down.reason == "schedule"
    with pytest.raises(Exception, match="more than 7 days"):
        sched.set_override(KEY, "up", NIGHT + timedelta(days=8), actor=ANA, reason="x")
    # a model created a few minutes ago is not scaled down yet
    later = NIGHT + timedelta(hours=4)
    young = RegistryService(registry._new_session, clock=lambda: later - timedelta(minutes=5))
    rec = young.create(base_record(name="new-model"), actor="ana", source="ui")
    gateway.apply(rec.to_file_dict(), 2)
    assert sched.reconcile(later) == []
    assert "grace" in sched.explain_for(young.get("new-model"), later)
    assert [a.name for a in sched.reconcile(later + timedelta(minutes=11))] == ["new-model"]


def test_next_change_is_the_earliest_boundary(env) -> None:
    registry, gateway, sched, _, _ = env
    add(registry, gateway)
    assert sched.next_change(WORK) == (parse_time("2026-11-24T18:00:00Z"), {KEY})
    assert sched.next_change(NIGHT)[0] == NEXT_MORNING
