"""The one write path for model records (page, CLI and later the API): intent, then reconcile.

Each write: validate → ask the cluster to check the rendered objects (a server-side dry run,
no database transaction open) → commit the record and its revision → hand the model to the
reconciler, which applies it off the caller's thread. Only an answer from the cluster that
refuses the change refuses the save (:class:`ClusterRefused`, nothing saved). When the cluster
cannot be asked, the change is saved as Pending and the result's ``notice`` says so.

The cluster side is a :class:`ClusterGate` given by the caller; this package does not import
the cluster package. With no cluster configured, :class:`NullGate` lets every change through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from barista_ui.access import roles
from barista_ui.access.actor import Actor
from barista_ui.access.roles import Permission, authorize
from barista_ui.records.record import NotFound, Unreadable
from barista_ui.records.registry import (
    ApplyOutcome,
    Conflict,
    ModelRecord,
    RegistryError,
    RegistryService,
    RevisionView,
    Source,
)
from barista_ui.records.spec import ModelSpec, RecordInvalid

Key = tuple[str, str]
T = TypeVar("T")


class ClusterRefused(RegistryError):
    """The cluster's dry run refused the change; nothing was saved (the message says why)."""


class ClusterGate(Protocol):
    """What the write path needs from a cluster."""

    def preflight(self, spec: ModelSpec, *, delete: bool = False) -> str | None:
        """Dry-run the change. Raises :class:`ClusterRefused` when the cluster refuses it;
        returns None when it accepted, or why it could not be asked (unreachable)."""
        ...

    def submit(self, key: Key) -> None:
        """The record of ``key`` changed: make the cluster match it (soon, not here)."""
        ...


class NullGate:
    """No cluster configured: nothing to check, nothing to apply."""

    def preflight(self, spec: ModelSpec, *, delete: bool = False) -> str | None:
        return None

    def submit(self, key: Key) -> None:
        return None


@dataclass(frozen=True)
class Saved:
    """A saved change. ``pending``: the cluster could not check it; ``notice`` says so."""

    record: ModelRecord
    pending: bool = False
    notice: str = ""


@dataclass(frozen=True)
class Deleted:
    """A deleted record (``key``: namespace, name); ``pending`` as for :class:`Saved`."""

    key: tuple[str, str]
    pending: bool = False
    notice: str = ""


@dataclass(frozen=True)
class SavedBatch:
    outcomes: list[ApplyOutcome]
    pending: bool = False
    notice: str = ""


def unreachable_notice(what: str, reason: str) -> str:
    return (
        f"{what} saved; the cluster is unreachable, it will be applied when it returns ({reason})"
    )


