"""``/api/v1/schedules``: the global and team schedules, a model's decision, overrides and the
scheduler's actions. A model's own schedule is part of its record: change it with ``PATCH
/api/v1/models/{namespace}/{name}`` and ``{"schedule": {...}}``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from starlette.responses import JSONResponse

from barista_ui.api.deps import barista, check_csrf, reader, request_actor
from barista_ui.api.problems import Problem
from barista_ui.api.schemas import (
    ActionOut,
    Cleared,
    ModelScheduleOut,
    OverrideIn,
    OverrideOut,
    PolicyIn,
    PolicyOut,
)
from barista_ui.api.views import json_response
from barista_ui.app import App
from barista_ui.records.names import check_team_name
from barista_ui.schedule.decide import explain as explain_decision
from barista_ui.schedule.language import zone

router = APIRouter(
    prefix="/v1/schedules", tags=["schedules"], dependencies=[Depends(check_csrf), Depends(reader)]
)
Scope = Literal["global", "team"]


def _policy(p: Any) -> dict[str, Any]:
    return {
        "scope": p.scope,
        "team": p.team,
        "uptime": p.uptime,
        "downtime": p.downtime,
        "timezone": p.timezone,
        "holiday_country": p.holiday_country,
        "holiday_subdiv": p.holiday_subdiv,
        "updated_by": p.updated_by,
        "updated_at": p.updated_at.isoformat(),
    }


@router.get("", response_model=list[PolicyOut], summary="The global and team schedules")
def policies(team: str | None = None, app: App = Depends(barista)) -> JSONResponse:
    found = sorted(app.scheduler.policies().items())
    return json_response([_policy(p) for (_, t), p in found if not team or t == team])


def _set(app: App, scope: str, team: str, body: PolicyIn | None, actor: Any) -> None:
    if body is not None and not (body.uptime or body.downtime):
        raise Problem(
            422,
            "invalid-input",
            "Invalid input",
            "give uptime or downtime (DELETE removes the schedule)",
            errors=[{"field": "uptime", "message": "give uptime or downtime"}],
        )
    cal = None
    if body is not None and body.holidays:
        country, _, subdiv = body.holidays.partition("-")
        cal = (country.upper(), subdiv.upper() or None)
    app.scheduler.set_policy(
        scope,
        team,
        uptime=body.uptime if body else None,
        downtime=body.downtime if body else None,
        timezone=body.timezone if body else None,
        holidays=cal,
        actor=actor,
    )


@router.put("/global", response_model=list[PolicyOut], summary="Set the global default")
def set_global(
    body: PolicyIn, app: App = Depends(barista), actor: Any = Depends(request_actor)
) -> JSONResponse:
    _set(app, "global", "", body, actor)
    return policies(None, app)


@router.delete("/global", response_model=list[PolicyOut], summary="Remove the global default")
def clear_global(app: App = Depends(barista), actor: Any = Depends(request_actor)) -> JSONResponse:
    _set(app, "global", "", None, actor)
    return policies(None, app)


@router.put("/teams/{team}", response_model=list[PolicyOut], summary="Set a team's schedule")
def set_team(
    team: str, body: PolicyIn, app: App = Depends(barista), actor: Any = Depends(request_actor)
) -> JSONResponse:
    _set(app, "team", check_team_name(team), body, actor)
    return policies(team, app)


@router.delete("/teams/{team}", response_model=list[PolicyOut], summary="Remove a team's schedule")
def clear_team(
    team: str, app: App = Depends(barista), actor: Any = Depends(request_actor)
) -> JSONResponse:
    _set(app, "team", check_team_name(team), None, actor)
    return policies(team, app)


@router.get(
    "/models/{namespace}/{name}",
    response_model=ModelScheduleOut,
    summary="A model's state now (or at a time) and the rule that decided it",
)
def explain(
    namespace: str,
    name: str,
    at: datetime | None = Query(None, description="RFC 3339; default now"),
    tz: str | None = Query(
        None,
        max_length=64,
        description="IANA zone the explanation's times are printed in, with their offset "
        "(default: the schedule's own zone)",
    ),
    app: App = Depends(barista),
) -> JSONResponse:
    rec = app.registry.get(name, namespace)
    when = at or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if tz:
        zone(tz)  # an unknown zone is a 422 naming it
    d = app.scheduler.decide_for(rec, when)
    sc = rec.spec.schedule
    body = {
        "namespace": namespace,
        "name": name,
        "at": when.isoformat(),
        "state": d.state,
        "rule": d.rule,
        "explanation": (
            explain_decision(d, tz, when, label="offset")
            if tz
            else app.scheduler.explain_for(rec, when)
        ),
        "schedule": sc.model_dump(mode="json") if sc else None,
    }
    return json_response(body)


@router.put(
    "/models/{namespace}/{name}/override",
    response_model=OverrideOut,
    summary="Keep a model up or down until a time",
)
def set_override(
    namespace: str,
    name: str,
    body: OverrideIn,
    app: App = Depends(barista),
    actor: Any = Depends(request_actor),
) -> JSONResponse:
    rec = app.registry.get(name, namespace)
    until = body.until if body.until.tzinfo else body.until.replace(tzinfo=UTC)
    app.scheduler.set_override(rec.key, body.state, until, actor=actor, reason=body.reason)
    if app.cluster.gateway is not None:
        app.scheduler.reconcile(reason="override", keys={rec.key})
    out = {"namespace": namespace, "name": name, "state": body.state, "until": until.isoformat()}
    return json_response(
        {**out, "actor": str(getattr(actor, "name", actor)), "reason": body.reason}
    )


@router.delete(
    "/models/{namespace}/{name}/override",
    response_model=Cleared,
    summary="End a model's active overrides now",
)
def clear_override(
    namespace: str, name: str, app: App = Depends(barista), actor: Any = Depends(request_actor)
) -> JSONResponse:
    rec = app.registry.get(name, namespace)
    n = app.scheduler.clear_override(rec.key, actor)
    if app.cluster.gateway is not None:
        app.scheduler.reconcile(reason="override", keys={rec.key})
    return json_response({"cleared": n})


@router.get("/actions", response_model=list[ActionOut], summary="The scheduler's recent actions")
def actions(limit: int = Query(100, ge=1, le=1000), app: App = Depends(barista)) -> JSONResponse:
    keys = list(ActionOut.model_fields)
    rows = [{k: getattr(a, k) for k in keys} for a in app.scheduler.actions(limit)]
    return json_response([{**r, "at": r["at"].isoformat()} for r in rows])
