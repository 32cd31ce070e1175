"""Under ``/api/v1/models/{namespace}/{name}``: history, one revision, a diff, rollback, the
rendered manifests and the live status (pods and events)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import JSONResponse

from barista_ui.api.deps import barista, check_csrf, if_match, reader, request_actor
from barista_ui.api.schemas import (
    DiffOut,
    ManifestsOut,
    RevisionOut,
    RollbackRequest,
    StatusOut,
    WriteResult,
)
from barista_ui.api.views import json_response, written
from barista_ui.app import App
from barista_ui.records.record import NotFound, RevisionView
from barista_ui.records.secrets import mask_changes, mask_manifests, mask_record

router = APIRouter(
    prefix="/v1/models/{namespace}/{name}",
    tags=["models"],
    dependencies=[Depends(check_csrf), Depends(reader)],
)


def revision_body(r: RevisionView, show_secrets: bool) -> dict[str, Any]:
    snap = r.snapshot
    return {
        "number": r.number,
        "action": r.action,
        "actor": r.actor,
        "source": r.source,
        "reason": r.reason,
        "created_at": r.created_at.isoformat(),
        "record_version": r.record_version,
        "snapshot": snap if show_secrets or snap is None else mask_record(snap),
        "changes": r.changes if show_secrets else mask_changes(r.changes),
    }


@router.get("/history", response_model=list[RevisionOut], summary="Revisions, newest first")
def history(
    namespace: str, name: str, show_secrets: bool = False, app: App = Depends(barista)
) -> JSONResponse:
    revs = app.registry.history(name, namespace)
    return json_response([revision_body(r, show_secrets) for r in revs])


@router.get("/revisions/{number}", response_model=RevisionOut, summary="One revision")
def revision(
    namespace: str, name: str, number: int, show_secrets: bool = False, app: App = Depends(barista)
) -> JSONResponse:
    return json_response(
        revision_body(app.registry.revision(name, number, namespace), show_secrets)
    )


@router.get("/diff", response_model=DiffOut, summary="Field changes between two revisions")
def diff(
    namespace: str,
    name: str,
    from_: int | None = Query(None, alias="from", ge=1, description="default: the one before"),
    to: int | None = Query(None, ge=1, description="default: the latest revision"),
    app: App = Depends(barista),
) -> JSONResponse:
    revs = app.registry.history(name, namespace)
    b = to if to is not None else revs[0].number
    a = from_ if from_ is not None else b - 1
    if a < 1:
        raise NotFound(f"model '{name}' has no revision before {b}")
    changes = mask_changes(app.registry.diff(name, a, b, namespace))
    body = {"namespace": namespace, "name": name, "from_revision": a, "to_revision": b}
    return json_response({**body, "changes": changes})


@router.post("/rollback", response_model=WriteResult, summary="Restore a revision as a new one")
def rollback(
    namespace: str,
    name: str,
    body: RollbackRequest,
    request: Request,
    app: App = Depends(barista),
    actor: Any = Depends(request_actor),
) -> JSONResponse:
    """If-Match is optional here (a rollback can recreate a deleted model); when given, a stale
    version is refused with 412."""
    expected = if_match(request) if "If-Match" in request.headers else None
    saved = app.models.rollback(
        name,
        body.revision,
        namespace=namespace,
        actor=actor,
        source="api",
        reason=body.reason,
        expected_version=expected,
    )
    return written(app, saved.record, saved.pending, saved.notice)


@router.get("/manifests", response_model=ManifestsOut, summary="The Kubernetes objects rendered")
def manifests(namespace: str, name: str, app: App = Depends(barista)) -> JSONResponse:
    from k8s.manifests import render

    rec = app.registry.get(name, namespace)
    desired = app.desired_for(rec.spec)
    objects = mask_manifests(render(rec.to_file_dict(), desired))
    return json_response({"desired_replicas": desired, "objects": objects}, version=rec.version)


@router.get("/status", response_model=StatusOut, summary="Live status with pods and events")
def status(namespace: str, name: str, app: App = Depends(barista)) -> JSONResponse:
    rec = app.registry.get(name, namespace)
    row = app.fleet.status_row(rec)
    body: dict[str, Any] = {"namespace": namespace, "name": name, "connected": row is not None}
    if row is not None:
        body.update(row.as_dict())
        live = app.fleet.live_of(rec.key)
        if live is not None:
            details = {p.name: p for p in live.pod_map.values()}
            for pod in body["pods"]:
                p = details.get(pod["name"])
                pod.update(node=p.node if p else None, message=p.message if p else None)
            body["events"] = [e.__dict__ for e in list(live.events)]
    return json_response(StatusOut.model_validate(body).model_dump(mode="json"))
