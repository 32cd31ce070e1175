"""The model registry service: every change to a record goes through here.

Each write runs in one transaction that also appends the revision (full snapshot, actor,
source, reason). Optimistic concurrency: an update names the version it was based on and
fails with :class:`Conflict` when someone else saved first. It only talks to the database:
the cluster side (dry run before, reconcile after) is :mod:`barista_ui.records.service`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from barista_ui.records.spec import (
    DEFAULT_MAX_REPLICAS,
    FieldError,
    ModelSpec,
    RecordInvalid,
    diff_records,
    validate_record,
)
from data.db import transaction
from data.tables import ModelDeployment, Revision
from data.types import utcnow

Source = Literal["ui", "cli", "api", "scheduler"]
SOURCES = ("ui", "cli", "api", "scheduler")


class RegistryError(Exception):
    """Base of the service's errors; the message is meant for the user."""


class NotFound(RegistryError):
    pass


class Ambiguous(RegistryError):
    def __init__(self, name: str, namespaces: list[str]):
        self.namespaces = namespaces
        super().__init__(
            f"model '{name}' exists in several namespaces ({', '.join(namespaces)}); "
            "pass --namespace"
        )


class Conflict(RegistryError):
    """Someone saved the record after the version this change was based on."""

    def __init__(self, record: ModelRecord, expected_version: int):
        self.current = record
        self.expected_version = expected_version
        super().__init__(
            f"{record.namespace}/{record.name} was changed by someone else "
            f"(now version {record.version}, your edit was based on version {expected_version}, "
            f"last saved {record.updated_at:%Y-%m-%d %H:%M:%S} UTC); nothing was saved — "
            "reload the record and apply your change again"
        )


@dataclass(frozen=True)
class ModelRecord:
    """A stored record: the spec plus bookkeeping."""

    spec: ModelSpec
    id: int
    version: int
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def namespace(self) -> str:
        return self.spec.namespace

    @property
    def key(self) -> tuple[str, str]:
        return (self.spec.namespace, self.spec.name)

    def to_file_dict(self) -> dict[str, Any]:
        return self.spec.to_file_dict()


@dataclass(frozen=True)
class RevisionView:
    number: int
    action: str
    actor: str
    source: str
    reason: str
    created_at: datetime
    record_version: int | None
    snapshot: dict[str, Any] | None
    changes: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ApplyOutcome:
    """Result of applying one record from a file: created, updated or unchanged."""

    namespace: str
    name: str
    action: Literal["created", "updated", "unchanged"]
    record: ModelRecord


# ------------------------------------------------------------------ conversions


def spec_to_columns(spec: ModelSpec) -> dict[str, Any]:
    r = spec.resources
    a = spec.autoscaling
    return {
        "name": spec.name,
        "namespace": spec.namespace,
        "team": spec.team,
        "owner": spec.owner,
        "description": spec.description,
        "image": spec.image,
        "model_uri": spec.model_uri,
        "model_version": spec.model_version,
        "port": spec.port,
        "cpu_request": r.requests.cpu,
        "cpu_limit": r.limits.cpu,
        "memory_request": r.requests.memory,
        "memory_limit": r.limits.memory,
        "gpu_count": r.gpu.count,
        "gpu_type": r.gpu.type,
        "replicas": spec.replicas,
        "autoscaling_enabled": a.enabled,
        "autoscaling_min": a.min,
        "autoscaling_max": a.max,
        "autoscaling_target_cpu": a.target_cpu_percent,
        "env": dict(spec.env),
        "labels": dict(spec.labels),
        "enabled": spec.enabled,
        "schedule": spec.schedule.model_dump(mode="json") if spec.schedule else None,
    }


def row_to_spec(row: ModelDeployment) -> ModelSpec:
    data = {
        "name": row.name,
        "namespace": row.namespace,
        "team": row.team,
        "owner": row.owner,
        "description": row.description,
        "image": row.image,
        "model_uri": row.model_uri,
        "model_version": row.model_version,
        "port": row.port,
        "replicas": row.replicas,
        "resources": {
            "requests": {"cpu": row.cpu_request, "memory": row.memory_request},
            "limits": {"cpu": row.cpu_limit, "memory": row.memory_limit},
            "gpu": {"count": row.gpu_count, "type": row.gpu_type},
        },
        "autoscaling": {
            "enabled": row.autoscaling_enabled,
            "min": row.autoscaling_min,
            "max": row.autoscaling_max,
            "target_cpu_percent": row.autoscaling_target_cpu,
        },
        "env": dict(row.env or {}),
        "labels": dict(row.labels or {}),
        "enabled": row.enabled,
        "schedule": row.schedule,
    }
    # Stored rows were validated on the way in; construct without the replica cap.
    return ModelSpec.model_validate(data, context={"max_replicas": 10**6})


