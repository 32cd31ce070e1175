"""A stored row that no longer validates does not stop a scheduler pass or a reconciler pass,
and is neither applied nor deleted from the cluster."""

from __future__ import annotations

from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.language import parse_time
from data.db import session_factory
from tests.actors import ANA
from tests.cluster.reconcile_fixtures import wire, wired  # noqa: F401
from tests.conftest import base_record
from tests.k8s_fixtures import sim  # noqa: F401
from tests.unreadable_rows import BAD_SCHEDULE, spoil

NIGHT = parse_time("2026-11-24T19:00:00Z")
TEAM_HOURS = "Mon-Fri 08:00-18:00 UTC"


def _fleet(wired, engine) -> None:  # noqa: F811
    for name in ("fraud-scorer", "churn", "vision"):
        wired.registry.create(base_record(name=name, replicas=2), actor="ana", source="cli")
    assert all(r.ok for r in wired.reconciler.reconcile_all())
    spoil(engine, "ml-prod", "churn", schedule=BAD_SCHEDULE)
    spoil(engine, "ml-prod", "vision", cpu_limit="500m", replicas=5)


def test_a_reconciler_pass_skips_and_flags_an_unreadable_row(wired, engine, sim) -> None:  # noqa: F811
    _fleet(wired, engine)
    results = wired.reconciler.reconcile_all()
    assert [(r.name, r.ok) for r in results] == [("fraud-scorer", True)]
    failed = wired.reconciler.reconcile_now(("ml-prod", "vision"))  # as a submit would
    assert not failed.ok and "vision is stored with values that are no longer valid" in (
        failed.message
    )
    assert wired.reconciler.state(("ml-prod", "vision")).state == "Retrying"  # shown as failing
    vision = sim.get_object("Deployment", "ml-prod", "vision")
    assert vision is not None and vision["spec"]["replicas"] == 2  # not applied, not deleted
    wired.reconciler.check_drift()  # the watch thread's check reads it too


def test_a_scheduler_pass_skips_an_unreadable_row(wired, engine, sim) -> None:  # noqa: F811
    _fleet(wired, engine)
    sched = SchedulerEngine(
        session_factory(engine), wired.registry, wired.gateway, clock=lambda: NIGHT
    )
    sched.set_policy(
        "team", "payments", uptime=TEAM_HOURS, downtime=None, timezone=None, holidays=None,
        actor=ANA,
    )  # fmt: skip
    actions = sched.reconcile(NIGHT, reason="schedule")
    assert [(a.name, a.action) for a in actions] == [("fraud-scorer", "scale-down")]
    for name in ("churn", "vision"):
        assert sim.get_object("Deployment", "ml-prod", name)["spec"]["replicas"] == 2
