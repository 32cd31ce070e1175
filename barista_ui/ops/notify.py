"""Wakes this process when another one committed a change (PostgreSQL ``LISTEN``): the
reconciler resyncs at once and pages re-read the changed models, instead of waiting for their
next poll. A thread holds one dedicated connection; it reconnects after an error. SQLite has no
such channel: one process, nothing to hear."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from barista_ui.ops import metrics
from barista_ui.ops.committed import ALL, CHANNEL

log = logging.getLogger("barista.notify")
Key = tuple[str, str]


def parse(payload: str) -> set[Key] | None:
    """The models named in a notification; None means "anything may have changed"."""
    try:
        names = json.loads(payload)
    except ValueError:
        return None
    keys: set[Key] = set()
    for name in names:
        if name == ALL or "/" not in name:
            return None
        ns, _, model = name.partition("/")
        keys.add((ns, model))
    return keys


class ChangeListener:
    def __init__(self, engine: Engine, on_change: Callable[[set[Key] | None], None]):
        url = engine.url.set(drivername="postgresql")
        self.dsn = url.render_as_string(hide_password=False)
        self.on_change = on_change
        self.received = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pg-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(3)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    self.on_change(None)  # missed while not listening: look at everything
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5, stop_after=64):
                            self.received += 1
                            metrics.NOTIFICATIONS.inc()
                            self.on_change(parse(note.payload))
            except Exception as exc:
                self.listening.clear()
                if self._stop.is_set():
                    return
                log.warning("listening for changes failed (%s); again in 2 s", exc)
                self._stop.wait(2)
