"""Runs the scheduler inside the dashboard with APScheduler 3: a job at the next boundary
(so a scale happens within a second of it), a periodic catch-up reconcile, and a leadership
check more often than that. Only the leader acts. A process that becomes the leader (at start
or when the leader died) runs a pass at once instead of waiting for the next interval; a
follower refreshes its copy of the remembered state at every check, so that what it tells its
reconciler and pages ("held down") follows the leader's writes.

A boundary's pass is planned a few seconds ahead (decisions at the boundary instant, the live
snapshot, the writes): at the boundary the plan is checked against the intent (any edit since
makes it decide again) and only the writes remain."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from barista_ui.ops import metrics
from barista_ui.schedule.engine import Plan, SchedulerEngine
from barista_ui.schedule.leader import Leadership

log = logging.getLogger("barista.scheduler")
LOCK_CHECK_S = 5.0  # how often the lock is checked (at most the pass interval)
PREPARE_LEAD_S = 10.0  # a boundary's pass is planned this long before it


class SchedulerRunner:
    def __init__(
        self,
        engine: SchedulerEngine,
        leadership: Leadership,
        *,
        interval_s: float = 60.0,
        lock_check_s: float = LOCK_CHECK_S,
    ):
        self.engine = engine
        self.leadership = leadership
        self.interval_s = interval_s
        lock_check_s = min(lock_check_s, getattr(leadership, "check_every_s", lock_check_s))
        self.lock_check_s = min(lock_check_s, interval_s)
        # a Lease leader that cannot renew stops acting at its renew deadline, mid-pass too
        engine.may_act = getattr(leadership, "holds", engine.may_act)
        self.scheduler: AsyncIOScheduler | None = None
        self.leader = False
        self.runs = 0
        # the next boundary's plan, being made or made ahead of it
        self.planning: tuple[datetime, asyncio.Future[Plan]] | None = None

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
            self.check_leadership,
            "interval",
            seconds=self.lock_check_s,
            id="leadership",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.add_job(
            self.check_leadership,
            "date",
            run_date=datetime.now(UTC),
            id="startup",
            max_instances=1,
        )
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        self.leadership.release()
        self.leader = False

    async def check_leadership(self) -> None:
        """Take the lock if it is free; on becoming the leader run a pass at once (the one
        that brings models back after the previous leader died)."""
        was = self.leader
        self.leader = await asyncio.to_thread(self.leadership.try_acquire)
        if self.leader and not was:
            log.info("scheduler: leader now; running a pass")
            await self._pass("catch-up")
        elif not self.leader:
            await asyncio.to_thread(self.engine.load_memory)

    async def _run(
        self, reason: str | None, keys: set | None = None, boundary: datetime | None = None
    ) -> None:
        """A pass (``boundary``: the schedule boundary this job was placed at; the lag from it
        to each write is observed as ``barista_scheduler_boundary_lag_seconds``)."""
        self.leader = await asyncio.to_thread(self.leadership.try_acquire)
        plan = await self._plan_for(boundary)
        if self.leader:
            actions = await self._pass(reason, keys, plan)
            if boundary is not None:
                for action in actions:
                    if action.ok and not action.dry_run:
                        lag = (action.at.astimezone(UTC) - boundary).total_seconds()
                        metrics.BOUNDARY_LAG.observe(max(lag, 0.0))

    async def _pass(
        self, reason: str | None, keys: set | None = None, plan: Plan | None = None
    ) -> list:
        actions = []
        try:
            if plan is not None:
                actions = await asyncio.to_thread(self.engine.execute, plan, check=True)
            else:
                actions = await asyncio.to_thread(self.engine.reconcile, reason=reason, keys=keys)
            self.runs += 1
            if actions:
                log.info("scheduler: %d action(s)", len(actions))
        except Exception:
            log.exception("scheduler run failed")
        await self.reschedule()
        return actions

    async def reschedule(self) -> None:
        """(Re)place the job at the earliest boundary any model's decision may change."""
        if self.scheduler is None:
            return
        nxt = await asyncio.to_thread(self.engine.next_change, datetime.now(UTC))
        if nxt is None:
            return
        instant, keys = nxt
        self.planning = None
        ahead = max(instant - timedelta(seconds=PREPARE_LEAD_S), datetime.now(UTC))
        self.scheduler.add_job(
            self._prepare,
            "date",
            run_date=ahead,
            args=[instant, keys],
            id="prepare",
            replace_existing=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
        self.scheduler.add_job(
            self._run,
            "date",
            run_date=instant,
            args=[None, keys, instant],
            id="boundary",
            replace_existing=True,
            max_instances=1,
            misfire_grace_time=3600,
        )

    async def _prepare(self, instant: datetime, keys: set) -> None:
        """Plan the boundary at ``instant`` (the leader only)."""
        if not self.leader:
            return
        self.planning = (
            instant,
            asyncio.ensure_future(asyncio.to_thread(self.engine.prepare, instant, keys=keys)),
        )
        try:
            await self.planning[1]
        except Exception:
            log.exception("planning the scheduler's next boundary failed")

    async def _plan_for(self, boundary: datetime | None) -> Plan | None:
        """The plan made for ``boundary``; one still being made is waited for (it is nearer
        done than a pass started now would be)."""
        planning, self.planning = self.planning, None
        if boundary is None or planning is None or planning[0] != boundary:
            return None
        try:
            return await planning[1]
        except Exception:
            return None  # logged by _prepare; the pass decides itself
