"""Controls the current user may not use: disabled, with a tooltip naming the role needed
(the services refuse anyway; this keeps the page honest about it)."""

from __future__ import annotations

from typing import TypeVar

from nicegui import ui

from barista_ui.access.roles import Permission, allowed, role_needed
from components.theme import current_user

E = TypeVar("E", bound=ui.element)


def may(permission: Permission, team: str | None = None) -> bool:
    return allowed(current_user(), permission, team)


def needed_text(permission: Permission, team: str | None = None) -> str:
    """ "editor of team 'vision' needed to scale models"."""
    return f"{role_needed(permission, team)} needed to {permission.doing}"


def guard(element: E, permission: Permission, team: str | None = None) -> E:
    """Disable ``element`` unless the current user may do ``permission`` (on ``team``)."""
    if not may(permission, team):
        element.disable()
        element.tooltip(needed_text(permission, team))
        element.props(f'data-needs="{role_needed(permission, team)}"')
    return element
