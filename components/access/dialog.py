"""The Access dialog, opened from the user menu: API tokens (create, shown once; list; revoke
— everyone their own, admins everyone's) and role bindings (list, grant, revoke — admins). What
the user may not do is not offered; the service checks every call again."""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from barista_ui.access import roles
from barista_ui.access.actor import Actor
from barista_ui.access.bindings import AccessError
from barista_ui.access.roles import AccessDenied, allowed
from barista_ui.access.service import AccessService
from components.theme import current_user, page_dialog
from components.widgets.guard import needed_text

TOKEN_COLUMNS = [
    {"name": "id", "label": "ID", "field": "id", "align": "left"},
    {"name": "owner", "label": "Owner", "field": "owner", "align": "left"},
    {"name": "name", "label": "Name", "field": "name", "align": "left"},
    {"name": "prefix", "label": "Starts with", "field": "prefix", "align": "left"},
    {"name": "state", "label": "State", "field": "state", "align": "left"},
    {"name": "expires", "label": "Expires", "field": "expires", "align": "left"},
    {"name": "used", "label": "Last used", "field": "used", "align": "left"},
    {"name": "revoke", "label": "", "field": "id"},
]
BINDING_COLUMNS = [
    {"name": "subject", "label": "Subject", "field": "subject", "align": "left"},
    {"name": "role", "label": "Role", "field": "role", "align": "left"},
    {"name": "team", "label": "Team", "field": "team", "align": "left"},
    {"name": "by", "label": "Granted by", "field": "by", "align": "left"},
    {"name": "revoke", "label": "", "field": "key"},
]
REVOKE_SLOT = r"""
<q-td :props="props" auto-width>
  <q-btn v-if="props.row.revocable" flat dense size="sm" color="negative" label="Revoke"
    @click="$parent.$emit('revoke', props.row)" />
</q-td>
"""


def open_access_dialog(access: AccessService) -> None:
    user = current_user()
    dialog = page_dialog()
    with dialog, ui.card().classes("w-[56rem] max-w-full").mark("access-dialog"):
        with ui.row().classes("w-full items-center"):
            ui.label("Access").classes("text-lg font-semibold")
            ui.space()
            ui.button(icon="close", on_click=dialog.close).props("flat round dense")
        ui.label(f"Signed in as {user.describe()}").classes("text-sm text-grey-8").mark(
            "access-whoami"
        )
        TokensSection(access, user).build()
        BindingsSection(access, user).build()
    dialog.open()


def _when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else ""


async def _call(fn: Any) -> Any:
    """Run a service call in a worker thread; a refusal is shown, not raised."""
    try:
        return await run.io_bound(fn)
    except (AccessError, AccessDenied) as exc:
        ui.notify(str(exc), type="negative")
        return None


