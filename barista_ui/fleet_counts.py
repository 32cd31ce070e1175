"""Sync status and health of every record, for the Models tab's counts ("38 Synced · 2
OutOfSync"): computed once in a worker thread, then again only for the models a live push
names. When a model's state changed, the keys are published on the hub's ``counts`` topic; the
tables recount their selection then, without touching their rows."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from barista_ui.cluster.hub import ChangeHub
from barista_ui.cluster.status import FleetStatus
from barista_ui.records.listing import Key, RecordIndex
from barista_ui.records.registry import ModelRecord

log = logging.getLogger("barista.counts")
TOPIC = "counts"
State = tuple[str, str]  # (sync status, health)


class StatusTally:
    def __init__(self, index: RecordIndex, status: Callable[[], FleetStatus], hub: ChangeHub):
        self.index = index
        self._status = status
        self.hub = hub
        self.states: dict[Key, State] = {}
        self._pending: set[Key] = set()
        self._everything = False
        self._lock = threading.Lock()
        self._wake = threading.Condition()
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        """Listen to live pushes from now on and compute every record's state (once)."""
        with self._lock:
            if self._unsubscribe is not None:
                return
            self._unsubscribe = self.hub.subscribe(self.want)
        # one worker for good: starting a thread per push would wait on the OS in the loop
        threading.Thread(target=self._work, name="status-tally", daemon=True).start()
        self.want(None)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def want(self, keys: Iterable[Key] | None) -> None:
        """Compute these models' states again soon (None: every record); never blocks."""
        with self._wake:
            if keys is None:
                self._everything = True
            else:
                self._pending.update(keys)
            self._wake.notify()

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._everything and not self._pending:
                    self._wake.wait()
                everything, keys = self._everything, self._pending
                self._everything, self._pending = False, set()
            try:
                changed = self.compute(None if everything else keys)
            except Exception:
                log.warning("counting the models' status failed", exc_info=True)
                continue
            if changed:
                self.hub.publish(changed, TOPIC)

    def compute(self, keys: set[Key] | None) -> set[Key]:
        """Recompute these models' (or all records') states; the keys whose state changed."""
        if keys is None:
            if not self.index.ready:
                self.index.sync()
            keys = set(self.index.keys())
        records = [i for i in self.index.items(sorted(keys)) if isinstance(i, ModelRecord)]
        status = self._status()
        changed = set()
        for record in records:
            row = status.row(record)
            state = (row.status, row.health)
            if self.states.get(record.key) != state:
                self.states[record.key] = state
                changed.add(record.key)
        return changed
