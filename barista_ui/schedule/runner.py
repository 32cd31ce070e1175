"""Runs the scheduler inside the dashboard with APScheduler 3: a job at the next boundary
(so a scale happens within a second of it), a periodic catch-up reconcile, one at start-up.
Only the leader acts; the others try to take over at every periodic tick."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from barista_ui.schedule.engine import SchedulerEngine

log = logging.getLogger("barista.scheduler")


class SchedulerRunner:
    def __init__(self, engine: SchedulerEngine, leadership, *, interval_s: float = 60.0):
        self.engine = engine
        self.leadership = leadership
        self.interval_s = interval_s
        self.scheduler: AsyncIOScheduler | None = None
        self.runs = 0

    def start(self) -> None:
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.scheduler.add_job(
            self._run,
            "interval",
            seconds=self.interval_s,
            args=["catch-up"],
            id="reconcile",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.add_job(
            self._run,
            "date",
            run_date=datetime.now(UTC),
            args=["catch-up"],
            id="startup",
            max_instances=1,
        )
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        self.leadership.release()

    async def _run(self, reason: str | None, keys: set | None = None) -> None:
        if not await asyncio.to_thread(self.leadership.try_acquire):
            return
        try:
            actions = await asyncio.to_thread(self.engine.reconcile, reason=reason, keys=keys)
            self.runs += 1
            if actions:
                log.info("scheduler: %d action(s)", len(actions))
        except Exception:
            log.exception("scheduler run failed")
        await self.reschedule()

    async def reschedule(self) -> None:
        """(Re)place the job at the earliest boundary any model's decision may change."""
        if self.scheduler is None:
            return
        nxt = await asyncio.to_thread(self.engine.next_change, datetime.now(UTC))
        if nxt is None:
            return
        instant, keys = nxt
        self.scheduler.add_job(
            self._run,
            "date",
            run_date=instant,
            args=[None, keys],
            id="boundary",
            replace_existing=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
