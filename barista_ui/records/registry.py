"""The model registry service: every change to a record goes through here.

Each write runs in one transaction that also appends the revision (full snapshot, actor,
source, reason). Optimistic concurrency: an update names the version it was based on and
fails with :class:`Conflict` when someone else saved first. It only talks to the database:
the cluster side (dry run before, reconcile after) is :mod:`barista_ui.records.service`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from barista_ui.records.diff import diff_records
from barista_ui.records.record import (
    SOURCES,
    Ambiguous,
    ApplyOutcome,
    Conflict,
    ModelRecord,
    NotFound,
    RegistryError,
    RevisionView,
    Source,
    UnreadableRecord,
)
from barista_ui.records.rows import (
    add_revision,
    conflict,
    find_row,
    insert_row,
    models_query,
    read_row,
    resolve_namespace,
    revision_views,
    row_to_record,
    write_row,
)
from barista_ui.records.spec import (
    DEFAULT_BOUNDS,
    DEFAULT_MAX_REPLICAS,
    FieldError,
    ModelSpec,
    RecordInvalid,
    ResourceBounds,
    validate_record,
)
from data.db import transaction
from data.tables import ModelDeployment, Revision
from data.types import utcnow


class RegistryService:
    def __init__(
        self,
        new_session: Callable[[], Session],
        *,
        max_replicas: int = DEFAULT_MAX_REPLICAS,
        bounds: ResourceBounds = DEFAULT_BOUNDS,
        clock: Callable[[], datetime] = utcnow,
    ):
        self._new_session = new_session
        self.max_replicas = max_replicas
        self.bounds = bounds
        self._clock = clock

    # -- reading

    def validate(self, data: dict[str, Any] | ModelSpec) -> ModelSpec:
        return validate_record(data, max_replicas=self.max_replicas, bounds=self.bounds)

    def list_models(self, **filters: Any) -> list[ModelRecord]:
        """The records that validate (filters: team, namespace, enabled, search): the ones
        the cluster, the scheduler and the costs act on."""
        return self.read_models(**filters)[0]

    def read_models(self, **filters: Any) -> tuple[list[ModelRecord], list[UnreadableRecord]]:
        """Every stored row in one read: the records, and the rows that no longer validate
        (shown with their problem so they can be fixed or deleted; never acted on)."""
        with self._new_session() as s:
            rows = [read_row(r) for r in s.exec(models_query(**filters)).all()]
        good = [r for r in rows if isinstance(r, ModelRecord)]
        return good, [r for r in rows if isinstance(r, UnreadableRecord)]

    def get(self, name: str, namespace: str | None = None) -> ModelRecord:
        with self._new_session() as s:
            return row_to_record(find_row(s, name, namespace))

    def find(self, name: str, namespace: str | None = None) -> ModelRecord | None:
        try:
            return self.get(name, namespace)
        except NotFound:
            return None

    def teams(self) -> list[str]:
        with self._new_session() as s:
            return sorted(s.exec(select(ModelDeployment.team).distinct()).all())

    def namespaces(self) -> list[str]:
        with self._new_session() as s:
            return sorted(s.exec(select(ModelDeployment.namespace).distinct()).all())

    def fleet_stamp(self) -> tuple[int, int]:
        """(number of records, last revision id): changes whenever anything was written."""
        with self._new_session() as s:
            count = s.exec(select(func.count()).select_from(ModelDeployment)).one()
            last = s.exec(select(func.max(Revision.id))).one()
            return (int(count), int(last or 0))

    def keys_changed_since(self, revision_id: int) -> set[tuple[str, str]]:
        """(namespace, name) of every model with a revision after ``revision_id``."""
        with self._new_session() as s:
            rows = s.exec(
                select(Revision.namespace, Revision.name).where(col(Revision.id) > revision_id)
            ).all()
        return {(ns, name) for ns, name in rows}

    def history(self, name: str, namespace: str | None = None) -> list[RevisionView]:
        """Revisions newest first, each with its changes against the one before."""
        with self._new_session() as s:
            ns = resolve_namespace(s, name, namespace, include_deleted=True)
            rows = s.exec(
                select(Revision)
                .where(Revision.namespace == ns, Revision.name == name)
                .order_by(col(Revision.number))
            ).all()
        if not rows:
            raise NotFound(f"model '{name}' has no history in namespace '{ns}'")
        return revision_views(rows)

    def revision(self, name: str, number: int, namespace: str | None = None) -> RevisionView:
        for rev in self.history(name, namespace):
            if rev.number == number:
                return rev
        raise NotFound(f"model '{name}' has no revision {number}")

    def diff(self, name: str, a: int, b: int, namespace: str | None = None) -> list[dict]:
        ra, rb = self.revision(name, a, namespace), self.revision(name, b, namespace)
        return diff_records(ra.snapshot, rb.snapshot)

    def export_all(self) -> list[dict[str, Any]]:
        return [r.to_file_dict() for r in self.list_models()]

    # -- writing

    def create(
        self,
        data: dict[str, Any] | ModelSpec,
        *,
        actor: str,
        source: Source,
        reason: str = "",
    ) -> ModelRecord:
        spec = self.validate(data)
        with transaction(self._new_session) as s:
            return insert_row(
                s, spec, self._clock, actor=actor, source=source, reason=reason, action="create"
            )

    def update(
        self,
        namespace: str,
        name: str,
        data: dict[str, Any] | ModelSpec,
        *,
        expected_version: int,
        actor: str,
        source: Source,
        reason: str = "",
        action: str = "update",
    ) -> ModelRecord:
        spec = self.validate(data)
        if (spec.namespace, spec.name) != (namespace, name):
            raise RecordInvalid(
                [
                    FieldError(
                        field="name" if spec.name != name else "namespace",
                        message="cannot be changed on an existing model; create a new one "
                        "and delete this one instead",
                    )
                ],
                name=name,
            )
        with transaction(self._new_session) as s:
            row = find_row(s, name, namespace)
            return write_row(
                s,
                row,
                spec,
                expected_version,
                self._clock,
                actor=actor,
                source=source,
                reason=reason,
                action=action,
            )

    def set_fields(
        self,
        namespace: str,
        name: str,
        *,
        actor: str,
        source: Source,
        reason: str = "",
        expected_version: int | None = None,
        action: str = "update",
        **changes: Any,
    ) -> ModelRecord:
        """Change a few top-level fields (enabled, replicas...) of the current version."""
        with transaction(self._new_session) as s:
            row = find_row(s, name, namespace)
            old = row_to_record(row)
            data = old.spec.model_dump()
            data.update(changes)
            spec = self.validate(data)
            if spec == old.spec:
                return old
            version = old.version if expected_version is None else expected_version
            new = write_row(
                s,
                row,
                spec,
                version,
                self._clock,
                actor=actor,
                source=source,
                reason=reason,
                action=action,
            )
        return new

    def set_enabled(self, namespace: str, name: str, enabled: bool, **kw: Any) -> ModelRecord:
        kw.setdefault("reason", "switched on" if enabled else "switched off")
        return self.set_fields(namespace, name, enabled=enabled, action="toggle", **kw)

    def set_replicas(self, namespace: str, name: str, replicas: int, **kw: Any) -> ModelRecord:
        kw.setdefault("reason", f"replicas set to {replicas}")
        return self.set_fields(namespace, name, replicas=replicas, action="scale", **kw)

    def delete(
        self,
        namespace: str,
        name: str,
        *,
        actor: str,
        source: Source,
        reason: str = "",
        expected_version: int | None = None,
    ) -> ModelRecord | UnreadableRecord:
        with transaction(self._new_session) as s:
            row = find_row(s, name, namespace)
            old = read_row(row)  # a row that no longer validates can still be deleted
            if expected_version is not None and row.version != expected_version:
                raise conflict(old, expected_version)
            s.delete(row)
            s.flush()
            add_revision(
                s,
                old.key,
                self._clock,
                action="delete",
                actor=actor,
                source=source,
                reason=reason,
                record_version=None,
                snapshot=None,
            )
        return old

    def rollback(
        self,
        name: str,
        to_revision: int,
        *,
        namespace: str | None = None,
        actor: str,
        source: Source,
        reason: str = "",
        expected_version: int | None = None,
    ) -> ModelRecord:
        """Restore the snapshot of an earlier revision as a new revision (recreates if deleted)."""
        rev = self.revision(name, to_revision, namespace)
        if rev.snapshot is None:
            raise RegistryError(
                f"revision {to_revision} of '{name}' is a deletion; pick a revision with a snapshot"
            )
        spec = self.validate(rev.snapshot)
        why = reason or f"rollback to revision {to_revision}"
        with transaction(self._new_session) as s:
            row = s.exec(
                select(ModelDeployment).where(
                    ModelDeployment.namespace == spec.namespace, ModelDeployment.name == spec.name
                )
            ).first()
            if row is None:
                return insert_row(
                    s, spec, self._clock, actor=actor, source=source, reason=why, action="rollback"
                )
            old = read_row(row)  # a rollback also fixes a row that no longer validates
            version = old.version if expected_version is None else expected_version
            new = write_row(
                s,
                row,
                spec,
                version,
                self._clock,
                actor=actor,
                source=source,
                reason=why,
                action="rollback",
                force_revision=True,
            )
        return new

    def validate_many(self, records: Iterable[dict[str, Any]]) -> list[ModelSpec]:
        """Validate every record (each error names its record) and refuse duplicates."""
        specs, errors, seen = [], [], set()
        for i, data in enumerate(records, start=1):
            try:
                spec = self.validate(data)
            except RecordInvalid as exc:
                label = exc.name or f"record {i}"
                errors.append(f"{label} (record {i}): {'; '.join(str(e) for e in exc.errors)}")
                continue
            if (spec.namespace, spec.name) in seen:
                errors.append(f"{spec.namespace}/{spec.name} appears twice in the input")
            seen.add((spec.namespace, spec.name))
            specs.append(spec)
        if errors:
            raise RegistryError("nothing was saved: " + " | ".join(errors))
        return specs

    def apply_many(
        self,
        records: Iterable[dict[str, Any]],
        *,
        actor: str,
        source: Source,
        reason: str = "",
    ) -> list[ApplyOutcome]:
        """Create or update many records atomically: one invalid record saves none of them."""
        specs = self.validate_many(records)
        outcomes: list[ApplyOutcome] = []
        with transaction(self._new_session) as s:
            for spec in specs:
                row = s.exec(
                    select(ModelDeployment).where(
                        ModelDeployment.namespace == spec.namespace,
                        ModelDeployment.name == spec.name,
                    )
                ).first()
                if row is None:
                    rec = insert_row(
                        s,
                        spec,
                        self._clock,
                        actor=actor,
                        source=source,
                        reason=reason,
                        action="create",
                    )
                    outcomes.append(ApplyOutcome(spec.namespace, spec.name, "created", rec))
                    continue
                old = read_row(row)  # applying a valid file fixes a row that no longer validates
                if isinstance(old, ModelRecord) and old.spec == spec:
                    outcomes.append(ApplyOutcome(spec.namespace, spec.name, "unchanged", old))
                    continue
                rec = write_row(
                    s,
                    row,
                    spec,
                    old.version,
                    self._clock,
                    actor=actor,
                    source=source,
                    reason=reason,
                    action="update",
                )
                outcomes.append(ApplyOutcome(spec.namespace, spec.name, "updated", rec))
        return outcomes


__all__ = [
    "SOURCES",
    "Ambiguous",
    "ApplyOutcome",
    "Conflict",
    "ModelRecord",
    "NotFound",
    "RegistryError",
    "RegistryService",
    "RevisionView",
    "Source",
    "UnreadableRecord",
]
