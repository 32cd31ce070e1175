"""The panel of a stored row that no longer validates (a schedule saved before schedules were
checked, a value written around Barista): it names the problem and offers the two ways out,
fixing the record as YAML or deleting it. Nothing acts on such a row until then."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from barista_ui.access.actor import Actor
from barista_ui.fleet import Fleet
from barista_ui.records.file_format import FileFormatError, dump_records_yaml, load_record_yaml
from barista_ui.records.registry import RegistryError, UnreadableRecord
from barista_ui.records.service import Deleted, Saved
from barista_ui.records.spec import RecordInvalid
from components.theme import current_user, page_dialog

OnDone = Callable[[], Awaitable[None]]

EXPLAIN = (
    "This record is stored with values that are no longer valid (saved before a check existed, "
    "or written around Barista). Barista does not apply, schedule or cost it until it is fixed; "
    "its Kubernetes objects are left as they run. Fix the values below and save, or delete it."
)


def open_unreadable_panel(fleet: Fleet, record: UnreadableRecord, on_change: OnDone) -> None:
    with (
        page_dialog().props("position=right maximized-on-mobile") as dialog,
        ui.card().classes("w-[560px] max-w-[100vw] h-full barista-card"),
    ):
        dialog.mark("unreadable-panel")
        with ui.row().classes("w-full items-start justify-between no-wrap"):
            with ui.column().classes("gap-0"):
                ui.label(record.name).classes("text-xl font-semibold").mark("panel-name")
                ui.label(f"{record.namespace} · team {record.team}").classes("text-sm text-grey-7")
            ui.button(icon="close", on_click=dialog.close).props("flat round dense")
        with ui.row().classes("items-center gap-2 no-wrap"):
            ui.badge("error", color="negative")
            ui.label(record.problem).classes("text-negative text-sm").mark("unreadable-problem")
        ui.label(EXPLAIN).classes("text-sm")
        text = ui.textarea(value=dump_records_yaml([record.stored])).props("outlined autogrow")
        text.classes("w-full mono text-xs").mark("unreadable-yaml")
        errors = ui.label("").classes("text-negative text-sm whitespace-pre-line")
        errors.mark("unreadable-errors")

        async def save() -> None:
            user = current_user()  # on the event loop: the per-browser storage is here
            try:
                saved = await run.io_bound(_fix, fleet, record, text.value, user)
            except (FileFormatError, RecordInvalid, RegistryError) as exc:
                errors.text = _messages(exc)
                return
            if saved is None:  # the app is stopping
                return
            ui.notify(saved.notice or f"{record.namespace}/{record.name} fixed", type="positive")
            dialog.close()
            await on_change()

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button(
                "Delete",
                icon="delete",
                on_click=lambda: _confirm_delete(fleet, record, dialog, on_change),
            ).props("outline color=negative").mark("unreadable-delete")
            ui.button("Save fixed record", icon="save", on_click=save).props("unelevated").mark(
                "unreadable-save"
            )
    dialog.open()


def _fix(fleet: Fleet, record: UnreadableRecord, text: str, actor: Actor) -> Saved:
    data = load_record_yaml(text)  # the one safe parser, off the event loop
    return fleet.models.update(
        record.namespace,
        record.name,
        data,
        expected_version=record.version,
        actor=actor,
        source="ui",
        reason="fixed a record stored with values no longer valid",
    )


def _messages(exc: Exception) -> str:
    if isinstance(exc, RecordInvalid):
        return "\n".join(str(e) for e in exc.errors)
    return str(exc)


def _confirm_delete(
    fleet: Fleet, record: UnreadableRecord, panel: ui.dialog, on_change: OnDone
) -> None:
    with ui.dialog() as d, ui.card().classes("max-w-md"):
        d.mark("delete-dialog")
        ui.label(f"Delete {record.namespace}/{record.name}?").classes("text-lg font-semibold")
        ui.label("Its Kubernetes objects are removed too. The history is kept.").classes("text-sm")

        async def do_delete() -> None:
            user = current_user()
            try:
                result: Any = await run.io_bound(
                    lambda: fleet.models.delete(
                        record.namespace,
                        record.name,
                        actor=user,
                        source="ui",
                        expected_version=record.version,
                    )
                )
            except RegistryError as exc:
                ui.notify(f"Not deleted: {exc}", type="negative", multi_line=True)
                return
            if isinstance(result, Deleted):
                ui.notify(result.notice or f"{record.namespace}/{record.name} deleted")
            d.close()
            panel.close()
            await on_change()

        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=d.close).props("flat")
            ui.button("Delete", on_click=do_delete).props("unelevated color=negative").mark(
                "delete-confirm"
            )
    d.open()
