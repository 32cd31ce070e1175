"""The live part of a model's panel: the switch and stepper, ready/desired with the sync and health
chips, the fields that drifted (with who changed them), pods with the hint for what is wrong,
recent events with age and count, the console link and re-apply (read every second in a worker
thread); then the rollout history and the pod logs."""

from __future__ import annotations

from nicegui import run, ui

from barista_ui.cluster.status import StatusRow
from barista_ui.fleet import Fleet
from barista_ui.records.registry import ModelRecord, RegistryError
from barista_ui.records.replicas import replicas_text, step_refusal
from components.models import actions
from components.models.actions import OnDone, run_done
from components.models.drift_view import drift_view
from components.models.logs_view import logs_view
from components.models.rollout_view import rollout_view
from components.theme import HEALTH_COLOURS, SYNC_COLOURS
from components.widgets.pods import events_view, pods_view

REFRESH_S = 1.0


def panel_live(fleet: Fleet, record: ModelRecord, on_change: OnDone) -> None:
    if not fleet.connected:
        ui.label("No cluster connected: live pods and events are not available.").classes(
            "text-sm text-grey-7"
        )
        return
    controls = ui.row().classes("items-center gap-1").mark("panel-controls")
    box = ui.column().classes("w-full gap-1").mark("panel-live")
    _controls(fleet, record, controls, on_change)

    async def render() -> None:
        read = await run.io_bound(lambda: (fleet.status_row(record), fleet.live_of(record.key)))
        if read is None or box.is_deleted:  # None: the app is stopping
            return
        status, live = read
        if status is None:
            return
        box.clear()
        with box:
            _status_line(fleet, record, status)
            drift_view(status.drift)
            pods_view(live.pods if live else [])
            events_view(live.events if live else [])

    ui.timer(REFRESH_S, render)

    async def reapply() -> None:
        result = await run.io_bound(fleet.reapply, record.key)  # None: no cluster, or stopping
        if result is not None:
            ui.notify(
                f"{record.name}: {result.message}",
                type="positive" if result.ok else "negative",
                multi_line=True,
            )

    ui.button("Re-apply to cluster", icon="sync", on_click=reapply).props("flat dense").mark(
        "panel-reapply"
    )
    if fleet.objects is not None:
        rollout_view(fleet, record, on_change)
        logs_view(fleet, record)


def _status_line(fleet: Fleet, record: ModelRecord, status: StatusRow) -> None:
    with ui.row().classes("items-center gap-2"):
        ui.label(f"{status.ready}/{status.desired} ready").classes("font-medium").mark(
            "panel-ready"
        )
        ui.chip(status.status).props(
            f"dense square color={SYNC_COLOURS.get(status.status, 'grey-5')} text-color=white"
        ).mark("panel-sync")
        ui.chip(status.health).props(
            f"dense square color={HEALTH_COLOURS.get(status.health, 'grey-5')} text-color=white"
        ).mark("panel-health").tooltip(status.health_msg or status.health)
        ui.link("Open in cluster console", fleet.console_url(record), new_tab=True).classes(
            "text-sm"
        )
    if status.health_msg and status.health != "Healthy":
        ui.label(status.health_msg).classes("text-xs text-grey-8").mark("panel-health-msg")
    if status.message and not status.drift:  # drift has its own table below
        ui.label(status.message).classes("text-xs text-grey-8")


def _controls(fleet: Fleet, record: ModelRecord, row: ui.row, on_change: OnDone) -> None:
    """The switch and the stepper, drawn from the record as it is now (read off the loop)."""
    key = record.key

    async def changed() -> None:
        await render()
        await run_done(on_change)

    async def toggle(enabled: bool, was: bool) -> None:
        if enabled != was:
            await actions.switch(fleet, key, enabled, changed)

    async def render() -> None:
        try:
            current = await run.io_bound(fleet.get, key[0], key[1])
        except RegistryError:  # deleted meanwhile
            return
        if current is None or row.is_deleted:
            return
        spec = current.spec
        row.clear()
        with row:
            ui.switch(
                "On", value=spec.enabled, on_change=lambda e: toggle(bool(e.value), spec.enabled)
            ).props("dense").mark("panel-switch")
            ui.button(icon="remove", on_click=lambda: actions.step(fleet, key, -1, changed)).props(
                "flat dense round size=sm"
            ).mark("panel-minus")
            count = replicas_text(spec) if step_refusal(spec) else f"{spec.replicas} replica(s)"
            ui.label(count).classes("text-sm").mark("panel-replicas").tooltip(
                step_refusal(spec) or ""
            )
            ui.button(icon="add", on_click=lambda: actions.step(fleet, key, 1, changed)).props(
                "flat dense round size=sm"
            ).mark("panel-plus")

    ui.timer(0, render, once=True)
