"""Service results as response bodies (and the ETag that goes with a record)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from starlette.responses import JSONResponse

from barista_ui.api.deps import etag
from barista_ui.api.problems import Problem
from barista_ui.api.schemas import ModelResource, UnreadableItem, WriteResult
from barista_ui.app import App
from barista_ui.records.record import ModelRecord, Unreadable, UnreadableRecord
from barista_ui.records.secrets import mask_record


def resource(rec: ModelRecord, show_secrets: bool = False) -> dict[str, Any]:
    data = rec.to_file_dict()
    return {
        "namespace": rec.namespace,
        "name": rec.name,
        "version": rec.version,
        "created_at": rec.created_at.isoformat(),
        "updated_at": rec.updated_at.isoformat(),
        "record": data if show_secrets else mask_record(data),
    }


def unreadable_item(rec: UnreadableRecord) -> dict[str, Any]:
    return {
        "namespace": rec.namespace,
        "name": rec.name,
        "team": rec.team,
        "version": rec.version,
        "updated_at": rec.updated_at.isoformat(),
        "problem": rec.problem,
        "message": str(Unreadable(rec)),
    }


def json_response(
    body: Any, status: int = 200, version: int | None = None, **headers: str
) -> JSONResponse:
    """A body already in its response shape (records are not validated again on the way out:
    a stored row is shown as stored)."""
    if version is not None:
        headers["ETag"] = etag(version)
    return JSONResponse(body, status_code=status, headers=headers or None)


def written(
    app: App, rec: ModelRecord, pending: bool, notice: str, status: int = 200
) -> JSONResponse:
    runs = app.fleet.runs_for(rec) if app.fleet.connected else None
    body = {"model": resource(rec), "pending": pending, "notice": notice, "runs": runs}
    headers = {"Location": f"/api/v1/models/{rec.namespace}/{rec.name}"} if status == 201 else {}
    return json_response(body, status, rec.version, **headers)


def encode_cursor(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        ns, name = json.loads(raw)
        return str(ns), str(name)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise Problem(
            422,
            "invalid-request",
            "Invalid request",
            "continue: not a token from a previous page; start again without it",
            errors=[{"field": "continue", "message": "not a token from a previous page"}],
        ) from exc


SCHEMAS = (ModelResource, UnreadableItem, WriteResult)  # the shapes the dicts above follow
