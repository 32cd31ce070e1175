"""The status counts under the model count ("38 Synced · 2 OutOfSync · 1 Degraded"), over every
model the table's filters and search select, on all pages. They follow the fleet's status tally:
a live change to a model on another page moves the counts and leaves the rows alone."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from nicegui import background_tasks, ui
from nicegui.client import Client

from barista_ui.fleet import Fleet
from barista_ui.fleet_counts import TOPIC
from barista_ui.records.listing import Key

if TYPE_CHECKING:
    from components.models.paging import PageRead

SYNC_ORDER = ("Synced", "OutOfSync", "Missing", "Pending", "Retrying", "Unmanaged", "Error")
HEALTH_SHOWN = ("Degraded", "Progressing")  # the others repeat the sync counts or are on purpose
RECOUNT_S = 0.25  # at most this often


def describe(states: list[tuple[str, str] | None]) -> str:
    """ "38 Synced · 2 OutOfSync · 1 Degraded" (unknown states are left out)."""
    sync = Counter(s[0] for s in states if s is not None)
    health = Counter(s[1] for s in states if s is not None)
    parts = [f"{sync[name]} {name}" for name in SYNC_ORDER if sync[name]]
    parts += [f"{n} {name}" for name in sorted(set(sync) - set(SYNC_ORDER)) if (n := sync[name])]
    parts += [f"{health[name]} {name}" for name in HEALTH_SHOWN if health[name]]
    return " · ".join(parts)


class StatusCounts:
    def __init__(self, fleet: Fleet, shown: Callable[[], PageRead | None]):
        self.fleet = fleet
        self._shown = shown
        # the read whose keys are held as a set (the object itself: a new read may reuse the
        # address of a freed one, so its id() would pass for the old read's)
        self._keys: tuple[PageRead | None, set[Key]] = (None, set())
        self._due = False
        self.label = ui.label("").classes("text-xs text-grey-7").mark("status-counts")
        self.label.set_visibility(False)

    def attach(self, client: Client) -> None:
        tally = self.fleet.tally
        if tally is None:
            return
        tally.start()
        client.on_delete(self.fleet.hub.subscribe(self._changed, TOPIC))

    def _changed(self, keys: set[Key]) -> None:
        """Some models' status changed: recount when one of them is selected here."""
        read = self._shown()
        if read is None or self.label.is_deleted:
            return
        if self._keys[0] is not read:
            self._keys = (read, set(read.keys))
        if not keys.isdisjoint(self._keys[1]) and not self._due:
            self._due = True
            background_tasks.create(self._later(), name="models-status-counts")

    async def _later(self) -> None:
        await asyncio.sleep(RECOUNT_S)
        self.recount()

    def recount(self) -> None:
        self._due = False
        tally, read = self.fleet.tally, self._shown()
        if tally is None or read is None or self.label.is_deleted:
            return
        states = tally.states
        text = describe([states.get(k) for k in read.keys])
        self.label.text = text
        self.label.set_visibility(bool(text))
