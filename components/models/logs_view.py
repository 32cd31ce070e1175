"""A model's pod logs in its panel: the last 200 lines of one pod's model container, read through
the cluster's ``pods/log``, with a follow switch that re-reads them every few seconds."""

from __future__ import annotations

from nicegui import run, ui

from barista_ui.fleet import Fleet
from barista_ui.records.registry import ModelRecord

FOLLOW_S = 2.0
LINES = 200


def logs_view(fleet: Fleet, record: ModelRecord) -> None:
    ui.label("Pod logs").classes("text-sm font-semibold mt-2")
    live = fleet.live_of(record.key)
    pods = [p.name for p in live.pods] if live else []
    if not pods:
        ui.label("No pods").classes("text-xs text-grey-7")
        return
    with ui.row().classes("items-center gap-2 w-full"):
        pick = ui.select(pods, value=pods[0]).props("dense outlined").classes("min-w-[220px]")
        pick.mark("logs-pod")
        follow = ui.switch("Follow").props("dense").mark("logs-follow")
    out = ui.log(max_lines=LINES).classes("w-full h-56 text-xs").mark("panel-logs")

    async def load() -> None:
        objects = fleet.objects
        if objects is None or not pick.value:
            return
        try:
            lines = await run.io_bound(
                lambda: objects.logs(record.namespace, pick.value, tail=LINES)
            )
        except Exception as exc:  # the pod went away, the cluster refused: say it in the box
            lines = [f"cannot read the logs: {exc}"]
        if lines is None or out.is_deleted:
            return
        out.clear()
        for line in lines or ["(no output)"]:
            out.push(line)

    async def followed() -> None:
        if follow.value:
            await load()

    pick.on_value_change(load)
    ui.button("Load logs", icon="article", on_click=load).props("flat dense").mark("logs-load")
    ui.timer(FOLLOW_S, followed)