def row_to_record(row: ModelDeployment) -> ModelRecord:
    return ModelRecord(
        spec=row_to_spec(row),
        id=row.id,  # type: ignore[arg-type]
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# ------------------------------------------------------------------ the service


class RegistryService:
    def __init__(
        self,
        new_session: Callable[[], Session],
        *,
        max_replicas: int = DEFAULT_MAX_REPLICAS,
        clock: Callable[[], datetime] = utcnow,
    ):
        self._new_session = new_session
        self.max_replicas = max_replicas
        self._clock = clock

    # -- reading

    def validate(self, data: dict[str, Any] | ModelSpec) -> ModelSpec:
        return validate_record(data, max_replicas=self.max_replicas)

    def list_models(
        self,
        *,
        team: str | None = None,
        namespace: str | None = None,
        enabled: bool | None = None,
        search: str | None = None,
    ) -> list[ModelRecord]:
        with self._new_session() as s:
            q = select(ModelDeployment)
            if team:
                q = q.where(ModelDeployment.team == team)
            if namespace:
                q = q.where(ModelDeployment.namespace == namespace)
            if enabled is not None:
                q = q.where(ModelDeployment.enabled == enabled)
            if search:
                like = f"%{search.lower()}%"
                q = q.where(
                    or_(
                        func.lower(ModelDeployment.name).like(like),
                        func.lower(ModelDeployment.team).like(like),
                        func.lower(ModelDeployment.image).like(like),
                        func.lower(ModelDeployment.owner).like(like),
                    )
                )
            q = q.order_by(ModelDeployment.namespace, ModelDeployment.name)
            return [row_to_record(r) for r in s.exec(q).all()]

    def get(self, name: str, namespace: str | None = None) -> ModelRecord:
        with self._new_session() as s:
            return row_to_record(self._find(s, name, namespace))

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
            ns = self._resolve_namespace(s, name, namespace, include_deleted=True)
            rows = s.exec(
                select(Revision)
                .where(Revision.namespace == ns, Revision.name == name)
                .order_by(col(Revision.number))
            ).all()
        if not rows:
            raise NotFound(f"model '{name}' has no history in namespace '{ns}'")
        views, prev = [], None
        for r in rows:
            views.append(
                RevisionView(
                    number=r.number,
                    action=r.action,
                    actor=r.actor,
                    source=r.source,
                    reason=r.reason,
                    created_at=r.created_at,
                    record_version=r.record_version,
                    snapshot=r.snapshot,
                    changes=diff_records(prev, r.snapshot),
                )
            )
            prev = r.snapshot
        return list(reversed(views))

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
            rec = self._insert(s, spec, actor=actor, source=source, reason=reason, action="create")
        return rec

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
            row = self._find(s, name, namespace)
            new = self._write(
                s,
                row,
                spec,
                expected_version,
                actor=actor,
                source=source,
                reason=reason,
                action=action,
            )
        return new

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
            row = self._find(s, name, namespace)
            old = row_to_record(row)
            data = old.spec.model_dump()
            data.update(changes)
            spec = self.validate(data)
            if spec == old.spec:
                return old
            version = old.version if expected_version is None else expected_version
            new = self._write(
                s, row, spec, version, actor=actor, source=source, reason=reason, action=action
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
    ) -> ModelRecord:
        with transaction(self._new_session) as s:
            row = self._find(s, name, namespace)
            old = row_to_record(row)
            if expected_version is not None and row.version != expected_version:
                raise Conflict(old, expected_version)
            s.delete(row)
            s.flush()
            self._add_revision(
                s,
                old.spec,
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
                new = self._insert(
                    s, spec, actor=actor, source=source, reason=why, action="rollback"
                )
                return new
            old = row_to_record(row)
            version = old.version if expected_version is None else expected_version
            new = self._write(
                s,
                row,
                spec,
                version,
                actor=actor,
                source=source,
                reason=why,
                action="rollback",
                force_revision=True,
            )
        return new

    def apply_many(
        self,
        records: Iterable[dict[str, Any]],
        *,
        actor: str,
        source: Source,
        reason: str = "",
    ) -> list[ApplyOutcome]:
        """Create or update many records atomically: one invalid record saves none of them."""
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
                    rec = self._insert(
                        s, spec, actor=actor, source=source, reason=reason, action="create"
                    )
                    outcomes.append(ApplyOutcome(spec.namespace, spec.name, "created", rec))
                    continue
                old = row_to_record(row)
                if old.spec == spec:
                    outcomes.append(ApplyOutcome(spec.namespace, spec.name, "unchanged", old))
                    continue
                rec = self._write(
                    s,
                    row,
                    spec,
                    old.version,
                    actor=actor,
                    source=source,
                    reason=reason,
                    action="update",
                )
                outcomes.append(ApplyOutcome(spec.namespace, spec.name, "updated", rec))
        return outcomes

    # -- internals

    def _resolve_namespace(
        self, s: Session, name: str, namespace: str | None, *, include_deleted: bool = False
    ) -> str:
        if namespace:
            return namespace
        nss = set(
            s.exec(select(ModelDeployment.namespace).where(ModelDeployment.name == name)).all()
        )
        if not nss and include_deleted:
            nss = set(s.exec(select(Revision.namespace).where(Revision.name == name)).all())
        if not nss:
            raise NotFound(f"no model named '{name}'")
        if len(nss) > 1:
            raise Ambiguous(name, sorted(nss))
        return nss.pop()

    def _find(self, s: Session, name: str, namespace: str | None) -> ModelDeployment:
        ns = self._resolve_namespace(s, name, namespace)
        row = s.exec(
            select(ModelDeployment).where(
                ModelDeployment.namespace == ns, ModelDeployment.name == name
            )
        ).first()
        if row is None:
            raise NotFound(f"no model named '{name}' in namespace '{ns}'")
        return row

    def _insert(
        self, s: Session, spec: ModelSpec, *, actor: str, source: str, reason: str, action: str
    ) -> ModelRecord:
        _check_source(source)
        now = self._clock()
        exists = s.exec(
            select(ModelDeployment.id).where(
                ModelDeployment.namespace == spec.namespace, ModelDeployment.name == spec.name
            )
        ).first()
        if exists is not None:
            raise _duplicate(spec)
        row = ModelDeployment(**spec_to_columns(spec), created_at=now, updated_at=now, version=1)
        s.add(row)
        try:
            s.flush()
        except IntegrityError:
            raise _duplicate(spec) from None
        rec = row_to_record(row)
        self._add_revision(
            s,
            spec,
            action=action,
            actor=actor,
            source=source,
            reason=reason,
            record_version=1,
            snapshot=spec.to_file_dict(),
        )
        return rec

    def _write(
        self,
        s: Session,
        row: ModelDeployment,
        spec: ModelSpec,
        expected_version: int,
        *,
        actor: str,
        source: str,
        reason: str,
        action: str,
        force_revision: bool = False,
    ) -> ModelRecord:
        _check_source(source)
        current = row_to_record(row)
        if row.version != expected_version:
            raise Conflict(current, expected_version)
        if current.spec == spec and not force_revision:
            return current
        now = self._clock()
        values = spec_to_columns(spec)
        result = s.execute(
            update(ModelDeployment)
            .where(
                col(ModelDeployment.id) == row.id,
                col(ModelDeployment.version) == expected_version,
            )
            .values(**values, updated_at=now, version=expected_version + 1)
            .execution_options(synchronize_session=False)
        )
        if cast("CursorResult[Any]", result).rowcount != 1:
            s.rollback()
            latest = s.get(ModelDeployment, row.id)
            if latest is None:
                raise NotFound(f"model '{spec.name}' was deleted by someone else")
            raise Conflict(row_to_record(latest), expected_version)
        s.expire(row)
        fresh = s.get(ModelDeployment, row.id)
        rec = row_to_record(fresh)  # type: ignore[arg-type]
        self._add_revision(
            s,
            spec,
            action=action,
            actor=actor,
            source=source,
            reason=reason,
            record_version=rec.version,
            snapshot=spec.to_file_dict(),
        )
        return rec

    def _add_revision(
        self,
        s: Session,
        spec: ModelSpec,
        *,
        action: str,
        actor: str,
        source: str,
        reason: str,
        record_version: int | None,
        snapshot: dict[str, Any] | None,
    ) -> None:
        last = s.exec(
            select(func.max(Revision.number)).where(
                Revision.namespace == spec.namespace, Revision.name == spec.name
            )
        ).one()
        s.add(
            Revision(
                namespace=spec.namespace,
                name=spec.name,
                number=int(last or 0) + 1,
                action=action,
                snapshot=snapshot,
                actor=actor or "unknown",
                source=source,
                reason=reason,
                record_version=record_version,
                created_at=self._clock(),
            )
        )
        s.flush()


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not '{source}'")


def _duplicate(spec: ModelSpec) -> RecordInvalid:
    return RecordInvalid(
        [
            FieldError(
                field="name",
                message=f"'{spec.name}' already exists in namespace '{spec.namespace}'; "
                "choose another name or edit the existing model",
            )
        ],
        name=spec.name,
    )
