"""What every route needs: the application's services, the acting user of the request (the one
place identity is resolved), the If-Match version, and the CSRF rule for cookie callers."""

from __future__ import annotations

import hmac
import re
from typing import Any

from fastapi import Request

from barista_ui.access import roles
from barista_ui.access.actor import NONE_MODE, Actor, open_actor
from barista_ui.access.roles import NotAuthenticated, authorize
from barista_ui.api.problems import Problem
from barista_ui.app import App
from barista_ui.records.limits import ACTOR_CHARS

ACTOR_HEADER = "X-Barista-Actor"  # who the caller says it is (heeded only in BARISTA_AUTH=none)
CSRF_COOKIE = "barista_csrf"
CSRF_HEADER = "X-Barista-CSRF"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def barista(request: Request) -> App:
    return request.app.state.barista


def request_actor(request: Request) -> Actor:
    """The identity of this request (what services receive as ``actor=``), resolved once: an
    API token, a trusted proxy's identity headers, or in ``BARISTA_AUTH=none`` an open actor
    named by the ``X-Barista-Actor`` header (default ``anonymous``). None of them: 401."""
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    host = request.client.host if request.client else None
    actor = barista(request).identity.resolve_actor(request.headers, host)
    if actor is None:
        raise NotAuthenticated(
            "sign-in needed: send Authorization: Bearer <API token> (barista login), or come "
            "through the authenticating proxy",
            roles.READ,
        )
    named = (request.headers.get(ACTOR_HEADER) or "").strip()
    if actor.kind == NONE_MODE and named:
        if len(named) > ACTOR_CHARS:
            raise Problem(
                422,
                "invalid-request",
                "Invalid request",
                f"{ACTOR_HEADER}: at most {ACTOR_CHARS} characters",
                errors=[{"field": ACTOR_HEADER, "message": f"at most {ACTOR_CHARS} characters"}],
            )
        actor = open_actor(named)
    request.state.actor = actor
    return actor


def reader(request: Request) -> None:
    """Every call needs an identity that may read (``BARISTA_DEFAULT_ROLE=none`` reads nothing)."""
    authorize(request_actor(request), roles.READ)


def actor_name(actor: Any) -> str:
    return str(getattr(actor, "name", actor))


def etag(version: int) -> str:
    return f'"{version}"'


def if_match(request: Request) -> int:
    """The record version the change is based on; 428 without it (no blind overwrites)."""
    raw = request.headers.get("If-Match")
    if raw is None:
        raise Problem(
            428,
            "if-match-required",
            "Precondition required",
            "send If-Match with the ETag of the record you changed (GET it first), "
            'e.g. If-Match: "3"',
        )
    m = _ETAG.match(raw)
    if not m:
        raise Problem(
            428,
            "if-match-required",
            "Precondition required",
            f'If-Match must be one record version as its ETag, e.g. "3", not {raw[:40]!r}',
        )
    return int(m.group(1))


def check_csrf(request: Request) -> None:
    """Calls authenticated by a cookie (a browser through the authenticating proxy) that change
    something need the same-site token header (the ``barista_csrf`` cookie's value, from
    ``GET /api/v1/csrf``). Bearer-token calls, calls without cookies (scripts, the CLI) and
    ``BARISTA_AUTH=none``, where nobody is authenticated by anything, do not."""
    if request.method not in MUTATING or barista(request).settings.auth == "none":
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    if not request.cookies:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not hmac.compare_digest(cookie, header):
        raise Problem(
            403,
            "csrf",
            "Forbidden: CSRF token missing",
            f"a call with cookies that changes something needs the {CSRF_HEADER} header "
            f"holding the {CSRF_COOKIE} cookie's value (GET /api/v1/csrf sets it)",
        )
