"""Managed objects without a record (the ``app.kubernetes.io/managed-by=barista`` label, no
record): listed on the Cluster tab with Adopt (a record made from what runs, through the record
service: validated, a revision, applied) and Delete (after a confirmation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import run, ui

from barista_ui.access.roles import AccessDenied
from barista_ui.cluster.status import StatusRow
from barista_ui.fleet import Fleet
from barista_ui.records.registry import RegistryError
from barista_ui.records.spec import RecordInvalid
from components.theme import current_user
from k8s.gateway import GatewayError

Refresh = Callable[[], Awaitable[None]]
COLUMNS = ("model", "ready", "health", "actions")
ACTIONS_SLOT = r"""
<q-td :props="props" class="no-wrap">
  <q-btn flat dense size="sm" icon="add_link" label="Adopt"
    @click="$parent.$emit('adopt', props.row)" />
  <q-btn flat dense size="sm" color="negative" icon="delete" label="Delete"
    @click="$parent.$emit('delete', props.row)" />
</q-td>
"""


def unmanaged_row(row: StatusRow) -> dict[str, str]:
    return {
        "model": f"{row.namespace}/{row.name}",
        "ready": f"{row.ready}/{row.desired}",
        "health": row.health,
    }


def unmanaged_table(fleet: Fleet, rows: list[dict[str, str]], refresh: Refresh) -> None:
    ui.label(f"Managed objects without a record ({len(rows)})").classes("text-sm font-semibold")
    if not rows:
        ui.label("None: every managed Deployment has a record.").classes("text-xs text-grey-7")
        return
    cols = [{"name": k, "label": k.capitalize(), "field": k, "align": "left"} for k in COLUMNS]
    table = ui.table(columns=cols, rows=rows, row_key="model").props("dense flat bordered")
    table.classes("w-full").mark("cluster-unmanaged")
    table.add_slot("body-cell-actions", ACTIONS_SLOT)

    async def adopt(e) -> None:
        await adopt_object(fleet, _key(e.args), refresh)

    table.on("adopt", adopt)
    table.on("delete", lambda e: confirm_delete(fleet, _key(e.args), refresh))


def _key(args) -> tuple[str, str]:
    namespace, _, name = str((args or {}).get("model") or "").partition("/")
    return namespace, name


async def adopt_object(fleet: Fleet, key: tuple[str, str], refresh: Refresh) -> None:
    objects = fleet.objects
    if objects is None:
        return
    user = current_user()
    try:
        saved = await run.io_bound(lambda: objects.adopt(key, actor=user, source="ui"))
    except (RegistryError, RecordInvalid, GatewayError, AccessDenied) as exc:
        ui.notify(f"Not adopted: {exc}", type="negative", multi_line=True)
        return
    if saved is None:
        return
    ui.notify(f"{key[0]}/{key[1]} adopted: it now has a record", type="positive")
    await refresh()


def confirm_delete(fleet: Fleet, key: tuple[str, str], refresh: Refresh) -> None:
    with ui.dialog() as d, ui.card().classes("max-w-md"):
        d.mark("unmanaged-delete-dialog")
        ui.label(f"Delete {key[0]}/{key[1]} from the cluster?").classes("text-lg font-semibold")
        ui.label(
            "Its Deployment, Service and autoscaler are deleted. No record speaks for them, so "
            "there is no history to restore them from."
        ).classes("text-sm")

        async def go() -> None:
            objects = fleet.objects
            if objects is None:
                return
            user = current_user()
            try:
                result = await run.io_bound(lambda: objects.delete_unmanaged(key, actor=user))
            except (RegistryError, GatewayError, AccessDenied) as exc:
                ui.notify(f"Not deleted: {exc}", type="negative", multi_line=True)
                return
            if result is None:
                return
            d.close()
            ui.notify(f"{key[0]}/{key[1]} deleted ({result.writes} objects)", type="positive")
            await refresh()

        with ui.row().classes("justify-end w-full"):
            ui.button("Cancel", on_click=d.close).props("flat").mark("unmanaged-delete-cancel")
            ui.button("Delete", on_click=go).props("unelevated color=negative").mark(
                "unmanaged-delete-do"
            )
    d.open()
