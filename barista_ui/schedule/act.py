"""The cluster side of a transition: a read-only snapshot of the managed Deployments per pass,
which write a model needs (pure), and the writes themselves.

The Deployment is the truth of what the scheduler holds down: a scale-down sets the replicas
and the annotation ``barista.io/original-replicas`` (the count it ran) in ONE merge-patch with
a resourceVersion precondition, and a scale-up sets the replicas and removes the annotation the
same way. The database's remembered state is a cache of that annotation, written after the
patch in one transaction with the action log; whenever a fresh read of the Deployment
disagrees with it (a crash between the two writes, a lost memory table) the memory is taken
from the Deployment (:meth:`Transitions.adopt`, at start and in every pass). Scale-up brings
back what the record asks for now (``desired_replicas``). A scale made outside Barista during
downtime is respected until the next scheduled transition (an implicit override).

Thread safety: each pass builds its own immutable snapshot and hands it to its workers (no
shared index is replaced or consumed); one transition per model runs at a time (a lock per
model), and the remembered state is re-read under that lock before every attempt.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Literal

from barista_ui.access.actor import SYSTEM_SCHEDULER
from barista_ui.records.registry import ModelRecord
from barista_ui.records.replicas import desired_replicas, downtime_replicas
from barista_ui.schedule.decide import Decision, Override
from barista_ui.schedule.snapshot import (
    SEQUENCE,
    LiveDeployment,
    LiveSnapshot,
    live_snapshot,
    read_deployment,
)
from barista_ui.schedule.store import UP, Entry, Key, Memory, ScheduleStore
from data.ops_tables import SchedulerAction
from k8s.gateway import ClusterGateway, ConflictError, GatewayError
from k8s.manifests import ORIGINAL_REPLICAS
from k8s.scale_batch import ScaleWriter

REASON_OF_RULE = {
    "holiday": "holiday",
    "override": "override",
    "model": "schedule",
    "team": "schedule",
    "global": "schedule",
}
ATTEMPTS = 3
WRITERS = 8  # concurrent cluster writers of a pass (and pooled connections)
__all__ = [
    "ATTEMPTS",
    "REASON_OF_RULE",
    "WRITERS",
    "LiveDeployment",
    "LiveSnapshot",
    "Transitions",
    "live_snapshot",
    "needs_action",
    "read_deployment",
    "recovered",
    "step",
]
Step = Literal["none", "note-down", "scale-down", "keep-manual", "already-up", "scale-up"]


def held_count(live: LiveDeployment) -> int | None:
    """The count the annotation remembers (None when it is unreadable)."""
    try:
        return int(live.annotations[ORIGINAL_REPLICAS])
    except (KeyError, ValueError):
        return None


def recovered(memory: Memory, live: LiveDeployment) -> Memory:
    """The remembered state as the Deployment says it (the truth the database caches): held
    down while it carries the annotation, not held down once the annotation is gone. Differs
    from ``memory`` only after a crash between a cluster write and the database write that
    follows it, or when the memory table was lost."""
    if ORIGINAL_REPLICAS in live.annotations:
        return Memory("down", held_count(live))
    return UP if memory.state == "down" else memory


def step(state: str, memory: Memory, replicas: int, target: int) -> Step:
    """Which write brings a model from what it runs to the decided ``state`` (pure)."""
    if state == "down" and memory.state == "up":
        return "note-down" if replicas <= target else "scale-down"
    if state == "down" and memory.state == "down" and replicas > target:
        return "keep-manual"  # scaled up by hand during downtime
    if state == "up" and memory.state == "down":
        return "already-up" if replicas > target else "scale-up"
    return "none"


def needs_action(
    record: ModelRecord, decision: Decision, memory: Memory, live: LiveDeployment | None
) -> bool:
    """Cheap pre-check so an idle pass makes no request at all."""
    if live is None:
        return False
    target = downtime_replicas(record.spec)
    memory_now = recovered(memory, live)
    return memory_now != memory or step(decision.state, memory_now, live.replicas, target) != "none"


class Transitions:
    """Carries out transitions on the cluster and records them through the store."""

    def __init__(
        self,
        store: ScheduleStore,
        gateway: ClusterGateway | None,
        *,
        dry_run: bool,
        writers: int = WRITERS,
    ):
        self.store = store
        self.gateway = gateway
        # every scheduler patch goes through it: one pooled client, ``writers`` connections
        self.writer = ScaleWriter(gateway, writers) if gateway is not None else None
        self.dry_run = dry_run
        self._guard = threading.Lock()
        self._model_locks: dict[Key, threading.Lock] = {}
        self._written: dict[Key, int] = {}  # when each model was last acted on (sequence)
        self._dry: dict[Key, str] = {}  # the state a dry run last pretended to enforce

    def _model_lock(self, key: Key) -> threading.Lock:
        with self._guard:
            return self._model_locks.setdefault(key, threading.Lock())

    def claim(self, keys: list[Key], taken: int) -> tuple[set[Key], set[Key]]:
        """Lock the models a batch writes from a snapshot drawn at ``taken``, without waiting:
        returns (locked, left) where ``left`` are those another pass holds or wrote since the
        snapshot (they go one by one, read fresh). Release with :meth:`release`."""
        mine: set[Key] = set()
        left: set[Key] = set()
        with self._guard:
            for key in keys:
                lock = self._model_locks.setdefault(key, threading.Lock())
                if self._written.get(key, 0) > taken or not lock.acquire(blocking=False):
                    left.add(key)
                else:
                    mine.add(key)
        return mine, left

    def release(self, keys: set[Key]) -> None:
        with self._guard:
            for key in keys:
                self._model_locks[key].release()

    def written(self, key: Key) -> None:
        """The model was just written: a snapshot drawn before now is stale for it."""
        self._written[key] = next(SEQUENCE)

    def wanted(self, record: ModelRecord, decision: Decision, snapshot: LiveSnapshot) -> bool:
        live = snapshot.get(record.key)
        if self.dry_run:
            with self._guard:
                return live is not None and self._dry.get(record.key, "up") != decision.state
        return needs_action(record, decision, self.store.memory(record.key), live)

    def act(
        self,
        record: ModelRecord,
        decision: Decision,
        now: datetime,
        reason: str | None,
        snapshot: LiveSnapshot,
    ) -> SchedulerAction | None:
        """Bring one model to ``decision``. The first attempt uses this pass's snapshot unless
        another pass acted on the model since it was taken, or the snapshot disagrees with the
        remembered state (only a fresh read may correct the memory); a retry after a conflict
        reads the Deployment again."""
        why = reason or REASON_OF_RULE.get(decision.rule, "schedule")
        if self.dry_run:
            return self._pretend(record, decision, why, snapshot)
        key = record.key
        with self._model_lock(key):
            fresh = self._written.get(key, 0) > snapshot.taken
            for attempt in range(ATTEMPTS):
                live = snapshot.get(key) if attempt == 0 and not fresh else None
                if live is None or self._disagrees(key, live):
                    live = read_deployment(self.gateway, key)
                if live is None:
                    return None
                try:
                    action = self._attempt(record, decision, now, why, live)
                    self._written[key] = next(SEQUENCE)
                    return action
                except ConflictError:
                    continue  # changed between read and write: read again and decide again
                except GatewayError as exc:
                    return self.store.log_action(
                        key, "error", why, str(exc), live.replicas, None, ok=False
                    )
        return self.store.log_action(
            key, "error", why, "the Deployment kept changing; will retry", None, None, ok=False
        )

    def _disagrees(self, key: Key, live: LiveDeployment) -> bool:
        memory = self.store.memory(key)
        return recovered(memory, live) != memory

    def adopt(self, snapshot: LiveSnapshot) -> int:
        """Make the remembered state agree with the Deployments (read fresh: ``snapshot`` must
        come from the API, not a watch cache); returns how many memories changed. Run at start
        before the reconciler applies anything, so that it holds down what is held down."""
        changed = 0
        for key, live in snapshot.items():
            with self._model_lock(key):
                if self._written.get(key, 0) > snapshot.taken:
                    continue  # acted on since the read
                changed += self._adopt(key, live)
        return changed

    def _adopt(self, key: Key, live: LiveDeployment) -> int:
        memory = self.store.memory(key)
        truth = recovered(memory, live)
        if truth == memory:
            return 0
        said = "held down" if truth.state == "down" else "not held down"
        self.store.record(
            key,
            memory=truth,
            rule="restart",
            entry=Entry(
                "recover",
                "restart",
                f"remembered state taken from the Deployment: {said}"
                + (f" (ran {truth.original})" if truth.state == "down" else ""),
                live.replicas,
                live.replicas,
            ),
        )
        return 1

    def _attempt(
        self,
        record: ModelRecord,
        decision: Decision,
        now: datetime,
        why: str,
        live: LiveDeployment,
    ) -> SchedulerAction | None:
        key, target = record.key, downtime_replicas(record.spec)
        self._adopt(key, live)  # the Deployment (read fresh) is the truth the memory caches
        memory = self.store.memory(key)
        todo = step(decision.state, memory, live.replicas, target)
        if todo == "note-down":
            self._note_down(key, live, decision)
        elif todo == "scale-down":
            return self._scale_down(key, live, target, decision, why)
        elif todo == "keep-manual":
            return self._keep_manual(key, live, now, decision)
        elif todo == "already-up":
            return self._already_up(key, live, decision, why)
        elif todo == "scale-up":
            restore = desired_replicas(record.spec, restore=memory.original)
            return self._scale_up(key, live, restore, decision, why)
        return None

    def _writer(self) -> ScaleWriter:
        if self.writer is None:
            raise GatewayError("no cluster connected")
        return self.writer

    # Each transition writes the cluster first (replicas and annotation in ONE patch,
    # conditional on the resourceVersion read), then the database in ONE transaction. A crash
    # in between leaves the annotation right and the memory stale; ``_adopt`` corrects it.

    def _note_down(self, key: Key, live: LiveDeployment, decision: Decision) -> None:
        """Already at (or below) the downtime count: mark it held down, as a scale-down does."""
        self._writer().patch(
            key[0],
            key[1],
            live.replicas,
            {ORIGINAL_REPLICAS: str(live.replicas)},
            live.resource_version,
        )
        self.store.record(key, memory=Memory("down", live.replicas), rule=decision.rule)

    def _scale_down(
        self, key: Key, live: LiveDeployment, target: int, decision: Decision, why: str
    ) -> SchedulerAction | None:
        after = (
            self._writer()
            .patch(
                key[0],
                key[1],
                target,
                {ORIGINAL_REPLICAS: str(live.replicas)},
                live.resource_version,
            )
            .replicas
        )
        return self.store.record(
            key,
            memory=Memory("down", live.replicas),
            rule=decision.rule,
            entry=Entry("scale-down", why, decision.detail, live.replicas, after),
        )

    def _scale_up(
        self, key: Key, live: LiveDeployment, restore: int, decision: Decision, why: str
    ) -> SchedulerAction | None:
        after = (
            self._writer()
            .patch(key[0], key[1], restore, {ORIGINAL_REPLICAS: None}, live.resource_version)
            .replicas
        )
        return self.store.record(
            key,
            memory=UP,
            rule=decision.rule,
            entry=Entry("scale-up", why, decision.detail, live.replicas, after),
        )

    def _keep_manual(
        self, key: Key, live: LiveDeployment, now: datetime, decision: Decision
    ) -> SchedulerAction | None:
        """Scaled up outside Barista during downtime: respected until the next scheduled
        transition. The override and the log line first (a crash after them leaves an "up"
        override on a held-down model, which the next pass ends as "already up"), then the
        annotation, then the memory."""
        until = decision.until if decision.until is not None else now + timedelta(days=1)
        detail = (
            f"scaled to {live.replicas} by hand during downtime; kept until "
            f"{until:%Y-%m-%d %H:%M} UTC"
        )
        why = f"manual scale to {live.replicas} during downtime"
        action = self.store.record(
            key,
            override=Override("up", until, SYSTEM_SCHEDULER.name, why, implicit=True),
            entry=Entry("keep-manual", "manual", detail, live.replicas, live.replicas),
        )
        self._writer().patch(key[0], key[1], None, {ORIGINAL_REPLICAS: None}, live.resource_version)
        self.store.record(key, memory=UP, rule="manual")
        return action

    def _already_up(
        self, key: Key, live: LiveDeployment, decision: Decision, why: str
    ) -> SchedulerAction | None:
        """Up time, and it already runs: nothing to restore, the hold ends."""
        self._writer().patch(key[0], key[1], None, {ORIGINAL_REPLICAS: None}, live.resource_version)
        detail = f"already running {live.replicas}; nothing to restore ({decision.detail})"
        return self.store.record(
            key,
            memory=UP,
            rule=decision.rule,
            entry=Entry("scale-up", why, detail, live.replicas, live.replicas),
        )

    def _pretend(
        self, record: ModelRecord, decision: Decision, why: str, snapshot: LiveSnapshot
    ) -> SchedulerAction | None:
        """Dry run: log what would be done once per change of state, write nothing."""
        key = record.key
        with self._guard:
            if self._dry.get(key, "up") == decision.state:
                return None
            self._dry[key] = decision.state
        live = snapshot.get(key) or read_deployment(self.gateway, key)
        replicas = live.replicas if live else None
        after = downtime_replicas(record.spec) if decision.state == "down" else replicas
        action = "scale-down" if decision.state == "down" else "scale-up"
        return self.store.log_action(
            key, action, why, f"dry run: {decision.detail}", replicas, after, dry_run=True
        )
