"""A model's panel: details, live pods and events, edit, delete, history with diff and rollback."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import run, ui

from barista_ui.app import Services
from barista_ui.records.registry import ModelRecord, RegistryError
from barista_ui.records.spec import RecordInvalid
from components.models.editor import ModelEditor
from components.theme import GPU_SHORT, current_user, exact


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if value == {}:
        return "{}"
    return str(value)


def open_panel(services: Services, record: ModelRecord, on_change: Callable[[], None]) -> None:
    spec = record.spec
    with (
        ui.dialog().props("position=right maximized-on-mobile") as dialog,
        ui.card().classes("w-[560px] max-w-[100vw] h-full barista-card"),
    ):
        dialog.mark("model-panel")
        with ui.row().classes("w-full items-start justify-between no-wrap"):
            with ui.column().classes("gap-0"):
                ui.label(spec.name).classes("text-xl font-semibold").mark("panel-name")
                ui.label(
                    f"{spec.namespace} · team {spec.team} · {spec.owner or 'no owner'}"
                ).classes("text-sm text-grey-7")
            ui.button(icon="close", on_click=dialog.close).props("flat round dense")
        if spec.description:
            ui.label(spec.description).classes("text-sm")
        extra = services.extras.get("panel_extras")
        if extra is not None:
            extra(record)
        res = spec.resources
        gpu = (
            f"{res.gpu.count}× {GPU_SHORT.get(res.gpu.type or '', res.gpu.type)}"
            if res.gpu.count
            else "none"
        )
        rows = [
            ("Image", spec.image),
            ("Model", f"{spec.model_uri or '—'} ({spec.model_version or 'no version'})"),
            ("Replicas", f"{spec.replicas}{'' if spec.enabled else ' (switched off)'}"),
            ("Requests", f"{res.requests.cpu} CPU, {res.requests.memory}"),
            ("Limits", f"{res.limits.cpu or '—'} CPU, {res.limits.memory or '—'}"),
            ("GPU", gpu),
            (
                "Autoscaling",
                f"{spec.autoscaling.min}–{spec.autoscaling.max} at {spec.autoscaling.target_cpu_percent}% CPU"
                if spec.autoscaling.enabled
                else "off",
            ),
            ("Env", ", ".join(f"{k}={v}" for k, v in spec.env.items()) or "—"),
            ("Labels", ", ".join(f"{k}={v}" for k, v in spec.labels.items()) or "—"),
            ("Version", f"{record.version} · updated {exact(record.updated_at)}"),
        ]
        with ui.grid(columns="auto 1fr").classes("gap-x-4 gap-y-1 text-sm w-full"):
            for k, v in rows:
                ui.label(k).classes("text-grey-7")
                ui.label(v).classes("break-all")

        def edit() -> None:
            dialog.close()
            ModelEditor(
                services, services.registry.get(spec.name, spec.namespace), lambda _r: on_change()
            )

        with ui.row().classes("gap-2 mt-2"):
            ui.button("Edit", icon="edit", on_click=edit).props("unelevated").mark("panel-edit")

            def history() -> None:
                dialog.close()
                open_history(services, record, on_change)

            ui.button("History", icon="history", on_click=history).props("outline").mark(
                "panel-history"
            )
            ui.button(
                "Delete",
                icon="delete",
                on_click=lambda: confirm_delete(services, record, dialog, on_change),
            ).props("outline color=negative").mark("panel-delete")
    dialog.open()


def confirm_delete(
    services: Services, record: ModelRecord, panel: ui.dialog, on_change: Callable[[], None]
) -> None:
    with ui.dialog() as d, ui.card().classes("max-w-md"):
        d.mark("delete-dialog")
        ui.label(f"Delete {record.namespace}/{record.name}?").classes("text-lg font-semibold")
        ui.label(
            "Its Kubernetes objects are removed too. The history is kept and a rollback "
            "recreates the model."
        ).classes("text-sm")
        typed = ui.input(f"Type {record.name} to confirm").props("dense outlined").classes("w-full")
        typed.mark("delete-confirm-name")

        async def do_delete() -> None:
            if typed.value.strip() != record.name:
                ui.notify("The name does not match", type="warning")
                return
            user = current_user()
            try:
                result = await run.io_bound(
                    lambda: services.models.delete(
                        record.namespace,
                        record.name,
                        actor=user,
                        source="ui",
                        expected_version=record.version,
                    )
                )
            except RegistryError as exc:  # refused by the cluster, changed or already gone
                ui.notify(f"Not deleted: {exc}", type="negative", multi_line=True)
                return
            if result.pending:
                ui.notify(result.notice, type="warning", multi_line=True)
            else:
                ui.notify(f"{record.namespace}/{record.name} deleted", type="positive")
            d.close()
            panel.close()
            on_change()

        with ui.row().classes("justify-end w-full"):
            ui.button("Cancel", on_click=d.close).props("flat")
            ui.button("Delete", on_click=do_delete).props("unelevated color=negative").mark(
                "delete-do"
            )
    d.open()


def open_history(services: Services, record: ModelRecord, on_change: Callable[[], None]) -> None:
    revisions = services.registry.history(record.name, record.namespace)
    numbers = [r.number for r in revisions]
    with (
        ui.dialog().props("maximized-on-mobile") as dialog,
        ui.card().classes("w-[900px] max-w-full barista-card"),
    ):
        dialog.mark("history-dialog")
        with ui.row().classes("w-full justify-between items-center"):
            ui.label(f"History of {record.namespace}/{record.name}").classes(
                "text-lg font-semibold"
            )
            ui.button(icon="close", on_click=dialog.close).props("flat round dense")
        columns = [
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
        rows = []
        for r in revisions:
            if r.snapshot is None:
                summary = "deleted"
            elif len(r.changes) > 3 or r.action == "create":
                summary = f"{len(r.changes)} fields"
            else:
                summary = ", ".join(
                    f"{c['field']}: {_fmt(c['old'])} → {_fmt(c['new'])}" for c in r.changes
                )
            rows.append(
                {
                    "number": r.number,
                    "action": r.action,
                    "who": f"{r.actor} ({r.source})",
                    "when": r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    "summary": summary,
                    "reason": r.reason,
                }
            )
        table = (
            ui.table(columns=columns, rows=rows, row_key="number")
            .props("dense flat")
            .classes("w-full")
        )
        table.mark("history-table")
        ui.separator()
        ui.label("Compare two revisions").classes("text-sm font-semibold")
        older = numbers[1] if len(numbers) > 1 else numbers[0]
        with ui.row().classes("items-center gap-2"):
            a = (
                ui.select(numbers, value=older, label="From")
                .props("dense outlined")
                .classes("w-28")
            )
            b = (
                ui.select(numbers, value=numbers[0], label="To")
                .props("dense outlined")
                .classes("w-28")
            )
            a.mark("diff-from")
            b.mark("diff-to")
        diff_box = ui.column().classes("w-full gap-0").mark("diff-box")

        def show_diff() -> None:
            diff_box.clear()
            changes = services.registry.diff(record.name, a.value, b.value, record.namespace)
            with diff_box:
                if not changes:
                    ui.label("No differences").classes("text-sm text-grey-7")
                    return
                with ui.grid(columns="minmax(140px, auto) 1fr 1fr").classes(
                    "w-full gap-x-3 gap-y-1 text-sm"
                ):
                    ui.label("Field").classes("font-semibold")
                    ui.label(f"Revision {a.value}").classes("font-semibold")
                    ui.label(f"Revision {b.value}").classes("font-semibold")
                    for c in changes:
                        ui.label(c["field"]).classes("mono")
                        ui.label(_fmt(c["old"])).classes("diff-old mono px-1 break-all")
                        ui.label(_fmt(c["new"])).classes("diff-new mono px-1 break-all")

        a.on_value_change(show_diff)
        b.on_value_change(show_diff)
        show_diff()
        ui.separator()
        with ui.row().classes("items-center gap-2"):
            target = (
                ui.select(
                    [r.number for r in revisions if r.snapshot is not None][1:] or numbers,
                    label="Roll back to revision",
                )
                .props("dense outlined")
                .classes("w-48")
            )
            target.mark("rollback-target")

            def rollback() -> None:
                if target.value is None:
                    ui.notify("Pick a revision first", type="warning")
                    return
                confirm_rollback(services, record, int(target.value), dialog, on_change)

            ui.button("Roll back", icon="undo", on_click=rollback).props("outline").mark(
                "rollback-button"
            )
    dialog.open()


def confirm_rollback(
    services: Services,
    record: ModelRecord,
    number: int,
    history: ui.dialog,
    on_change: Callable[[], None],
) -> None:
    with ui.dialog() as d, ui.card():
        d.mark("rollback-dialog")
        ui.label(f"Roll {record.name} back to revision {number}?").classes("text-lg font-semibold")
        ui.label("This creates a new revision with that revision's settings.").classes("text-sm")

        async def do() -> None:
            user = current_user()
            try:
                result = await run.io_bound(
                    lambda: services.models.rollback(
                        record.name, number, namespace=record.namespace, actor=user, source="ui"
                    )
                )
            except (RegistryError, RecordInvalid) as exc:
                ui.notify(f"Rollback failed: {exc}", type="negative", multi_line=True)
                return
            rec = result.record
            ui.notify(
                f"Rolled back to revision {number} (now version {rec.version})", type="positive"
            )
            if result.pending:
                ui.notify(result.notice, type="warning", multi_line=True)
            d.close()
            history.close()
            on_change()

        with ui.row().classes("justify-end w-full"):
            ui.button("Cancel", on_click=d.close).props("flat")
            ui.button("Yes, roll back", on_click=do).props("unelevated").mark("rollback-do")
    d.open()
