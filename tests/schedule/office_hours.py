"""The team policy most scheduler tests start from: payments is up Mon-Fri 08:00-18:00 UTC."""

from __future__ import annotations

from barista_ui.schedule.engine import SchedulerEngine
from tests.actors import ANA


def payments_office_hours(sched: SchedulerEngine) -> None:
    sched.set_policy(
        "team",
        "payments",
        uptime="Mon-Fri 08:00-18:00 UTC",
        downtime=None,
        timezone=None,
        holidays=None,
        actor=ANA,
    )
