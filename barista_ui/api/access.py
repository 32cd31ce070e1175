"""``/api/v1/access``: role bindings, the access audit and API tokens, through the access
service (which checks who may: admins for bindings and others' tokens, anyone for their own)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import JSONResponse

from barista_ui.access.actor import Actor
from barista_ui.api.deps import barista, check_csrf, reader, request_actor
from barista_ui.api.schemas import (
    AuditOut,
    BindingIn,
    BindingOut,
    Granted,
    NewTokenOut,
    TokenIn,
    TokenOut,
)
from barista_ui.api.views import json_response
from barista_ui.app import App

router = APIRouter(
    prefix="/v1/access", tags=["access"], dependencies=[Depends(check_csrf), Depends(reader)]
)


def plain(obj: Any) -> dict[str, Any]:
    """A dataclass as JSON-ready values (times in ISO 8601)."""
    out = dataclasses.asdict(obj)
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in out.items()}


@router.get("/bindings", response_model=list[BindingOut], summary="Who holds which role")
def bindings(app: App = Depends(barista)) -> JSONResponse:
    return json_response([plain(b) for b in app.access.bindings()])


@router.post("/bindings", response_model=Granted, summary="Grant a role (admins)")
def grant(
    body: BindingIn, app: App = Depends(barista), actor: Actor = Depends(request_actor)
) -> JSONResponse:
    done = app.access.grant(body.subject, body.role, body.team, actor=actor)
    return json_response({"granted": done})


@router.delete("/bindings", response_model=BindingOut, summary="Revoke a role (admins)")
def revoke(
    subject: str = Query(..., max_length=300),
    role: str = Query(..., max_length=16),
    team: str | None = Query(None, max_length=63),
    app: App = Depends(barista),
    actor: Actor = Depends(request_actor),
) -> JSONResponse:
    app.access.revoke(subject, role, team, actor=actor)
    return json_response({"subject": subject, "role": role, "team": team or ""})


@router.get("/audit", response_model=list[AuditOut], summary="Changes to access, newest first")
def audit(
    limit: int = Query(200, ge=1, le=1000),
    app: App = Depends(barista),
    actor: Actor = Depends(request_actor),
) -> JSONResponse:
    from barista_ui.access import roles
    from barista_ui.access.roles import authorize

    authorize(actor, roles.ACCESS_MANAGE)
    return json_response([plain(e) for e in app.access.audit_log(limit)])


@router.get("/tokens", response_model=list[TokenOut], summary="Your API tokens (all: admins)")
def tokens(
    everyone: bool = False, app: App = Depends(barista), actor: Actor = Depends(request_actor)
) -> JSONResponse:
    return json_response([plain(t) for t in app.access.tokens(actor=actor, everyone=everyone)])


@router.post("/tokens", response_model=NewTokenOut, status_code=201, summary="A new API token")
def create_token(
    body: TokenIn, app: App = Depends(barista), actor: Actor = Depends(request_actor)
) -> JSONResponse:
    made = app.access.create_token(body.name, actor=actor, owner=body.owner, days=body.days)
    return json_response({"secret": made.secret, "token": plain(made.token)}, 201)


@router.delete("/tokens/{token_id}", response_model=TokenOut, summary="Revoke an API token")
def revoke_token(
    token_id: int, app: App = Depends(barista), actor: Actor = Depends(request_actor)
) -> JSONResponse:
    return json_response(plain(app.access.revoke_token(token_id, actor=actor)))
