"""The header's user menu (who you are; in ``none`` mode the name recorded with your changes;
the Access dialog) and the page's gate in proxy mode (no identity, or no role: no page)."""

from __future__ import annotations

from nicegui import ui

from barista_ui.access import roles
from barista_ui.access.roles import allowed
from barista_ui.access.service import AccessService
from components.access.dialog import open_access_dialog
from components.theme import ANONYMOUS, current_user, set_current_user, typed_name, typed_names


def page_allowed() -> bool:
    """Show the page? In proxy mode a request without an identity, or an identity without any
    role, gets a one-line explanation instead."""
    if typed_names():
        return True
    user = current_user()
    if user is ANONYMOUS:
        ui.label(
            "Sign-in needed: open Barista through its sign-in proxy (no identity came with "
            "this request)."
        ).classes("p-6 text-lg").mark("sign-in-needed")
        return False
    if not allowed(user, roles.READ):
        ui.label(
            f"{user.name} has no role in Barista: ask an admin for one "
            "(barista access grant user:EMAIL viewer)."
        ).classes("p-6 text-lg").mark("no-role")
        return False
    return True


def user_menu(access: AccessService | None) -> None:
    with ui.button(icon="person").props("flat round dense color=white").mark("user-button"):
        with ui.menu(), ui.column().classes("p-3"):
            if typed_names():
                ui.label("Your name (recorded with your changes)").classes("text-xs text-grey-7")
                ui.input(value=typed_name(), on_change=lambda e: set_current_user(e.value)).props(
                    "dense outlined maxlength=254"
                ).mark("user-name")
            else:
                ui.label(f"Signed in as {current_user().describe()}").classes("text-sm").mark(
                    "signed-in-as"
                )
            if access is not None:
                ui.button(
                    "Access and API tokens", icon="key", on_click=lambda: open_access_dialog(access)
                ).props("flat dense no-caps").mark("open-access")
