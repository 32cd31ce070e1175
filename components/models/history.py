"""A model's history: its revisions, the diff between any two, and a rollback (a new revision
with an old revision's settings). Every read and the rollback run in a worker thread."""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from barista_ui.access import roles
from barista_ui.access.roles import AccessDenied
from barista_ui.fleet import Fleet
from barista_ui.records.registry import ModelRecord, RegistryError, RevisionView
from barista_ui.records.secrets import mask_changes
from barista_ui.records.spec import RecordInvalid
from components.models.actions import OnDone, run_done
from components.theme import current_user, page_dialog, shown
from components.widgets.guard import guard

Change = dict[str, Any]
COLUMNS = [
    {"name": "number", "label": "Rev", "field": "number", "align": "left"},
    {"name": "action", "label": "Action", "field": "action", "align": "left"},
    {"name": "who", "label": "Who", "field": "who", "align": "left"},
    {"name": "when", "label": "When (UTC)", "field": "when", "align": "left"},
    {
        "name": "summary",
        "label": "Changes",
        "field": "summary",
        "align": "left",
        "classes": "ellipsis",
        "style": "max-width: 260px",
    },
    {"name": "reason", "label": "Reason", "field": "reason", "align": "left"},
]


def revision_row(r: RevisionView) -> dict[str, Any]:
    if r.snapshot is None:
        summary = "deleted"
    elif len(r.changes) > 3 or r.action == "create":
        summary = f"{len(r.changes)} fields"
    else:
        summary = ", ".join(
            f"{c['field']}: {shown(c['old'])} → {shown(c['new'])}" for c in mask_changes(r.changes)
        )
    return {
        "number": r.number,
        "action": r.action,
        "who": f"{r.actor} ({r.source})",
        "when": r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "summary": summary,
        "reason": r.reason,
    }


def _diff(fleet: Fleet, record: ModelRecord, a: int, b: int) -> list[Change]:
    return mask_changes(fleet.models.registry.diff(record.name, a, b, record.namespace))


def _first_read(fleet: Fleet, record: ModelRecord) -> tuple[list[RevisionView], list[Change]]:
    revisions = fleet.models.history(record.name, record.namespace)
    numbers = [r.number for r in revisions]
    older = numbers[1] if len(numbers) > 1 else numbers[0]
    return revisions, _diff(fleet, record, older, numbers[0])


async def open_history(fleet: Fleet, record: ModelRecord, on_change: OnDone) -> None:
    try:
        read = await run.io_bound(_first_read, fleet, record)
    except RegistryError as exc:
        ui.notify(str(exc), type="warning")
        return
    if read is None:  # the app is stopping
        return
    revisions, first_diff = read
    numbers = [r.number for r in revisions]
    with (
        page_dialog().props("maximized-on-mobile") as dialog,
        ui.card().classes("w-[900px] max-w-full barista-card"),
    ):
        dialog.mark("history-dialog")
        with ui.row().classes("w-full justify-between items-center"):
            ui.label(f"History of {record.namespace}/{record.name}").classes(
                "text-lg font-semibold"
            )
            ui.button(icon="close", on_click=dialog.close).props("flat round dense")
        ui.table(
            columns=COLUMNS, rows=[revision_row(r) for r in revisions], row_key="number"
        ).props("dense flat").classes("w-full").mark("history-table")
        ui.separator()
        _compare(fleet, record, numbers, first_diff)
        ui.separator()
        _rollback_row(fleet, record, revisions, dialog, on_change)
    dialog.open()


def _compare(fleet: Fleet, record: ModelRecord, numbers: list[int], first: list[Change]) -> None:
    ui.label("Compare two revisions").classes("text-sm font-semibold")
    older = numbers[1] if len(numbers) > 1 else numbers[0]
    with ui.row().classes("items-center gap-2"):
        a = ui.select(numbers, value=older, label="From").props("dense outlined").classes("w-28")
        b = ui.select(numbers, value=numbers[0], label="To").props("dense outlined").classes("w-28")
        a.mark("diff-from")
        b.mark("diff-to")
    box = ui.column().classes("w-full gap-0").mark("diff-box")

    async def show() -> None:
        changes = await run.io_bound(_diff, fleet, record, a.value, b.value)
        if changes is not None and not box.is_deleted:
            diff_view(box, a.value, b.value, changes)

    a.on_value_change(show)
    b.on_value_change(show)
    diff_view(box, older, numbers[0], first)


def diff_view(box: ui.column, a: int, b: int, changes: list[Change]) -> None:
    box.clear()
    with box:
        if not changes:
            ui.label("No differences").classes("text-sm text-grey-7")
            return
        with ui.grid(columns="minmax(140px, auto) 1fr 1fr").classes(
            "w-full gap-x-3 gap-y-1 text-sm"
        ):
            ui.label("Field").classes("font-semibold")
            ui.label(f"Revision {a}").classes("font-semibold")
            ui.label(f"Revision {b}").classes("font-semibold")
            for c in changes:
                ui.label(c["field"]).classes("mono")
                ui.label(shown(c["old"])).classes("diff-old mono px-1 break-all")
                ui.label(shown(c["new"])).classes("diff-new mono px-1 break-all")


def _rollback_row(
    fleet: Fleet,
    record: ModelRecord,
    revisions: list[RevisionView],
    history: ui.dialog,
    on_change: OnDone,
) -> None:
    restorable = [r.number for r in revisions if r.snapshot is not None][1:]
    with ui.row().classes("items-center gap-2"):
        target = (
            ui.select(restorable or [r.number for r in revisions], label="Roll back to revision")
            .props("dense outlined")
            .classes("w-48")
            .mark("rollback-target")
        )

        def rollback() -> None:
            if target.value is None:
                ui.notify("Pick a revision first", type="warning")
                return
            confirm_rollback(fleet, record, int(target.value), history, on_change)

        guard(
            ui.button("Roll back", icon="undo", on_click=rollback)
            .props("outline")
            .mark("rollback-button"),
            roles.MODELS_ROLLBACK,
            record.spec.team,
        )


def confirm_rollback(
    fleet: Fleet, record: ModelRecord, number: int, history: ui.dialog, on_change: OnDone
) -> None:
    with ui.dialog() as d, ui.card():
        d.mark("rollback-dialog")
        ui.label(f"Roll {record.name} back to revision {number}?").classes("text-lg font-semibold")
        ui.label("This creates a new revision with that revision's settings.").classes("text-sm")

        async def do() -> None:
            user = current_user()
            try:
                result = await run.io_bound(
                    lambda: fleet.models.rollback(
                        record.name, number, namespace=record.namespace, actor=user, source="ui"
                    )
                )
            except (RegistryError, RecordInvalid, AccessDenied) as exc:
                ui.notify(f"Rollback failed: {exc}", type="negative", multi_line=True)
                return
            if result is None:  # the app is stopping
                return
            ui.notify(
                f"Rolled back to revision {number} (now version {result.record.version})",
                type="positive",
            )
            if result.pending:
                ui.notify(result.notice, type="warning", multi_line=True)
            d.close()
            history.close()
            await run_done(on_change)

        with ui.row().classes("justify-end w-full"):
            ui.button("Cancel", on_click=d.close).props("flat")
            ui.button("Yes, roll back", on_click=do).props("unelevated").mark("rollback-do")
    d.open()
