"""The SQL side of records: a spec to table columns and back, and the steps every registry write
is made of (find, insert, conditional update, append the revision). Each runs inside the
session the registry's transaction opened."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from barista_ui.records.diff import diff_records
from barista_ui.records.errors import AlreadyExists
from barista_ui.records.judge import judge
from barista_ui.records.record import (
    SOURCES,
    Ambiguous,
    Conflict,
    ModelRecord,
    NotFound,
    RegistryError,
    RevisionView,
    Unreadable,
    UnreadableRecord,
)
from barista_ui.records.spec import FieldError, ModelSpec, RecordInvalid
from data.tables import ModelDeployment, Revision


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


def row_to_data(row: ModelDeployment) -> dict[str, Any]:
    """The row in the file format, as stored (not validated)."""
    return {
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


def read_row(row: ModelDeployment) -> ModelRecord | UnreadableRecord:
    """The one place a stored row becomes a record: one that no longer validates (a schedule
    saved before schedules were checked, a value written around Barista) comes back as an
    :class:`UnreadableRecord` naming the problem instead of breaking whoever reads the fleet."""
    data = row_to_data(row)
    spec, problems = judge(data)
    if problems or spec is None:
        return UnreadableRecord(
            namespace=row.namespace,
            name=row.name,
            team=row.team,
            id=row.id,  # type: ignore[arg-type]
            version=row.version,
            updated_at=row.updated_at,
            problem="; ".join(str(e) for e in problems),
            stored=data,
        )
    return ModelRecord(
        spec=spec,
        id=row.id,  # type: ignore[arg-type]
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def row_to_record(row: ModelDeployment) -> ModelRecord:
    """The stored record; raises :class:`Unreadable` for a row that no longer validates."""
    rec = read_row(row)
    if isinstance(rec, UnreadableRecord):
        raise Unreadable(rec)
    return rec


def models_query(
    *,
    team: str | None = None,
    namespace: str | None = None,
    enabled: bool | None = None,
    search: str | None = None,
    name: str | None = None,
    names: Collection[str] | None = None,
    after: tuple[str, str] | None = None,
    limit: int | None = None,
) -> SelectOfScalar[ModelDeployment]:
    """Records filtered by team, namespace, state, exact name (or any of ``names``) and a search
    in name/team/image/owner, ordered by (namespace, name); ``after`` and ``limit`` cut one page."""
    q = select(ModelDeployment)
    if team:
        q = q.where(ModelDeployment.team == team)
    if namespace:
        q = q.where(ModelDeployment.namespace == namespace)
    if name:
        q = q.where(ModelDeployment.name == name)
    if names is not None:
        q = q.where(col(ModelDeployment.name).in_(sorted(names)))
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
    if after is not None:
        q = q.where(
            or_(
                col(ModelDeployment.namespace) > after[0],
                and_(
                    col(ModelDeployment.namespace) == after[0], col(ModelDeployment.name) > after[1]
                ),
            )
        )
    q = q.order_by(col(ModelDeployment.namespace), col(ModelDeployment.name))
    return q.limit(limit) if limit is not None else q


def revision_views(rows: Sequence[Revision]) -> list[RevisionView]:
    """Revisions newest first, each with its changes against the one before."""
    views: list[RevisionView] = []
    prev: dict[str, Any] | None = None
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


def resolve_namespace(
    s: Session, name: str, namespace: str | None, *, include_deleted: bool = False
) -> str:
    if namespace:
        return namespace
    nss = set(s.exec(select(ModelDeployment.namespace).where(ModelDeployment.name == name)).all())
    if not nss and include_deleted:
        nss = set(s.exec(select(Revision.namespace).where(Revision.name == name)).all())
    if not nss:
        raise NotFound(f"no model named '{name}'")
    if len(nss) > 1:
        raise Ambiguous(name, sorted(nss))
    return nss.pop()


def find_row(s: Session, name: str, namespace: str | None) -> ModelDeployment:
    ns = resolve_namespace(s, name, namespace)
    row = s.exec(
        select(ModelDeployment).where(ModelDeployment.namespace == ns, ModelDeployment.name == name)
    ).first()
    if row is None:
        raise NotFound(f"no model named '{name}' in namespace '{ns}'")
    return row


def insert_row(
    s: Session,
    spec: ModelSpec,
    clock: Callable[[], datetime],
    *,
    actor: str,
    source: str,
    reason: str,
    action: str,
) -> ModelRecord:
    check_source(source)
    now = clock()
    exists = s.exec(
        select(ModelDeployment.id).where(
            ModelDeployment.namespace == spec.namespace, ModelDeployment.name == spec.name
        )
    ).first()
    if exists is not None:
        raise duplicate(spec)
    row = ModelDeployment(**spec_to_columns(spec), created_at=now, updated_at=now, version=1)
    s.add(row)
    try:
        s.flush()
    except IntegrityError as exc:
        if "unique" not in str(exc.orig).lower():  # only a racing twin means "already exists"
            raise
        raise duplicate(spec) from None
    rec = row_to_record(row)
    add_revision(
        s,
        (spec.namespace, spec.name),
        clock,
        action=action,
        actor=actor,
        source=source,
        reason=reason,
        record_version=1,
        snapshot=spec.to_file_dict(),
    )
    return rec


def write_row(
    s: Session,
    row: ModelDeployment,
    spec: ModelSpec,
    expected_version: int,
    clock: Callable[[], datetime],
    *,
    actor: str,
    source: str,
    reason: str,
    action: str,
    force_revision: bool = False,
) -> ModelRecord:
    check_source(source)
    current = read_row(row)  # an unreadable row is fixed by writing a valid spec over it
    if row.version != expected_version:
        raise conflict(current, expected_version)
    if isinstance(current, ModelRecord) and current.spec == spec and not force_revision:
        return current
    now = clock()
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
        raise conflict(read_row(latest), expected_version)
    s.expire(row)
    fresh = s.get(ModelDeployment, row.id)
    rec = row_to_record(fresh)  # type: ignore[arg-type]
    add_revision(
        s,
        (spec.namespace, spec.name),
        clock,
        action=action,
        actor=actor,
        source=source,
        reason=reason,
        record_version=rec.version,
        snapshot=spec.to_file_dict(),
    )
    return rec


def add_revision(
    s: Session,
    key: tuple[str, str],
    clock: Callable[[], datetime],
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
            Revision.namespace == key[0], Revision.name == key[1]
        )
    ).one()
    s.add(
        Revision(
            namespace=key[0],
            name=key[1],
            number=int(last or 0) + 1,
            action=action,
            snapshot=snapshot,
            actor=actor or "unknown",
            source=source,
            reason=reason,
            record_version=record_version,
            created_at=clock(),
        )
    )
    s.flush()


def conflict(current: ModelRecord | UnreadableRecord, expected_version: int) -> RegistryError:
    if isinstance(current, ModelRecord):
        return Conflict(current, expected_version)
    return RegistryError(
        f"{current.namespace}/{current.name} was changed by someone else (now version "
        f"{current.version}, your edit was based on version {expected_version}); nothing was "
        "saved — reload the record and apply your change again"
    )


def check_source(source: str) -> None:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not '{source}'")


def duplicate(spec: ModelSpec) -> RecordInvalid:
    return AlreadyExists(
        [
            FieldError(
                field="name",
                message=f"'{spec.name}' already exists in namespace '{spec.namespace}'; "
                "choose another name or edit the existing model",
            )
        ],
        name=spec.name,
    )
