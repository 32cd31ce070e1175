"""A pass's transitions as one batch: plan (pure) -> commit intent -> write the cluster with a
few concurrent writers -> record every outcome in ONE commit.

The order per model is the one :mod:`act` keeps (the cluster first, then the database, except
a manual scale's override, which is committed before its annotation is removed), so every
crash point still recovers from the annotations; only the commits are shared by the batch.
No network call runs inside a database transaction.

The fast path takes a model only when this pass's snapshot agrees with the remembered state
and no other pass wrote the model since the snapshot was taken; the others, and any model
whose conditional patch met a conflict, go through :meth:`Transitions.act` afterwards (a fresh
read, decided again), as every model did before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from barista_ui.access.actor import SYSTEM_SCHEDULER
from barista_ui.records.registry import ModelRecord
from barista_ui.records.replicas import desired_replicas, downtime_replicas
from barista_ui.schedule.act import (
    ATTEMPTS,
    REASON_OF_RULE,
    WRITERS,
    LiveDeployment,
    LiveSnapshot,
    Step,
    Transitions,
    read_deployment,
    recovered,
    step,
)
from barista_ui.schedule.decide import Decision, Override
from barista_ui.schedule.store import UP, Entry, Key, Memory, Outcome
from data.ops_tables import SchedulerAction
from k8s.gateway import ConflictError, GatewayError
from k8s.manifests import ORIGINAL_REPLICAS
from k8s.scale_batch import Patched, ScaleWriter

log = logging.getLogger("barista.scheduler")

Due = tuple[ModelRecord, Decision]


@dataclass(frozen=True)
class Move:
    """One model's planned write: what it runs, what is remembered, and which step."""

    record: ModelRecord
    decision: Decision
    live: LiveDeployment
    memory: Memory
    step: Step


def plan_moves(
    due: Iterable[Due], memory_of: Callable[[Key], Memory], snapshot: LiveSnapshot
) -> tuple[list[Move], list[Due]]:
    """Split the due models into the moves the batch makes from ``snapshot`` and those that
    need a fresh read first (no snapshot entry, or one the remembered state disagrees with)."""
    moves: list[Move] = []
    slow: list[Due] = []
    for record, decision in due:
        live = snapshot.get(record.key)
        memory = memory_of(record.key)
        if live is None or recovered(memory, live) != memory:
            slow.append((record, decision))
            continue
        todo = step(decision.state, memory, live.replicas, downtime_replicas(record.spec))
        if todo != "none":
            moves.append(Move(record, decision, live, memory, todo))
    return moves, slow


def patch_of(move: Move) -> tuple[int | None, dict[str, str | None]]:
    """The replicas (None: left alone) and annotations one conditional patch writes."""
    live, todo = move.live, move.step
    if todo == "scale-down":
        return downtime_replicas(move.record.spec), {ORIGINAL_REPLICAS: str(live.replicas)}
    if todo == "note-down":
        return live.replicas, {ORIGINAL_REPLICAS: str(live.replicas)}
    if todo == "scale-up":
        restore = desired_replicas(move.record.spec, restore=move.memory.original)
        return restore, {ORIGINAL_REPLICAS: None}
    return None, {ORIGINAL_REPLICAS: None}  # keep-manual, already-up: the hold ends


def intent_of(move: Move, now: datetime) -> Outcome:
    """A manual scale during downtime: the override and its log line, committed before the
    annotation goes (a crash after them leaves an "up" override that ends as "already up")."""
    live, d = move.live, move.decision
    until = d.until if d.until is not None else now + timedelta(days=1)
    detail = (
        f"scaled to {live.replicas} by hand during downtime; kept until {until:%Y-%m-%d %H:%M} UTC"
    )
    why = f"manual scale to {live.replicas} during downtime"
    return Outcome(
        move.record.key,
        override=Override("up", until, SYSTEM_SCHEDULER.name, why, implicit=True),
        entry=Entry("keep-manual", "manual", detail, live.replicas, live.replicas),
    )


def outcome_of(move: Move, patched: Patched, why: str) -> Outcome:
    """What the database keeps once the patch landed (the memory caches the annotation)."""
    key, live, d, todo = move.record.key, move.live, move.decision, move.step
    if todo == "note-down":
        return Outcome(key, Memory("down", live.replicas), d.rule)
    if todo == "scale-down":
        entry = Entry("scale-down", why, d.detail, live.replicas, patched.replicas)
        return Outcome(key, Memory("down", live.replicas), d.rule, entry)
    if todo == "scale-up":
        entry = Entry("scale-up", why, d.detail, live.replicas, patched.replicas)
        return Outcome(key, UP, d.rule, entry)
    if todo == "already-up":
        detail = f"already running {live.replicas}; nothing to restore ({d.detail})"
        return Outcome(
            key, UP, d.rule, Entry("scale-up", why, detail, live.replicas, live.replicas)
        )
    return Outcome(key, UP, "manual")  # keep-manual: its log line went with the intent


