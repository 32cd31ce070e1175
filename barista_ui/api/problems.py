"""Errors as ``application/problem+json`` (RFC 9457): one place maps the services' errors to an
HTTP status, a problem ``type`` and, for validation errors, the field paths with the same
messages as the page and the CLI."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from barista_ui.access.bindings import AccessError
from barista_ui.access.roles import AccessDenied, Forbidden, NotAuthenticated
from barista_ui.cost.billing import BillingFileError
from barista_ui.cost.money import MoneyError
from barista_ui.cost.opencost import OpenCostError
from barista_ui.cost.price_files import PriceFileError
from barista_ui.cost.rates import PricingError
from barista_ui.cost.report_rows import ReportError
from barista_ui.records.errors import AlreadyExists, FieldValueError, RecordInvalid
from barista_ui.records.record import (
    Ambiguous,
    Conflict,
    NotFound,
    RegistryError,
    Unreadable,
)
from barista_ui.records.service import ClusterRefused
from barista_ui.safe_input import InputError
from barista_ui.schedule.language import ScheduleError

log = logging.getLogger("barista.api")
ACCESS_ERRORS: tuple[type[Exception], ...] = (AccessDenied,)
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://barista.dev/problems/"


class Problem(Exception):
    """An error answered as a problem document; ``extra`` adds members (``errors``, ``current_version``)."""

    def __init__(self, status: int, kind: str, title: str, detail: str, **extra: Any):
        self.status, self.kind, self.title, self.detail, self.extra = (
            status,
            kind,
            title,
            detail,
            extra,
        )
        super().__init__(detail)


def problem_response(p: Problem, instance: str = "", headers: dict | None = None) -> JSONResponse:
    body = {
        "type": TYPE_BASE + p.kind,
        "title": p.title,
        "status": p.status,
        "detail": p.detail,
        "instance": instance,
        **p.extra,
    }
    return JSONResponse(body, status_code=p.status, media_type=MEDIA_TYPE, headers=headers)


def invalid(exc: RecordInvalid) -> Problem:
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    return Problem(422, "invalid-record", "Invalid record", str(exc), name=exc.name, errors=errors)


def problem_for(exc: Exception) -> Problem | None:
    """The problem a service error stands for (None: not one of ours, a 500)."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, AlreadyExists):
        p = invalid(exc)
        return Problem(409, "exists", "Already exists", p.detail, **p.extra)
    if isinstance(exc, RecordInvalid):
        return invalid(exc)
    if isinstance(exc, Conflict):
        cur = exc.current
        return Problem(
            412,
            "stale-version",
            "Precondition failed: the record changed",
            str(exc),
            current_version=cur.version,
        )
    if isinstance(exc, NotFound):
        return Problem(404, "not-found", "Not found", str(exc))
    if isinstance(exc, Unreadable):
        rec = exc.record
        return Problem(
            409, "unreadable", "Stored record no longer valid", str(exc), version=rec.version
        )
    if isinstance(exc, Ambiguous):
        return Problem(409, "ambiguous", "Ambiguous name", str(exc), namespaces=exc.namespaces)
    if isinstance(exc, ClusterRefused):
        return Problem(409, "cluster-refused", "The cluster refused the change", str(exc))
    if isinstance(exc, RegistryError):
        return Problem(409, "refused", "Refused", str(exc))
    if isinstance(exc, FieldValueError):
        errors = [{"field": exc.field, "message": exc.message}]
        return Problem(422, "invalid-input", "Invalid input", str(exc), errors=errors)
    if isinstance(exc, ReportError):
        if exc.usage:
            return Problem(422, "invalid-report", "Report not possible", str(exc))
        return Problem(502, "source-failed", "Cost source failed", str(exc))
    if isinstance(exc, ScheduleError | PricingError | PriceFileError | MoneyError | InputError):
        return Problem(422, "invalid-input", "Invalid input", str(exc))
    if isinstance(exc, BillingFileError):
        return Problem(422, "invalid-billing-file", "Billing file rejected", str(exc))
    if isinstance(exc, OpenCostError):
        return Problem(502, "opencost-unreachable", "OpenCost failed", str(exc))
    return _access_problem(exc)


def _access_problem(exc: Exception) -> Problem | None:
    """401 without an identity, 403 naming the missing permission and the role that has it."""
    if isinstance(exc, NotAuthenticated):
        return Problem(401, "not-authenticated", "Not authenticated", str(exc))
    if isinstance(exc, Forbidden | AccessDenied):
        perm = exc.permission
        return Problem(403, "forbidden", "Forbidden", str(exc), permission=perm.name, team=exc.team)
    if isinstance(exc, AccessError):
        return Problem(422, "access-refused", "Refused", str(exc))
    return None


def validation_problem(exc: RequestValidationError) -> Problem:
    """FastAPI's own checks (a path, query or body of the wrong type), with field paths."""
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:] if loc[0] == "body" else loc
        errors.append({"field": ".".join(loc), "message": str(err.get("msg", ""))})
    detail = "; ".join(
        f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
    )
    return Problem(422, "invalid-request", "Invalid request", detail, errors=errors)


def install(api: FastAPI) -> None:
    """Every error of the API as a problem document."""

    @api.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(validation_problem(exc), request.url.path)

    @api.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        p = Problem(exc.status_code, f"http-{exc.status_code}", str(exc.detail), str(exc.detail))
        return problem_response(p, request.url.path, getattr(exc, "headers", None))

    async def _service(request: Request, exc: Exception) -> JSONResponse:
        p = problem_for(exc)
        if p is None:  # a ValueError or RuntimeError no service meant for the user
            log.error("API request %s %s failed", request.method, request.url.path, exc_info=exc)
            p = Problem(500, "internal", "Internal error", f"{type(exc).__name__}: {exc}")
        elif p.status in (401, 403):
            log.warning("denied %s %s: %s", request.method, request.url.path, p.detail)
        headers = {"WWW-Authenticate": "Bearer"} if p.status == 401 else None
        return problem_response(p, request.url.path, headers)

    # by class, so anything else stays a plain 500 from the server (never swallowed)
    for cls in (Problem, RegistryError, ValueError, OpenCostError, *ACCESS_ERRORS):
        api.add_exception_handler(cls, _service)
