"""The scheduler says which models' schedule state changed (the page's Schedule column follows
live): a team or global schedule saved, an override set or cleared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from barista_ui.schedule.engine import SchedulerEngine
from data.db import session_factory
from tests.actors import A
from tests.conftest import base_record


def test_policy_and_override_changes_name_the_models(engine, registry) -> None:
    registry.create(base_record(), actor="ana", source="cli")
    registry.create(base_record(name="churn", team="growth"), actor="ana", source="cli")
    sched = SchedulerEngine(session_factory(engine), registry, None)
    told: list[set] = []
    sched.on_change = told.append
    sched.set_policy(
        "team", "payments", uptime="never", downtime=None, timezone=None, holidays=None, actor=A
    )
    assert told[-1] == {("ml-prod", "fraud-scorer")}
    sched.set_policy(
        "global", "", uptime="always", downtime=None, timezone=None, holidays=None, actor=A
    )
    assert told[-1] == {("ml-prod", "fraud-scorer"), ("ml-prod", "churn")}
    until = datetime.now(UTC) + timedelta(hours=1)
    sched.set_override(("ml-prod", "churn"), "up", until, actor=A, reason="demo")
    assert told[-1] == {("ml-prod", "churn")}
    sched.clear_override(("ml-prod", "churn"), A)
    assert told[-1] == {("ml-prod", "churn")} and len(told) == 4
