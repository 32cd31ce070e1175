"""Fan-out of "these models changed" from worker threads to the page's event loop.

Two topics: ``live`` (the watch and the reconciler: live status changed) and ``schedule`` (a
schedule, an override or a scheduler transition changed what the Schedule column says)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger("barista.hub")

Key = tuple[str, str]
Listener = Callable[[set[Key]], None]


class ChangeHub:
    """Thread-safe publish; listeners run on the bound asyncio loop (NiceGUI's)."""

    def __init__(self) -> None:
        self._listeners: dict[int, tuple[str, Listener]] = {}
        self._next = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.published = 0
        # records changed by another process (None: any record): pages re-read them
        self._record_listeners: dict[int, Callable[[set[Key] | None], None]] = {}

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self, listener: Listener, topic: str = "live") -> Callable[[], None]:
        with self._lock:
            token = self._next
            self._next += 1
            self._listeners[token] = (topic, listener)

        def unsubscribe() -> None:
            with self._lock:
                self._listeners.pop(token, None)

        return unsubscribe

    def subscribe_records(self, listener: Callable[[set[Key] | None], None]) -> Callable[[], None]:
        """``listener`` runs on the loop when another process committed record changes."""
        with self._lock:
            token = self._next
            self._next += 1
            self._record_listeners[token] = listener

        def unsubscribe() -> None:
            with self._lock:
                self._record_listeners.pop(token, None)

        return unsubscribe

    def publish_records(self, keys: set[Key] | None) -> None:
        """Thread-safe: another process changed these records (None: maybe any)."""
        with self._lock:
            listeners = list(self._record_listeners.values())
        if not listeners:
            return
        loop = self._loop

        def run() -> None:
            for listener in listeners:
                try:
                    listener(keys)
                except Exception:
                    log.exception("record change listener failed")

        if loop is None or loop.is_closed():
            run()
            return
        try:
            loop.call_soon_threadsafe(run)
        except RuntimeError:  # loop shutting down
            pass

    def publish(self, keys: Iterable[Key], topic: str = "live") -> None:
        changed = set(keys)
        if not changed:
            return
        self.published += 1
        loop = self._loop
        if loop is None or loop.is_closed():
            self._dispatch(changed, topic)
            return
        try:
            loop.call_soon_threadsafe(self._dispatch, changed, topic)
        except RuntimeError:  # loop shutting down
            pass

    def publish_schedule(self, keys: Iterable[Key]) -> None:
        """What the Schedule column says changed for these models."""
        self.publish(keys, "schedule")

    def _dispatch(self, keys: set[Key], topic: str = "live") -> None:
        with self._lock:
            listeners = [f for t, f in self._listeners.values() if t == topic]
        for listener in listeners:
            try:
                listener(keys)
            except Exception:  # one broken page must not stop the others
                log.exception("change listener failed")


class KeyWorker:
    """Runs ``work(keys)`` on its own thread with every key handed in since its last run, so a
    slow listener (one that writes to the database) never holds up the ones after it: under a
    burst it runs once with the union, each model once."""

    def __init__(self, work: Callable[[set[Key]], object], name: str):
        self.work = work
        self.name = name
        self.runs = 0
        self._pending: set[Key] = set()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def put(self, keys: Iterable[Key]) -> None:
        with self._cond:
            self._pending.update(keys)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
                keys, self._pending = self._pending, set()
            try:
                self.work(keys)
            except Exception:
                log.exception("%s failed", self.name)
            self.runs += 1