class TokensSection:
    def __init__(self, access: AccessService, user: Actor):
        self.access, self.user = access, user
        self.everyone = allowed(user, roles.TOKENS_ALL)

    def build(self) -> None:
        ui.label("API tokens").classes("text-base font-semibold mt-2")
        if not allowed(self.user, roles.TOKENS_OWN):
            ui.label(needed_text(roles.TOKENS_OWN)).classes("text-sm text-grey-7")
            return
        with ui.row().classes("items-end gap-2"):
            self.name = ui.input("Token name").props("dense outlined").mark("token-name")
            self.days = ui.number("Days", value=self.access.token_days, min=1, max=3650)
            self.days.props("dense outlined").classes("w-24").mark("token-days")
            ui.button("Create token", icon="key", on_click=self.create).props("unelevated").mark(
                "token-create"
            )
        self.shown = ui.column().classes("w-full")
        self.table = ui.table(columns=TOKEN_COLUMNS, rows=[], row_key="id").props("flat dense")
        self.table.classes("w-full").mark("token-table")
        self.table.add_slot("body-cell-revoke", REVOKE_SLOT)
        self.table.on("revoke", lambda e: self.revoke(int(e.args["id"])))
        ui.timer(0, self.refresh, once=True)

    async def refresh(self) -> None:
        tokens = await _call(lambda: self.access.tokens(actor=self.user, everyone=self.everyone))
        if tokens is None or self.table.is_deleted:
            return
        now = self.access.clock()
        self.table.rows = [
            {
                "id": t.id,
                "owner": t.owner,
                "name": t.name,
                "prefix": t.prefix + "…",
                "state": t.state(now),
                "expires": _when(t.expires_at) or "never",
                "used": _when(t.last_used_at) or "never",
                "revocable": t.state(now) == "active",
            }
            for t in tokens
        ]
        self.table.update()

    async def create(self) -> None:
        name, days = (self.name.value or "").strip(), int(self.days.value or 0)
        made = await _call(lambda: self.access.create_token(name, actor=self.user, days=days))
        if made is None:
            return
        self.shown.clear()
        with self.shown, ui.card().classes("w-full bg-amber-1"):
            ui.label("Copy it now: it is shown this once and never stored.").classes("text-sm")
            ui.input(value=made.secret).props("readonly dense outlined").classes(
                "w-full mono"
            ).mark("token-secret")
        self.name.value = ""
        await self.refresh()

    async def revoke(self, token_id: int) -> None:
        done = await _call(lambda: self.access.revoke_token(token_id, actor=self.user))
        if done is not None:
            ui.notify(f"token '{done.name}' revoked", type="positive")
            await self.refresh()


class BindingsSection:
    def __init__(self, access: AccessService, user: Actor):
        self.access, self.user = access, user

    def build(self) -> None:
        ui.label("Roles").classes("text-base font-semibold mt-4")
        admin = allowed(self.user, roles.ACCESS_MANAGE)
        if not admin:
            ui.label(needed_text(roles.ACCESS_MANAGE)).classes("text-sm text-grey-7").mark(
                "bindings-locked"
            )
            return
        with ui.row().classes("items-end gap-2"):
            self.subject = ui.input("user:EMAIL or group:NAME").props("dense outlined")
            self.subject.classes("w-72").mark("grant-subject")
            self.role = ui.select(list(roles.ROLES), value=roles.VIEWER, label="Role")
            self.role.props("dense outlined").classes("w-32").mark("grant-role")
            self.team = ui.input("Team (editor)").props("dense outlined").mark("grant-team")
            ui.button("Grant", icon="add", on_click=self.grant).props("unelevated").mark(
                "grant-button"
            )
        self.table = ui.table(columns=BINDING_COLUMNS, rows=[], row_key="key").props("flat dense")
        self.table.classes("w-full").mark("binding-table")
        self.table.add_slot("body-cell-revoke", REVOKE_SLOT)
        self.table.on("revoke", lambda e: self.revoke(e.args))
        ui.timer(0, self.refresh, once=True)

    async def refresh(self) -> None:
        found = await _call(self.access.bindings)
        if found is None or self.table.is_deleted:
            return
        self.table.rows = [
            {
                "key": f"{b.subject}|{b.role}|{b.team}",
                "subject": b.subject,
                "role": b.role,
                "team": b.team,
                "by": b.created_by,
                "revocable": True,
            }
            for b in found
        ]
        self.table.update()

    async def grant(self) -> None:
        subject, role = (self.subject.value or "").strip(), str(self.role.value)
        team = (self.team.value or "").strip() or None
        done = await _call(lambda: self.access.grant(subject, role, team, actor=self.user))
        if done is not None:
            ui.notify(f"{subject}: {role} {'granted' if done else 'held already'}")
            await self.refresh()

    async def revoke(self, row: dict[str, Any]) -> None:
        subject, role, team = row["subject"], row["role"], row["team"] or None
        await _call(lambda: self.access.revoke(subject, role, team, actor=self.user))
        await self.refresh()