class ModelService:
    """Record writes with the cluster's dry run before and the reconciler after."""

    CONFLICT_RETRIES = 3  # toggles and steppers apply to the current version

    def __init__(self, registry: RegistryService, gate: ClusterGate | None = None):
        self.registry = registry
        self.gate: ClusterGate = gate if gate is not None else NullGate()

    # -- reads (the registry's)

    def get(self, name: str, namespace: str | None = None) -> ModelRecord:
        return self.registry.get(name, namespace)

    def find(self, name: str, namespace: str | None = None) -> ModelRecord | None:
        return self.registry.find(name, namespace)

    def list_models(self, **filters: Any) -> list[ModelRecord]:
        return self.registry.list_models(**filters)

    def history(self, name: str, namespace: str | None = None) -> list[RevisionView]:
        return self.registry.history(name, namespace)

    # -- writes

    def create(
        self, data: dict[str, Any] | ModelSpec, *, actor: Actor, source: Source, reason: str = ""
    ) -> Saved:
        spec = self.registry.validate(data)
        authorize(actor, roles.MODELS_CREATE, spec.team)
        unreachable = self.gate.preflight(spec)
        rec = self.registry.create(spec, actor=actor.name, source=source, reason=reason)
        return self._saved(rec, unreachable)

    def update(
        self,
        namespace: str,
        name: str,
        data: dict[str, Any] | ModelSpec,
        *,
        expected_version: int,
        actor: Actor,
        source: Source,
        reason: str = "",
    ) -> Saved:
        spec = self.registry.validate(data)
        self._authorize(actor, roles.MODELS_EDIT, namespace, name, spec.team)
        unreachable = self.gate.preflight(spec)
        rec = self.registry.update(
            namespace,
            name,
            spec,
            expected_version=expected_version,
            actor=actor.name,
            source=source,
            reason=reason,
        )
        return self._saved(rec, unreachable)

    def set_enabled(
        self,
        namespace: str,
        name: str,
        enabled: bool,
        *,
        actor: Actor,
        source: Source,
        reason: str = "",
    ) -> Saved:
        why = reason or ("switched on" if enabled else "switched off")
        return self._set_fields(
            namespace,
            name,
            {"enabled": enabled},
            "toggle",
            actor=actor,
            source=source,
            reason=why,
            permission=roles.MODELS_TOGGLE,
        )

    def set_replicas(
        self,
        namespace: str,
        name: str,
        replicas: int,
        *,
        actor: Actor,
        source: Source,
        reason: str = "",
    ) -> Saved:
        why = reason or f"replicas set to {replicas}"
        return self._set_fields(
            namespace,
            name,
            {"replicas": replicas},
            "scale",
            actor=actor,
            source=source,
            reason=why,
            permission=roles.MODELS_SCALE,
        )

    def delete(
        self,
        namespace: str,
        name: str,
        *,
        actor: Actor,
        source: Source,
        reason: str = "",
        expected_version: int | None = None,
    ) -> Deleted:
        try:
            current: ModelRecord | None = self.registry.get(name, namespace)
        except Unreadable as exc:  # a row that no longer validates: no dry run, still deletable
            current = None
            authorize(actor, roles.MODELS_DELETE, exc.record.team)
        except NotFound:
            authorize(actor, roles.MODELS_DELETE)
            raise
        if current is not None:
            authorize(actor, roles.MODELS_DELETE, current.spec.team)
        unreachable = self.gate.preflight(current.spec, delete=True) if current else None
        old = self.registry.delete(
            namespace,
            name,
            actor=actor.name,
            source=source,
            reason=reason,
            expected_version=expected_version,
        )
        self.gate.submit(old.key)
        if unreachable is None:
            return Deleted(old.key)
        what = f"{old.namespace}/{old.name} deletion"
        return Deleted(old.key, True, unreachable_notice(what, unreachable))

    def rollback(
        self,
        name: str,
        to_revision: int,
        *,
        namespace: str | None = None,
        actor: Actor,
        source: Source,
        reason: str = "",
        expected_version: int | None = None,
    ) -> Saved:
        rev = self.registry.revision(name, to_revision, namespace)
        target = self.registry.validate(rev.snapshot) if rev.snapshot is not None else None
        ns = namespace or (target.namespace if target else None)
        self._authorize(actor, roles.MODELS_ROLLBACK, ns, name, target.team if target else None)
        unreachable = None
        if target is not None:  # the registry says why a deletion cannot be restored
            unreachable = self.gate.preflight(target)
        rec = self.registry.rollback(
            name,
            to_revision,
            namespace=namespace,
            actor=actor.name,
            source=source,
            reason=reason,
            expected_version=expected_version,
        )
        return self._saved(rec, unreachable)

    def apply_many(
        self, records: Iterable[dict[str, Any]], *, actor: Actor, source: Source, reason: str = ""
    ) -> SavedBatch:
        """Create or update many records, all or nothing (a refusal of any saves none)."""
        records = list(records)
        unreachable = self._preflight_batch(records, actor)
        outcomes = self.registry.apply_many(records, actor=actor.name, source=source, reason=reason)
        for o in outcomes:
            if o.action != "unchanged":
                self.gate.submit((o.namespace, o.name))
        changed = [o for o in outcomes if o.action != "unchanged"]
        if unreachable is None or not changed:
            return SavedBatch(outcomes)
        what = f"{len(changed)} model(s)"
        return SavedBatch(outcomes, True, unreachable_notice(what, unreachable))

    # -- internals

    def _authorize(
        self,
        actor: Actor,
        permission: Permission,
        namespace: str | None,
        name: str,
        new_team: str | None = None,
    ) -> None:
        """The actor must hold ``permission`` on the model's team now and on the team it is
        given (moving a model needs both)."""
        try:
            current = self.registry.find(name, namespace)
            team = current.spec.team if current is not None else None
        except Unreadable as exc:
            team = exc.record.team
        for t in dict.fromkeys(x for x in (team, new_team) if x is not None) or [None]:
            authorize(actor, permission, t)

    def _preflight_batch(self, records: list[dict[str, Any]], actor: Actor) -> str | None:
        """Authorize every new or changed record, then dry-run them; stop asking the cluster
        once it is unreachable. Invalid records are left to the registry, which reports them all
        at once."""
        changed = []
        for data in records:
            try:
                spec = self.registry.validate(data)
            except RecordInvalid:
                continue
            try:
                current = self.registry.find(spec.name, spec.namespace)
            except Unreadable:
                current = None
            if current is not None and current.spec == spec:
                continue
            if current is None:
                authorize(actor, roles.MODELS_CREATE, spec.team)
            self._authorize(actor, roles.MODELS_EDIT, spec.namespace, spec.name, spec.team)
            changed.append(spec)
        for spec in changed:
            unreachable = self.gate.preflight(spec)
            if unreachable is not None:
                return unreachable
        return None

    def _set_fields(
        self,
        namespace: str,
        name: str,
        changes: dict[str, Any],
        action: str,
        *,
        actor: Actor,
        source: Source,
        reason: str,
        permission: Permission,
    ) -> Saved:
        """Change fields of the current version; a save in between is read again and retried."""

        def attempt() -> Saved:
            current = self.registry.get(name, namespace)
            authorize(actor, permission, current.spec.team)
            spec = self.registry.validate({**current.spec.model_dump(), **changes})
            if spec == current.spec:
                return Saved(current)
            unreachable = self.gate.preflight(spec)
            rec = self.registry.set_fields(
                namespace,
                name,
                actor=actor.name,
                source=source,
                reason=reason,
                expected_version=current.version,
                action=action,
                **changes,
            )
            return self._saved(rec, unreachable)

        return _retry_on_conflict(attempt, self.CONFLICT_RETRIES)

    def _saved(self, rec: ModelRecord, unreachable: str | None) -> Saved:
        self.gate.submit(rec.key)
        if unreachable is None:
            return Saved(rec)
        return Saved(rec, True, unreachable_notice(f"{rec.namespace}/{rec.name}", unreachable))


def _retry_on_conflict(fn: Callable[[], T], attempts: int) -> T:
    for _ in range(attempts - 1):
        try:
            return fn()
        except Conflict:
            continue
    return fn()
