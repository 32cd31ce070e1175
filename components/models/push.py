"""Live pushes into the models table: when the watch or the reconciler reports models changed,
the live fields of those on the shown page are recomputed and patched in the browser (the others
only move the status counts, see :mod:`components.models.counts`); no row is re-sent. The live
fields come from memory (the watch's view, the scheduler's memory, the reconciler's states): no
database or cluster call, so they are computed right here. Pushes that arrive while a patch is
sent are merged into the next."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import background_tasks, run, ui
from nicegui.client import Client

from barista_ui.fleet import Fleet
from barista_ui.records.registry import ModelRecord
from components.models.rows import live_fields, row_key

Key = tuple[str, str]
COALESCE_S = 0.05  # wait this long after a patch, gathering pushes for the next


class _Coalescing:
    """Subscribed to one topic of the fleet's change hub while the page lives; pushes that
    arrive while a patch is sent are merged into the next (``_patch`` does the work)."""

    topic = "live"
    task_name = "models-table-patch"

    def __init__(self, fleet: Fleet, table: ui.table):
        self.fleet = fleet
        self.table = table
        self._pending: set[Key] = set()
        self._draining = False
        self._unsubscribe: Callable[[], None] | None = None

    def subscribe(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self.fleet.hub.subscribe(self.pushed, self.topic)

    def unsubscribe(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def pushed(self, keys: set[Key]) -> None:
        """The hub's listener (on the event loop): remember the keys, patch soon."""
        if self.table.is_deleted:
            self.unsubscribe()
            return
        self._pending |= keys
        if not self._draining:
            self._draining = True
            background_tasks.create(self._drain(), name=self.task_name)

    async def _drain(self) -> None:
        try:
            while self._pending and not self.table.is_deleted:
                keys, self._pending = self._pending, set()
                await self._patch(keys)
                await asyncio.sleep(COALESCE_S)
        finally:
            self._draining = False

    async def _patch(self, keys: set[Key]) -> None:
        raise NotImplementedError


class LivePatcher(_Coalescing):
    """Subscribes the table to the fleet's live changes while its browser is connected."""

    def __init__(
        self,
        fleet: Fleet,
        table: ui.table,
        records: Callable[[], dict[str, ModelRecord]],
        rows: Callable[[], dict[str, dict[str, Any]]],
    ):
        super().__init__(fleet, table)
        self._records = records  # the table's records by row key
        self._rows = rows  # the table's (server-side) rows by row key

    def attach(self, client: Client, on_reconnect: Callable[[], Awaitable[None]]) -> None:
        """Listen now; stop on disconnect; listen again (and reload, pushes were missed) on
        reconnect; stop for good when the page is gone."""
        self.subscribe()

        async def reconnected() -> None:
            if self._unsubscribe is None:
                self.subscribe()
                await on_reconnect()

        client.on_connect(reconnected)
        client.on_disconnect(self.unsubscribe)
        client.on_delete(self.unsubscribe)

    async def _patch(self, keys: set[Key]) -> None:
        records = self._records()
        shown = [r for k in keys if (r := records.get(row_key(*k))) is not None]
        if not shown:
            return
        live = self.fleet.live_rows(shown)
        patch = {row_key(*r.key): live_fields(r, live[r.key]) for r in shown}
        patch_rows(self.table, self._rows(), patch)


def patch_rows(
    table: ui.table, rows: dict[str, dict[str, Any]], patch: dict[str, dict[str, Any]]
) -> None:
    """Update these rows on the server and in the browser without re-sending the others."""
    with table._props.suspend_updates():  # the server's copy follows, nothing is re-sent
        for key, fields in patch.items():
            if key in rows:
                rows[key].update(fields)
    table.client.run_javascript(
        f"(() => {{ const el = mounted_app.elements[{table.id}]; if (!el) return;"
        f" const patch = {json.dumps(patch)};"
        " for (const r of el.props.rows) { const p = patch[r.key]; if (p) Object.assign(r, p); }"
        " })()"
    )


class SchedulePatcher(_Coalescing):
    """Patches the Schedule column of the rows whose schedule state changed (a schedule or an
    override saved, a scheduler transition): their text is decided again in a worker thread
    (it reads the schedules) and sent for those rows only."""

    topic = "schedule"
    task_name = "models-table-schedule"

    def __init__(
        self,
        fleet: Fleet,
        table: ui.table,
        rows: Callable[[], dict[str, dict[str, Any]]],
        tz: str,
    ):
        super().__init__(fleet, table)
        self._rows = rows
        self.tz = tz

    def attach(self, client: Client) -> None:
        self.subscribe()
        client.on_delete(self.unsubscribe)

    async def _patch(self, keys: set[Key]) -> None:
        shown = {k for k in keys if row_key(*k) in self._rows()}
        if not shown:
            return
        texts = await run.io_bound(self.fleet.schedule_texts, shown, self.tz)
        if texts is not None and not self.table.is_deleted:
            patch = {row_key(*k): {"sched": t} for k, t in texts.items()}
            patch_rows(self.table, self._rows(), patch)
