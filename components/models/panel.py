"""A model's panel (a side sheet): details, its cost line, live pods/events/sync with the
switch, stepper and re-apply, and the edit, history and delete buttons."""

from __future__ import annotations

from nicegui import run, ui

from barista_ui.access import roles
from barista_ui.access.roles import AccessDenied
from barista_ui.fleet import Fleet
from barista_ui.records.registry import ModelRecord, RegistryError
from barista_ui.records.secrets import env_text
from components.models.actions import OnDone, run_done
from components.models.editor import open_editor
from components.models.history import open_history
from components.models.live import panel_live
from components.theme import current_user, exact, gpu_text, page_dialog
from components.widgets.cost_lines import panel_cost
from components.widgets.guard import guard


def details(record: ModelRecord) -> list[tuple[str, str]]:
    """The panel's "field: value" lines."""
    spec = record.spec
    res, scaling = spec.resources, spec.autoscaling
    return [
        ("Image", spec.image),
        ("Model", f"{spec.model_uri or '—'} ({spec.model_version or 'no version'})"),
        ("Replicas", f"{spec.replicas}{'' if spec.enabled else ' (switched off)'}"),
        ("Requests", f"{res.requests.cpu} CPU, {res.requests.memory}"),
        ("Limits", f"{res.limits.cpu or '—'} CPU, {res.limits.memory or '—'}"),
        ("GPU", gpu_text(res.gpu.count, res.gpu.type, none="none")),
        (
            "Autoscaling",
            f"{scaling.min}–{scaling.max} at {scaling.target_cpu_percent}% CPU"
            if scaling.enabled
            else "off",
        ),
        ("Env", env_text(spec.env, mask=True).replace("\n", ", ") or "—"),
        ("Labels", ", ".join(f"{k}={v}" for k, v in spec.labels.items()) or "—"),
        ("Version", f"{record.version} · updated {exact(record.updated_at)}"),
    ]


def open_panel(fleet: Fleet, record: ModelRecord, on_change: OnDone) -> None:
    spec = record.spec
    with (
        page_dialog().props("position=right maximized-on-mobile") as dialog,
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
        panel_cost(fleet.cost, record)
        panel_live(fleet, record, on_change)
        with ui.grid(columns="auto 1fr").classes("gap-x-4 gap-y-1 text-sm w-full"):
            for k, v in details(record):
                ui.label(k).classes("text-grey-7")
                ui.label(v).classes("break-all")
        _buttons(fleet, record, dialog, on_change)
    dialog.open()


def _buttons(fleet: Fleet, record: ModelRecord, dialog: ui.dialog, on_change: OnDone) -> None:
    async def edit() -> None:
        try:
            current = await run.io_bound(fleet.get, record.namespace, record.name)
        except RegistryError as exc:  # deleted meanwhile
            ui.notify(str(exc), type="warning")
            return
        if current is None:
            return
        await open_editor(fleet, current, on_change)
        dialog.close()

    async def history() -> None:
        await open_history(fleet, record, on_change)
        dialog.close()

    with ui.row().classes("gap-2 mt-2"):
        team = record.spec.team
        guard(
            ui.button("Edit", icon="edit", on_click=edit).props("unelevated").mark("panel-edit"),
            roles.MODELS_EDIT,
            team,
        )
        ui.button("History", icon="history", on_click=history).props("outline").mark(
            "panel-history"
        )
        delete = ui.button(
            "Delete",
            icon="delete",
            on_click=lambda: confirm_delete(fleet, record, dialog, on_change),
        )
        guard(
            delete.props("outline color=negative").mark("panel-delete"), roles.MODELS_DELETE, team
        )


def confirm_delete(fleet: Fleet, record: ModelRecord, panel: ui.dialog, on_change: OnDone) -> None:
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
                    lambda: fleet.models.delete(
                        record.namespace,
                        record.name,
                        actor=user,
                        source="ui",
                        expected_version=record.version,
                    )
                )
            except (RegistryError, AccessDenied) as exc:  # refused, changed or already gone
                ui.notify(f"Not deleted: {exc}", type="negative", multi_line=True)
                return
            if result is None:  # the app is stopping
                return
            if result.pending:
                ui.notify(result.notice, type="warning", multi_line=True)
            else:
                ui.notify(f"{record.namespace}/{record.name} deleted", type="positive")
            d.close()
            panel.close()
            await run_done(on_change)

        with ui.row().classes("justify-end w-full"):
            ui.button("Cancel", on_click=d.close).props("flat")
            ui.button("Delete", on_click=do_delete).props("unelevated color=negative").mark(
                "delete-do"
            )
    d.open()
