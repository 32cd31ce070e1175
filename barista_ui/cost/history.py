"""Turns observed replica counts into the replica history that cost is computed from.

The cluster watch reports what the Deployments ask for; writers (the page's toggles, the
scheduler, applies) say beforehand why they are changing a count, so that the segment the
watch then opens carries that reason. A change nobody announced is recorded as ``watch``
(someone used kubectl, or the HPA moved).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from barista_ui.cost.service import CostService

Key = tuple[str, str]
NOTE_TTL_S = 120.0


class ReplicaRecorder:
    def __init__(
        self,
        cost: CostService,
        lookup: Callable[[Key], Any | None],  # key -> ModelRecord | None
        live: Any,  # k8s.live.LiveState
        *,
        clock: Callable[[], datetime],
        schedule_memory: Callable[[Key], tuple[bool, int | None]] = lambda key: (False, None),
    ):
        self.cost = cost
        self.lookup = lookup
        self.live = live
        self.clock = clock
        self.schedule_memory = schedule_memory
        self._last: dict[Key, int] = {}
        self._notes: dict[Key, tuple[int, str, float]] = {}
        self._lock = threading.Lock()

    def note(self, key: Key, replicas: int, reason: str) -> None:
        """A writer is about to set ``replicas`` on ``key`` because of ``reason``."""
        with self._lock:
            self._notes[key] = (replicas, reason, time.monotonic() + NOTE_TTL_S)

    def _reason(self, key: Key, replicas: int) -> str:
        with self._lock:
            note = self._notes.get(key)
            if note and note[0] == replicas and note[2] >= time.monotonic():
                del self._notes[key]
                return note[1]
        return "watch"

    def observe(self, keys: set[Key]) -> int:
        """Record a segment for every model whose requested replica count changed."""
        recorded = 0
        for key in keys:
            snap = self.live.snapshot(key)
            replicas = int(snap.desired) if snap is not None and snap.deployment_exists else 0
            if self._last.get(key) == replicas:
                continue
            rec = self.lookup(key)
            self._last[key] = replicas
            if rec is None:
                continue
            held, baseline = self.schedule_memory(key)
            self.cost.record_replicas(
                key[0],
                key[1],
                rec.spec.team,
                replicas,
                self.clock(),
                self._reason(key, replicas),
                scheduled_down=held,
                baseline=baseline if held else None,
                rate=self.cost.rate_for(rec.spec),
            )
            recorded += 1
        return recorded
