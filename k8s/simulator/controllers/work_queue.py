"""The controllers' one work queue: coalesced reconcile keys plus a heap of timers, so thousands
of idle objects cost nothing. Delays are in simulated seconds, divided by the configured speed."""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections.abc import Callable

Key = tuple[str, str, str]
TICK: Key = ("tick", "", "")


class WorkQueue:
    """Keys waiting to be reconciled (each at most once in the queue) and timers due later."""

    def __init__(self, speed: float):
        self.speed = max(speed, 0.001)
        self.work: queue.Queue[Key | None] = queue.Queue()
        self.pending: set[Key] = set()
        self.timers: list[tuple[float, int, Callable[[], None]]] = []
        self.counter = itertools.count()
        self.lock = threading.Lock()
        self.stop_event = threading.Event()

    @property
    def stopped(self) -> bool:
        return self.stop_event.is_set()

    def delay(self, seconds: float) -> float:
        """Simulated seconds as wall-clock seconds."""
        return seconds / self.speed

    def after(self, seconds: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the controller thread once ``seconds`` (simulated) have passed."""
        with self.lock:
            heapq.heappush(
                self.timers, (time.monotonic() + self.delay(seconds), next(self.counter), fn)
            )
        self.work.put(TICK)

    def enqueue(self, kind: str, ns: str, name: str) -> None:
        """Ask for ``kind`` ns/name to be reconciled; a key already waiting is not added twice."""
        key = (kind, ns, name)
        with self.lock:
            if key in self.pending:
                return
            self.pending.add(key)
        self.work.put(key)

    def next_item(self) -> Key | None:
        """The next key (``TICK`` when only timers may be due), or None once stopping."""
        with self.lock:
            wait = max(0.0, self.timers[0][0] - time.monotonic()) if self.timers else 1.0
        try:
            item = self.work.get(timeout=min(wait, 1.0))
        except queue.Empty:
            item = TICK
        if item is not None and item[0] != "tick":
            with self.lock:
                self.pending.discard(item)
        return item

    def pop_due(self) -> Callable[[], None] | None:
        """The earliest timer whose time has come, or None."""
        with self.lock:
            if not self.timers or self.timers[0][0] > time.monotonic():
                return None
            _, _, fn = heapq.heappop(self.timers)
        return fn

    def stop(self) -> None:
        self.stop_event.set()
        self.work.put(None)
