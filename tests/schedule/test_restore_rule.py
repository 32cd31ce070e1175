"""What comes back at the morning restore: what the record asks for now (the replica rule).
An edit of the record during downtime (page, CLI, API: one write path) is the count that comes
back; only a change made outside Barista (kubectl) during downtime counts as manual."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from barista_ui.cluster.gate import ReconcilerGate
from barista_ui.cluster.reconciler import Reconciler
from barista_ui.records.registry import RegistryService
from barista_ui.records.replicas import desired_replicas
from barista_ui.records.service import ModelService
from barista_ui.records.spec import ModelSpec
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.language import parse_time
from data.db import session_factory
from data.ops_tables import ScheduleOverride, SchedulerAction
from k8s.gateway import ClusterGateway
from k8s.manifests import ORIGINAL_REPLICAS
from tests.actors import ANA
from tests.conftest import base_record
from tests.k8s_fixtures import sim  # noqa: F401
from tests.schedule.office_hours import payments_office_hours

CREATED = parse_time("2026-11-01T00:00:00Z")
NIGHT = parse_time("2026-11-24T19:00:00Z")  # Tuesday, after Mon-Fri 08:00-18:00 UTC
NEXT_MORNING = parse_time("2026-11-25T08:00:00Z")
KEY = ("ml-prod", "fraud-scorer")


@pytest.fixture
def house(engine, sim):  # noqa: F811
    """The record write path (dry run → save → reconcile) and the scheduler, as the App wires
    them: the reconciler asks the scheduler whether a model is held down."""
    new = session_factory(engine)
    registry = RegistryService(new, clock=lambda: CREATED)
    gateway = ClusterGateway(sim.api_client(), backoff_base_s=0.01)
    sched = SchedulerEngine(new, registry, gateway, clock=lambda: NIGHT)
    payments_office_hours(sched)

    def desired_for(spec: ModelSpec) -> int:
        return desired_replicas(
            spec, scheduled_down=sched.is_held_down((spec.namespace, spec.name))
        )

    reconciler = Reconciler(registry, gateway, desired_for)
    models = ModelService(registry, ReconcilerGate(gateway, reconciler, desired_for))
    return models, reconciler, sched, new


def live(sim):  # noqa: F811
    return sim.get_object("Deployment", *KEY)


def test_a_record_scaled_during_downtime_comes_back_at_its_new_count(house, sim) -> None:  # noqa: F811
    models, reconciler, sched, new = house
    models.create(base_record(replicas=3), actor=ANA, source="ui")
    reconciler.reconcile_now(KEY)
    (down,) = sched.reconcile(NIGHT)
    assert (down.action, down.before, down.after) == ("scale-down", 3, 0)
    models.set_replicas(*KEY, 5, actor=ANA, source="cli")  # the page, CLI and API write so
    reconciler.reconcile_now(KEY)
    assert live(sim)["spec"]["replicas"] == 0  # still night: the model stays down
    assert sched.reconcile(NIGHT + timedelta(hours=1)) == []  # not a manual scale
    (up,) = sched.reconcile(NEXT_MORNING)
    assert (up.action, up.before, up.after) == ("scale-up", 0, 5)
    d = live(sim)
    assert d["spec"]["replicas"] == 5 and ORIGINAL_REPLICAS not in d["metadata"]["annotations"]
    reconciler.reconcile_now(KEY)  # and the record's apply agrees with it
    assert live(sim)["spec"]["replicas"] == 5
    with new() as s:
        assert [a.action for a in s.exec(select(SchedulerAction)).all()] == [
            "scale-down",
            "scale-up",
        ]
        assert s.exec(select(ScheduleOverride)).all() == []


def test_a_record_scaled_down_or_switched_off_during_downtime_stays_as_asked(
    house,
    sim,  # noqa: F811
) -> None:
    models, reconciler, sched, _ = house
    models.create(base_record(replicas=4), actor=ANA, source="ui")
    models.create(base_record(name="ranker", replicas=2), actor=ANA, source="ui")
    reconciler.reconcile_all()
    assert {a.name for a in sched.reconcile(NIGHT)} == {"fraud-scorer", "ranker"}
    models.set_replicas(*KEY, 1, actor=ANA, source="ui")
    models.set_enabled("ml-prod", "ranker", False, actor=ANA, source="ui")
    reconciler.reconcile_all()
    (up,) = sched.reconcile(NEXT_MORNING)  # the switched-off model is not scheduled any more
    assert (up.name, up.after) == ("fraud-scorer", 1)
    assert live(sim)["spec"]["replicas"] == 1
    assert sim.get_object("Deployment", "ml-prod", "ranker")["spec"]["replicas"] == 0


def test_kubectl_during_downtime_is_the_only_manual_change(house, sim) -> None:  # noqa: F811
    models, reconciler, sched, _ = house
    models.create(base_record(replicas=3), actor=ANA, source="ui")
    reconciler.reconcile_now(KEY)
    sched.reconcile(NIGHT)
    models.set_replicas(*KEY, 5, actor=ANA, source="ui")
    reconciler.reconcile_now(KEY)
    sched.gateway.scale(*KEY, 2)  # kubectl scale: outside Barista
    (kept,) = sched.reconcile(NIGHT + timedelta(minutes=5))
    assert (kept.action, kept.reason, kept.after) == ("keep-manual", "manual", 2)
    assert sched.reconcile(NEXT_MORNING) == []  # kept as it was scaled, as documented
    assert live(sim)["spec"]["replicas"] == 2


def test_an_autoscaled_model_comes_back_at_the_hpa_count_within_the_new_bounds(
    house,
    sim,  # noqa: F811
) -> None:
    models, reconciler, sched, _ = house
    sim.set_load("ml-prod", "fraud-scorer", 70)
    auto = {"enabled": True, "min": 2, "max": 8, "target_cpu_percent": 70}
    models.create(base_record(replicas=2, autoscaling=auto), actor=ANA, source="ui")
    reconciler.reconcile_now(KEY)
    sched.gateway.scale(*KEY, 6)  # the HPA's count
    (down,) = sched.reconcile(NIGHT)
    assert (down.before, down.after) == (6, 0)
    models.update(
        *KEY,
        base_record(replicas=2, autoscaling={**auto, "max": 4}),
        expected_version=1,
        actor=ANA,
        source="ui",
    )
    reconciler.reconcile_now(KEY)
    assert live(sim)["spec"]["replicas"] == 0
    (up,) = sched.reconcile(NEXT_MORNING)
    assert up.after == 4
