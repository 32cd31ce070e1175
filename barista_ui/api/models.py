"""``/api/v1/models``: list (filters, pages), create, apply many, get, replace, merge-patch and
delete one record, through the same write path as the page and the CLI (``records.service``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request
from starlette.responses import JSONResponse

from barista_ui.api.deps import actor_name, barista, check_csrf, if_match, reader, request_actor
from barista_ui.api.problems import Problem
from barista_ui.api.schemas import (
    MERGE_PATCH_SCHEMA,
    SPEC_REF,
    ApplyRequest,
    ApplyResult,
    DeleteResult,
    MergePatch,
    ModelPage,
    ModelResource,
    RecordBody,
    WriteResult,
)
from barista_ui.api.views import (
    decode_cursor,
    encode_cursor,
    json_response,
    resource,
    unreadable_item,
    written,
)
from barista_ui.app import App
from barista_ui.records.merge_patch import merge_patch
from barista_ui.records.record import ModelRecord, UnreadableRecord

router = APIRouter(
    prefix="/v1/models", tags=["models"], dependencies=[Depends(check_csrf), Depends(reader)]
)
ONE = "/{namespace}/{name}"
RECORD_BODY = {"x-body": SPEC_REF}  # documented as the record format (see server.py)
PATCH_BODY = {
    "x-body": MERGE_PATCH_SCHEMA,
    "requestBody": {"content": {"application/json": {}}},  # plain JSON is accepted too
}


@router.get("", response_model=ModelPage, summary="List records, one page at a time")
def list_models(
    app: App = Depends(barista),
    team: str | None = Query(None, max_length=63),
    namespace: str | None = Query(None, max_length=63),
    name: str | None = Query(None, max_length=63, description="exact name, any namespace"),
    search: str | None = Query(None, max_length=256, description="in name, team, image, owner"),
    enabled: bool | None = None,
    limit: int = Query(100, ge=1, le=1000),
    cont: str | None = Query(None, alias="continue", max_length=400),
    show_secrets: bool = False,
) -> JSONResponse:
    """Records ordered by namespace and name. ``limit`` per page (default 100); the answer's
    ``continue`` fetches the next page (null on the last)."""
    after = decode_cursor(cont) if cont else None
    good, bad = app.registry.read_models(
        team=team,
        namespace=namespace,
        name=name,
        search=search,
        enabled=enabled,
        after=after,
        limit=limit + 1,
    )
    rows: list[ModelRecord | UnreadableRecord] = sorted([*good, *bad], key=lambda r: r.key)
    page, more = rows[:limit], len(rows) > limit
    keys = {r.key for r in page}
    body = {
        "items": [resource(r, show_secrets) for r in good if r.key in keys],
        "unreadable": [unreadable_item(r) for r in bad if r.key in keys],
        "continue": encode_cursor(page[-1].key) if more else None,
    }
    return json_response(body)


@router.post(
    "",
    response_model=WriteResult,
    status_code=201,
    summary="Create a record",
    openapi_extra=RECORD_BODY,
)
def create_model(
    record: RecordBody = Body(...),
    reason: str = Query("", max_length=1000),
    app: App = Depends(barista),
    actor: Any = Depends(request_actor),
) -> JSONResponse:
    saved = app.models.create(record, actor=actor, source="api", reason=reason)
    return written(app, saved.record, saved.pending, saved.notice, 201)


@router.post("/apply", response_model=ApplyResult, summary="Create or update many, all or nothing")
def apply_models(
    body: ApplyRequest,
    app: App = Depends(barista),
    actor: Any = Depends(request_actor),
) -> JSONResponse:
    if body.create_only:
        for data in body.records:
            spec = app.registry.validate(data)
            if app.registry.find(spec.name, spec.namespace):
                raise Problem(
                    409,
                    "exists",
                    "Already exists",
                    f"'{spec.name}' already exists in namespace '{spec.namespace}'",
                    namespace=spec.namespace,
                    name=spec.name,
                )
    batch = app.models.apply_many(body.records, actor=actor, source="api", reason=body.reason)
    outcomes = [
        {"namespace": o.namespace, "name": o.name, "action": o.action, "version": o.record.version}
        for o in batch.outcomes
    ]
    return json_response({"outcomes": outcomes, "pending": batch.pending, "notice": batch.notice})


@router.get(ONE, response_model=ModelResource, summary="One record (ETag: its version)")
def get_model(
    namespace: str, name: str, show_secrets: bool = False, app: App = Depends(barista)
) -> JSONResponse:
    rec = app.registry.get(name, namespace)
    return json_response(resource(rec, show_secrets), version=rec.version)


@router.put(
    ONE,
    response_model=WriteResult,
    summary="Replace a record (If-Match required)",
    openapi_extra=RECORD_BODY,
)
def replace_model(
    namespace: str,
    name: str,
    request: Request,
    record: RecordBody = Body(...),
    reason: str = Query("", max_length=1000),
    app: App = Depends(barista),
    actor: Any = Depends(request_actor),
) -> JSONResponse:
    version = if_match(request)
    return _replace(app, namespace, name, dict(record), version, actor, reason)


@router.patch(
    ONE,
    response_model=WriteResult,
    summary="Change fields with a JSON merge patch (If-Match required)",
    openapi_extra=PATCH_BODY,
)
def patch_model(
    namespace: str,
    name: str,
    request: Request,
    patch: MergePatch = Body(..., media_type="application/merge-patch+json"),
    reason: str = Query("", max_length=1000),
    app: App = Depends(barista),
    actor: Any = Depends(request_actor),
) -> JSONResponse:
    """E.g. ``{"replicas": 3}``, ``{"enabled": false}`` or ``{"resources": {"limits": {"cpu":
    "4"}}}``; ``null`` removes a key (back to its default)."""
    version = if_match(request)
    current = app.registry.get(name, namespace)
    data = merge_patch(current.to_file_dict(), patch)
    return _replace(app, namespace, name, data, version, actor, reason or _why(patch))


def _why(patch: dict[str, Any]) -> str:
    if set(patch) == {"replicas"}:
        return f"replicas set to {patch['replicas']}"
    if set(patch) == {"enabled"} and isinstance(patch["enabled"], bool):
        return "switched on" if patch["enabled"] else "switched off"
    return ""


def _replace(
    app: App, namespace: str, name: str, data: dict, version: int, actor: Any, reason: str
) -> JSONResponse:
    data.setdefault("name", name)
    data.setdefault("namespace", namespace)
    current = app.registry.get(name, namespace)
    if current.spec == app.registry.validate(data):  # already so: PUT is idempotent
        return written(app, current, False, "")
    saved = app.models.update(
        namespace, name, data, expected_version=version, actor=actor, source="api", reason=reason
    )
    return written(app, saved.record, saved.pending, saved.notice)


@router.delete(ONE, response_model=DeleteResult, summary="Delete a record (If-Match required)")
def delete_model(
    namespace: str,
    name: str,
    request: Request,
    reason: str = Query("", max_length=1000),
    app: App = Depends(barista),
    actor: Any = Depends(request_actor),
) -> JSONResponse:
    version = if_match(request)
    gone = app.models.delete(
        namespace,
        name,
        actor=actor,
        source="api",
        reason=reason,
        expected_version=version,
    )
    ns, nm = gone.key
    body = {"namespace": ns, "name": nm, "pending": gone.pending, "notice": gone.notice}
    return json_response(body)


__all__ = ["actor_name", "router"]
