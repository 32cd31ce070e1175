"""The demo fleet: 40 models, two team schedules, 90 days of replica history and team budgets,
seeded into an empty database so the first run shows every feature."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from barista_ui.access.actor import SYSTEM, Actor
from barista_ui.cost.service import CostService
from barista_ui.records.registry import RegistryService
from barista_ui.schedule.engine import SchedulerEngine
from data.seed import demo_records

log = logging.getLogger("barista")

DEMO_BUDGETS = {"nlp": 6000.0, "search": 3600.0, "recsys": 1000.0, "vision": 1800.0}
DEMO_POLICIES = {  # team: (uptime, downtime, timezone, holidays)
    "vision": ("Mon-Fri 07:00-20:00", None, "Europe/Berlin", ("DE", "BE")),
    "recsys": (None, "Sat-Sun 00:00-24:00", "America/New_York", None),
}
DEMO_ACTOR = "barista-demo"
DEMO = Actor(DEMO_ACTOR, kind=SYSTEM)  # the seed may write everything


def seed_if_empty(registry: RegistryService, scheduler: SchedulerEngine, cost: CostService) -> bool:
    """Seed the demo fleet when the database has never held a record; True if it did."""
    if registry.fleet_stamp() != (0, 0):
        return False
    registry.apply_many(demo_records(), actor=DEMO_ACTOR, source="cli", reason="demo data")
    for team, (up, down, tz, cal) in DEMO_POLICIES.items():
        scheduler.set_policy(
            "team", team, uptime=up, downtime=down, timezone=tz, holidays=cal, actor=DEMO
        )
    policies = scheduler.policies()

    def is_down(rec, at: datetime) -> bool:
        decision = scheduler.decide_for(rec, at, policies=policies, overrides={}, need_until=False)
        return decision.state == "down"

    cost.seed_demo_history(registry.list_models(), datetime.now(UTC), is_down=is_down)
    for team, usd in DEMO_BUDGETS.items():
        cost.set_budget(team, usd, actor=DEMO)
    log.info("seeded the demo fleet into an empty database")
    return True
