"""The reconciler: makes the cluster match the records (the database holds intent).

A per-model work queue is fed by record changes (:meth:`Reconciler.submit`), by the live
watch (:meth:`Reconciler.observe`: a missing Deployment, Service or HPA is recreated at once)
and by a periodic resync that picks up changes written by another process (the
CLI) from the registry's revisions. Worker threads apply one model at a time each, never
two applies of the same model at once. A failed apply is retried with exponential backoff
and jitter; the model shows ``Retrying`` with the last error and the next attempt, and a
saved but not yet applied model shows ``Pending``. Applying is idempotent: the gateway
writes nothing when no field drifted (:mod:`k8s.drift`) and the replica count matches; any
drift is work (a matching config hash does not hide a field changed behind Barista's back).

Fields changed behind Barista's back are not undone by themselves: the model shows
``OutOfSync`` with each field, its record and live values and who changed it, until someone
re-applies (as Argo CD does without self-heal): the change may be an on-call fix to keep.

No database transaction is open while the cluster is called.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from barista_ui.cluster.status import KeyState, LiveView, missing_objects
from barista_ui.ops import metrics
from barista_ui.records.record import Unreadable
from barista_ui.records.registry import ModelRecord, RegistryService
from barista_ui.records.replicas import desired_replicas, replicas_to_apply
from barista_ui.records.spec import ModelSpec
from data.types import utcnow
from k8s.gateway import ClusterGateway, GatewayError
from k8s.manifests import held_down

log = logging.getLogger("barista.reconciler")

Key = tuple[str, str]


@dataclass(frozen=True)
class ReconcileResult:
    namespace: str
    name: str
    ok: bool
    writes: int
    message: str

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)


@dataclass(frozen=True)
class Backoff:
    """Delay before retry ``attempt`` (1, 2, ...): base·2^(attempt-1), capped, times a jitter
    factor in [0.5, 1.5) so that many failing models do not retry in step."""

    base_s: float = 1.0
    max_s: float = 60.0
    rng: Callable[[], float] = random.random

    def delay(self, attempt: int) -> float:
        return min(self.max_s, self.base_s * 2 ** (attempt - 1)) * (0.5 + self.rng())


class Reconciler:
    def __init__(
        self,
        registry: RegistryService,
        gateway: ClusterGateway,
        desired_for: Callable[[ModelSpec], int],
        *,
        live: LiveView | None = None,
        workers: int = 2,
        resync_s: float = 2.0,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utcnow,
        on_applied: Callable[[Key, int], None] | None = None,
        on_state: Callable[[set[Key]], None] | None = None,
    ):
        self.registry = registry
        self.gateway = gateway
        self.desired_for = desired_for
        self.live = live
        self.workers = workers
        self.resync_s = resync_s
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.now = now
        self.on_applied = on_applied
        self.on_state = on_state
        self._cond = threading.Condition()
        self._queue: list[Key] = []
        self._queued: set[Key] = set()
        self._urgent: set[Key] = set()  # queued saved changes (the saved-changes worker's)
        self._inflight: set[Key] = set()
        # changed while being applied: apply once more after (True: a saved change, urgent)
        self._again: dict[Key, bool] = {}
        self._due: dict[Key, float] = {}  # retry time (clock) per Retrying model
        self._states: dict[Key, KeyState] = {}
        self._observed: set[Key] = set()
        self._stamp: tuple[int, int] | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._woken = False

    # ------------------------------------------------------------------ feeding the queue

    def submit(self, key: Key) -> None:
        """The record of ``key`` was saved: Pending until applied, applied as soon as possible:
        ahead of background work (the start-up apply, resyncs, drift checks), so a click is
        not served after hundreds of models that are already in sync."""
        with self._cond:
            if self._states.get(key) is None or self._states[key].state != "Retrying":
                self._states[key] = KeyState("Pending")
            self._enqueue(key, urgent=True)
        self._notify_state({key})

    def submit_all(self) -> int:
        """Queue every record (the start-up apply and "re-apply all"); returns how many."""
        keys = [r.key for r in self.registry.list_models()]
        with self._cond:
            for key in keys:
                self._enqueue(key)
        return len(keys)

    def observe(self, keys: Iterable[Key]) -> None:
        """The live view of these models changed: check them for drift (off this thread)."""
        with self._cond:
            self._observed.update(keys)
            self._cond.notify_all()

    def state(self, key: Key) -> KeyState | None:
        """``Pending``/``Retrying`` for a model not applied yet; None once applied."""
        with self._cond:
            return self._states.get(key)

    def queue_depth(self) -> int:
        """Models waiting: queued, being applied or due for a retry."""
        with self._cond:
            return len(self._queued | self._inflight | set(self._due))

    def states(self) -> dict[Key, KeyState]:
        with self._cond:
            return dict(self._states)

    def _enqueue(self, key: Key, *, urgent: bool = False) -> None:  # caller holds the lock
        self._due.pop(key, None)
        if key in self._inflight:
            self._again[key] = self._again.get(key, False) or urgent
        elif urgent:
            if key in self._queued:
                self._queue.remove(key)
            self._queue.insert(0, key)
            self._queued.add(key)
            self._urgent.add(key)
        elif key not in self._queued:
            self._queue.append(key)
            self._queued.add(key)
        self._cond.notify_all()

    # ------------------------------------------------------------------ applying

    def reconcile_now(self, key: Key) -> ReconcileResult:
        """Apply one model here and now (the CLI's way; waits for an apply in flight)."""
        with self._cond:
            while key in self._inflight:
                self._cond.wait()
            if key in self._queued:
                self._queue.remove(key)
                self._queued.discard(key)
                self._urgent.discard(key)
            self._due.pop(key, None)
            self._inflight.add(key)
        try:
            return self._apply(key)
        finally:
            self._finish(key)

    def reconcile_all(self) -> list[ReconcileResult]:
        """Apply every record here and now, one after the other."""
        return [self.reconcile_now(r.key) for r in self.registry.list_models()]

    def _apply(self, key: Key) -> ReconcileResult:
        try:
            record = self.registry.find(key[1], key[0])
        except Unreadable as exc:  # never applied, never deleted: left as it runs until fixed
            return self._failed(key, str(exc))
        try:
            if record is None:
                result = self.gateway.delete({"namespace": key[0], "name": key[1]})
                writes, message = result.writes, f"deleted ({result.writes} writes)"
            else:
                writes, message = self._apply_record(record)
        except GatewayError as exc:
            return self._failed(key, str(exc))
        with self._cond:
            self._states.pop(key, None)
            self._due.pop(key, None)
        metrics.APPLIES.labels("ok").inc()
        self._notify_state({key})
        return ReconcileResult(key[0], key[1], True, writes, message)

    def _apply_record(self, record: ModelRecord) -> tuple[int, str]:
        spec = record.spec
        decided: list[int] = []

        def decide(live: dict[str, Any] | None) -> int:
            """The replica rule on the object being written: held down while it carries the
            scheduler's annotation (its truth), so an apply racing a restore cannot undo it."""
            if live is None:
                desired = self.desired_for(spec)
                decided.append(desired)
                return desired
            desired = desired_replicas(spec, scheduled_down=held_down(live))
            decided.append(desired)
            return replicas_to_apply(spec, desired, (live.get("spec") or {}).get("replicas", 0))

        result = self.gateway.apply(record.to_file_dict(), decide)
        if result.writes and self.on_applied is not None:
            try:
                self.on_applied(record.key, decided[-1])
            except Exception:  # bookkeeping must not turn an applied change into a failure
                log.exception("after-apply callback failed for %s/%s", *record.key)
        if result.writes == 0:
            return 0, "already in sync"
        return result.writes, f"applied ({result.writes} writes)"

    def _failed(self, key: Key, error: str) -> ReconcileResult:
        with self._cond:
            attempts = (self._states[key].attempts if key in self._states else 0) + 1
            delay = self.backoff.delay(attempts)
            self._due[key] = self.clock() + delay
            self._states[key] = KeyState(
                "Retrying", error, self.now() + timedelta(seconds=delay), attempts
            )
            self._cond.notify_all()
        metrics.APPLIES.labels("error").inc()
        metrics.RETRIES.inc()
        log.warning("apply of %s/%s failed (attempt %d): %s", key[0], key[1], attempts, error)
        self._notify_state({key})
        return ReconcileResult(key[0], key[1], False, 0, error)

    def _finish(self, key: Key) -> None:
        with self._cond:
            self._inflight.discard(key)
            if key in self._again:
                self._enqueue(key, urgent=self._again.pop(key))
            self._cond.notify_all()

    def _notify_state(self, keys: set[Key]) -> None:
        if self.on_state is not None:
            try:
                self.on_state(keys)
            except Exception:
                log.exception("state listener failed")

    # ------------------------------------------------------------------ threads

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        self._stamp = self.registry.fleet_stamp()
        for i in range(self.workers):
            self._spawn(self._work, f"reconcile-{i}")
        # one worker only for saved changes: a click never waits for a busy background apply
        self._spawn(lambda: self._work(saved_only=True), "reconcile-saved")
        self._spawn(self._resync_loop, "reconcile-resync")

    def stop(self, timeout: float = 5.0) -> int:
        """Let the applies in flight finish (up to ``timeout`` each), take no more; returns how
        many queued models were left unapplied (their intent stays in the database)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        for t in self._threads:
            t.join(timeout)
        self._threads = []
        with self._cond:
            return len(self._queued) + len(self._due)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def _take(self, *, saved_only: bool = False) -> Key | None:
        """The next model to apply (queued, or a retry that is due; ``saved_only``: only a
        saved change); None when stopping."""
        with self._cond:
            while not self._stop.is_set():
                now = self.clock()
                for key, due in list(self._due.items()):
                    if due <= now:
                        self._enqueue(key)
                for key in self._queue:
                    if key not in self._inflight and (not saved_only or key in self._urgent):
                        self._queue.remove(key)
                        self._queued.discard(key)
                        self._urgent.discard(key)
                        self._inflight.add(key)
                        return key
                wait = min((d - now for d in self._due.values()), default=0.5)
                self._cond.wait(min(max(wait, 0.01), 0.5))
        return None

    def _work(self, saved_only: bool = False) -> None:
        while (key := self._take(saved_only=saved_only)) is not None:
            try:
                self._apply(key)
            except Exception:  # a bug must not kill the worker; retry later
                log.exception("reconciling %s/%s failed", *key)
                self._failed(key, "internal error, see the log")
            finally:
                self._finish(key)

    def _resync_loop(self) -> None:
        """Every ``resync_s`` (sooner when the watch reported changes, but at most twice a
        second): pick up other processes' record changes and check observed models."""
        while not self._stop.is_set():
            try:
                self.resync()
                self.check_drift()
            except Exception:
                log.exception("resync failed")
            if self._stop.wait(min(0.5, self.resync_s)):
                return
            with self._cond:
                if not self._observed and not self._woken and not self._stop.is_set():
                    self._cond.wait(max(0.0, self.resync_s - 0.5))
                self._woken = False

    def wake(self) -> None:
        """Another process committed a change: resync now rather than at the next interval."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def resync(self) -> set[Key]:
        """Queue the models whose records changed since the last look (e.g. by the CLI)."""
        stamp = self.registry.fleet_stamp()
        if stamp == self._stamp:
            return set()
        since = self._stamp[1] if self._stamp else 0
        keys = self.registry.keys_changed_since(since)
        self._stamp = stamp
        with self._cond:
            for key in keys:
                self._enqueue(key)
        return keys

    def _readable(self, key: Key) -> ModelRecord | None:
        """The record of ``key``; None when gone or stored with values no longer valid."""
        try:
            return self.registry.find(key[1], key[0])
        except Unreadable:
            return None

    def check_drift(self) -> set[Key]:
        """Queue observed models that lack an object (deleted by hand: recreated at once).

        Changed fields and the replica count are not corrected here: the status shows them
        (with who changed them) until a re-apply; the scheduler, the HPA and people on call
        move the count on purpose."""
        with self._cond:
            keys, self._observed = self._observed, set()
        if not keys or self.live is None:
            return set()
        if len(keys) > 20:  # one query instead of many
            by_key = {r.key: r for r in self.registry.list_models()}
        else:
            by_key = {k: r for k in keys if (r := self._readable(k)) is not None}
        records = [by_key[k] for k in keys if k in by_key]
        drifted = {r.key for r in records if missing_objects(r.spec, self.live.snapshot(r.key))}
        with self._cond:
            for key in drifted:
                if key not in self._states:  # a failing model keeps its backoff
                    self._enqueue(key)
        return drifted

    def __enter__(self) -> Reconciler:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