def failed(move: Move, why: str, error: GatewayError) -> Outcome:
    entry = Entry("error", why, str(error), move.live.replicas, None, ok=False)
    return Outcome(move.record.key, entry=entry)


class Batch:
    """Runs the moves of one pass; ``may_act`` is the leadership's deadline check."""

    def __init__(self, transitions: Transitions, may_act: Callable[[], bool]):
        self.transitions = transitions
        # None without a cluster: every model goes one by one (and fails)
        self.writer: ScaleWriter | None = transitions.writer
        self.may_act = may_act
        self.workers = self.writer.workers if self.writer is not None else WRITERS

    def run(
        self,
        moves: Sequence[Move],
        slow: Sequence[Due],
        snapshot: LiveSnapshot,
        now: datetime,
        reason: str | None,
        *,
        logged: Sequence[Outcome] = (),
    ) -> list[SchedulerAction]:
        """Make ``moves``, then the ``slow`` ones one by one; ``logged`` (errors found while
        deciding) share the batch's outcome commit."""
        t = self.transitions
        if self.writer is None:
            moves, slow = [], [*((m.record, m.decision) for m in moves), *slow]
        mine, later = t.claim([m.record.key for m in moves], snapshot.taken)
        try:
            ours = [m for m in moves if m.record.key in mine]
            intents = [intent_of(m, now) for m in ours if m.step == "keep-manual"]
            first = [*logged, *intents]
            actions = t.store.record_many(first) if first else []  # one commit, before any write
            outcomes, retry = self._write(ours, reason)
            if outcomes:
                actions += t.store.record_many(outcomes)  # one commit for the whole batch
        finally:
            t.release(mine)
        again = [(m.record, m.decision) for m in moves if m.record.key in later] + retry
        done = [a for a in actions if a is not None]
        return done + self._one_by_one([*again, *slow], now, reason, snapshot)

    def _write(self, moves: Sequence[Move], reason: str | None) -> tuple[list[Outcome], list[Due]]:
        """The conditional patches, ``writer.workers`` at a time; returns the outcomes to
        record and the models whose patch met a conflict (read again, decide again)."""
        outcomes: list[Outcome] = []
        retry: list[Due] = []

        def one(move: Move) -> Outcome | Due | None:
            if not self.may_act():  # lost the leadership during this pass: leave it
                return None
            why = reason or REASON_OF_RULE.get(move.decision.rule, "schedule")
            key = move.record.key
            replicas, annotations = patch_of(move)
            assert self.writer is not None
            for _ in range(ATTEMPTS):
                try:
                    patched = self.writer.patch(
                        key[0], key[1], replicas, annotations, move.live.resource_version
                    )
                except ConflictError:
                    # changed since the snapshot (often only its status): read it again
                    try:
                        again = self._again(move)
                    except GatewayError as exc:
                        return failed(move, why, exc)
                    if not isinstance(again, Move):
                        return again
                    move = again
                    replicas, annotations = patch_of(move)
                    continue
                except GatewayError as exc:
                    return failed(move, why, exc)
                self.transitions.written(key)
                return outcome_of(move, patched, why)
            return failed(move, why, ConflictError("the Deployment kept changing; will retry"))

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for result in pool.map(one, moves):
                if isinstance(result, Outcome):
                    outcomes.append(result)
                elif result is not None:
                    retry.append(result)
        return outcomes, retry

    def _again(self, move: Move) -> Move | Due | None:
        """After a conflict: the move from a fresh read, if the batch can still make it;
        else the model to take one by one (None: it is gone)."""
        live = read_deployment(self.transitions.gateway, move.record.key)
        if live is None:
            return None
        if move.step == "keep-manual":  # its override is committed: the annotation is left
            return replace(move, live=live)
        if recovered(move.memory, live) != move.memory:
            return (move.record, move.decision)
        target = downtime_replicas(move.record.spec)
        todo = step(move.decision.state, move.memory, live.replicas, target)
        if todo in ("none", "keep-manual"):  # nothing left, or an override to commit first
            return (move.record, move.decision) if todo != "none" else None
        return replace(move, live=live, step=todo)

    def _one_by_one(
        self, due: Sequence[Due], now: datetime, reason: str | None, snapshot: LiveSnapshot
    ) -> list[SchedulerAction]:
        if not due:
            return []

        def one(item: Due) -> SchedulerAction | None:
            if not self.may_act():
                return None
            record, decision = item
            return self.transitions.act(record, decision, now, reason, snapshot)

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return [a for a in pool.map(one, due) if a is not None]


__all__ = ["WRITERS", "Batch", "Move", "intent_of", "outcome_of", "patch_of", "plan_moves"]
