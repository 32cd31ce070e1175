"""Roles, permissions and the one rule that decides: :func:`authorize`.

- ``viewer``: read everything, including cost; manage one's own API tokens.
- ``editor`` of a team: create, edit, switch, scale, delete and roll back that team's models,
  set its schedule and its models' overrides.
- ``admin``: everything (global schedule, prices, budgets, billing import, access, others'
  tokens).

Every service checks here before it writes, so the page, the CLI and the API obey one rule. A
refusal raises :class:`Forbidden` naming the role needed ("editor of team 'vision' needed to
scale models") and is logged; a call without an identity raises :class:`NotAuthenticated`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from barista_ui.access.actor import Actor

log = logging.getLogger("barista.access")

VIEWER, EDITOR, ADMIN = "viewer", "editor", "admin"
ROLES = (VIEWER, EDITOR, ADMIN)


@dataclass(frozen=True)
class Permission:
    """``name`` as the API names it; ``doing`` completes "... needed to <doing>"; ``needs``:
    the least role that has it (an editor's is per team)."""

    name: str
    doing: str
    needs: str


READ = Permission("read", "read", VIEWER)
TOKENS_OWN = Permission("tokens.own", "manage your own API tokens", VIEWER)
MODELS_CREATE = Permission("models.create", "create models", EDITOR)
MODELS_EDIT = Permission("models.edit", "edit models", EDITOR)
MODELS_TOGGLE = Permission("models.toggle", "switch models on or off", EDITOR)
MODELS_SCALE = Permission("models.scale", "scale models", EDITOR)
MODELS_DELETE = Permission("models.delete", "delete models", EDITOR)
MODELS_ROLLBACK = Permission("models.rollback", "roll back models", EDITOR)
SCHEDULES_TEAM = Permission("schedules.team", "change a team's schedule", EDITOR)
OVERRIDES = Permission("overrides.set", "keep models up or down", EDITOR)
SCHEDULES_GLOBAL = Permission("schedules.global", "change the global schedule", ADMIN)
COST_PRICES = Permission("cost.prices", "change prices", ADMIN)
COST_BUDGETS = Permission("cost.budgets", "set budgets", ADMIN)
COST_BILLING = Permission("cost.billing", "import billing data", ADMIN)
ACCESS_MANAGE = Permission("access.manage", "change access", ADMIN)
TOKENS_ALL = Permission("tokens.all", "manage other users' API tokens", ADMIN)

PERMISSIONS = (
    READ,
    TOKENS_OWN,
    MODELS_CREATE,
    MODELS_EDIT,
    MODELS_TOGGLE,
    MODELS_SCALE,
    MODELS_DELETE,
    MODELS_ROLLBACK,
    SCHEDULES_TEAM,
    OVERRIDES,
    SCHEDULES_GLOBAL,
    COST_PRICES,
    COST_BUDGETS,
    COST_BILLING,
    ACCESS_MANAGE,
    TOKENS_ALL,
)


class AccessDenied(Exception):
    """The actor may not do this; nothing was changed."""

    def __init__(self, message: str, permission: Permission, team: str | None = None):
        self.permission = permission
        self.team = team
        super().__init__(message)


class NotAuthenticated(AccessDenied):
    """No identity came with the call (HTTP 401)."""


class Forbidden(AccessDenied):
    """An identity without the role needed (HTTP 403); the message names the role."""


def role_needed(permission: Permission, team: str | None = None) -> str:
    """The least role that may: "editor of team 'vision'", "admin", "viewer" (the page's
    tooltips and :class:`Forbidden`'s message)."""
    if permission.needs == EDITOR:
        return f"editor of team '{team}'" if team else "editor of a team"
    return permission.needs


def allowed(actor: Actor | None, permission: Permission, team: str | None = None) -> bool:
    """May ``actor`` do ``permission`` (on ``team``'s things)? ``team`` None for an editor's
    permission asks whether the actor is editor of any team (what the page shows)."""
    if actor is None:
        return False
    if actor.unrestricted:
        return True
    roles = {g.role for g in actor.roles}
    if ADMIN in roles:
        return True
    if permission.needs == VIEWER:
        return bool(roles)
    if permission.needs == EDITOR:
        return any(g.role == EDITOR and (team is None or g.team == team) for g in actor.roles)
    return False


def authorize(actor: Actor | None, permission: Permission, team: str | None = None) -> None:
    """Return if ``actor`` may do ``permission`` on ``team``; else log and raise."""
    if actor is None:
        log.warning("denied: no identity, %s", permission.name)
        raise NotAuthenticated(f"sign-in needed to {permission.doing}", permission, team)
    if allowed(actor, permission, team):
        return
    needed = role_needed(permission, team)
    log.warning(
        "denied: %s, %s%s (needs %s)",
        actor.describe(),
        permission.name,
        f" on team {team}" if team else "",
        needed,
    )
    raise Forbidden(f"{needed} needed to {permission.doing}", permission, team)
