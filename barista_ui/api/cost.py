"""``/api/v1/cost``: estimate, report (the CLI's ``--by``/``--source``), billing import, the price
table and budgets, through the cost service the Cost tab and the CLI use."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from barista_ui.api.deps import barista, check_csrf, reader, request_actor
from barista_ui.api.problems import Problem
from barista_ui.api.schemas import (
    BudgetIn,
    BudgetOut,
    EstimateOut,
    ImportOut,
    PriceOut,
    PricesIn,
    PricesSaved,
    ReportOut,
)
from barista_ui.api.views import json_response
from barista_ui.app import App
from barista_ui.cost.estimate import MAX_ESTIMATE_HOURS, estimate
from barista_ui.cost.price_files import pick, validate_entry
from barista_ui.cost.report_rows import period, report_body
from barista_ui.records.names import check_team_name
from barista_ui.safe_input import MAX_BILLING_BYTES

router = APIRouter(
    prefix="/v1/cost", tags=["cost"], dependencies=[Depends(check_csrf), Depends(reader)]
)


@router.get("/estimate", response_model=EstimateOut, summary="What a replica costs per hour")
def cost_estimate(
    cpu: str = Query(..., max_length=32, examples=["4"]),
    memory: str = Query(..., max_length=32, examples=["16Gi"]),
    gpu: int = Query(0, ge=0, le=64),
    gpu_type: str | None = Query(None, max_length=64),
    replicas: int = Query(1, ge=0, le=100_000),
    hours: float = Query(1.0, ge=0, le=MAX_ESTIMATE_HOURS),
    family: str = Query("default", max_length=64),
    app: App = Depends(barista),
) -> JSONResponse:
    if not math.isfinite(hours):
        raise Problem(422, "invalid-input", "Invalid input", "hours: a finite number")
    prices = pick(app.cost.price_table(), app.settings.region, family)
    return json_response(estimate(prices, cpu, memory, gpu, gpu_type, replicas, hours))


@router.get("/report", response_model=ReportOut, summary="Cost per group over [from, to)")
def cost_report(
    from_: str = Query(..., alias="from", max_length=10, description="YYYY-MM-DD, included"),
    to: str = Query(..., max_length=10, description="YYYY-MM-DD, excluded"),
    by: str = Query(
        "team",
        max_length=80,
        pattern=r"^(model|team|namespace|day|label:.+)$",
        description="model, team, namespace, day or label:KEY (a label of the records)",
    ),
    source: Literal["modeled", "billing", "opencost", "compare"] = "modeled",
    app: App = Depends(barista),
) -> JSONResponse:
    """Days are cut in BARISTA_COST_TIMEZONE; rows as ``barista cost report --format json``
    (each with ``first_day`` and ``last_day``)."""
    start, end = period(app.cost.tz, from_, to)
    board = app.cost_board
    body = report_body(app.cost, board.opencost, start, end, by, source, board.model_labels)
    return json_response({"source": source, "by": by, **body})


@router.post(
    "/billing-imports",
    response_model=ImportOut,
    summary="Import a billing export (all of it or nothing)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def billing_import(
    request: Request,
    format: Literal["focus", "gcp"] = Query(..., description="FOCUS 1.x CSV or GCP JSON lines"),
    filename: str = Query("upload", max_length=255),
    team_key: str | None = Query(None, max_length=256),
    model_key: str | None = Query(None, max_length=256),
) -> JSONResponse:
    app: App = barista(request)
    actor = request_actor(request)
    content = bytearray()
    async for chunk in request.stream():
        content += chunk
        if len(content) > MAX_BILLING_BYTES:
            raise Problem(
                413,
                "too-large",
                "Payload too large",
                f"a billing export is at most {MAX_BILLING_BYTES // 2**20} MiB",
            )
    res = await run_in_threadpool(
        app.cost_board.import_billing,
        bytes(content),
        format,
        filename=filename,
        actor=actor,
        team_key=team_key,
        model_key=model_key,
    )
    return json_response({k: res[k] for k in ImportOut.model_fields})


def _price(e: Any) -> dict[str, Any]:
    d = dataclasses.asdict(e)
    return {**d, "as_of": e.as_of.isoformat() if e.as_of else None}


@router.get("/prices", response_model=list[PriceOut], summary="The price table")
def prices(app: App = Depends(barista)) -> JSONResponse:
    return json_response([_price(e) for e in app.cost.price_table()])


@router.put("/prices", response_model=PricesSaved, summary="Replace the price table")
def save_prices(
    body: PricesIn, app: App = Depends(barista), actor: Any = Depends(request_actor)
) -> JSONResponse:
    entries = [
        validate_entry(e.model_dump(exclude_none=True), f"entries.{i}")
        for i, e in enumerate(body.entries)
    ]
    n = app.cost_board.save_prices(entries, actor=actor)
    return json_response({"entries": len(entries), "rerated": n})


@router.get("/budgets", response_model=list[BudgetOut], summary="Monthly budgets per team")
def budgets(app: App = Depends(barista)) -> JSONResponse:
    rows = sorted(app.cost.budgets().items())
    return json_response([{"team": t, "monthly_usd": v} for t, v in rows])


@router.put("/budgets/{team}", response_model=BudgetOut, summary="Set a team's budget")
def set_budget(
    team: str, body: BudgetIn, app: App = Depends(barista), actor: Any = Depends(request_actor)
) -> JSONResponse:
    app.cost.set_budget(check_team_name(team), body.monthly_usd, actor=actor)
    return json_response({"team": team, "monthly_usd": app.cost.budgets().get(team)})


@router.delete("/budgets/{team}", response_model=BudgetOut, summary="Remove a team's budget")
def clear_budget(
    team: str, app: App = Depends(barista), actor: Any = Depends(request_actor)
) -> JSONResponse:
    app.cost.set_budget(check_team_name(team), None, actor=actor)
    return json_response({"team": team, "monthly_usd": None})
