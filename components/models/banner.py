"""The "going to sleep soon" banner: 15 minutes before the current user's models are scaled
down by their schedule, with a snooze (keep them up one more hour). Read off the event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from nicegui import run, ui

from barista_ui.access.actor import Actor
from barista_ui.fleet import Fleet
from barista_ui.records.registry import ModelRecord
from barista_ui.schedule.language import zone
from components.theme import current_user

CHECK_EVERY_S = 30.0


def banner(fleet: Fleet) -> None:
    box = ui.column().classes("w-full px-4 pt-2").mark("downscale-banner")

    async def render() -> None:
        user = current_user()
        soon = await run.io_bound(fleet.upcoming_scale_downs, user.name, datetime.now(UTC))
        if soon is None or box.is_deleted:
            return
        box.clear()
        if soon:
            with box:
                _show(fleet, soon, user, render)

    ui.timer(CHECK_EVERY_S, render)  # its first run is at once


def _show(
    fleet: Fleet,
    soon: list[tuple[ModelRecord, datetime]],
    user: Actor,
    render: Callable[[], Awaitable[None]],
) -> None:
    names = ", ".join(
        f"{r.name} at {t.astimezone(zone(fleet.timezone_of(r))):%H:%M}" for r, t in soon
    )

    async def snooze() -> None:
        keys = [r.key for r, _ in soon]
        n = await run.io_bound(lambda: fleet.snooze(keys, actor=user, now=datetime.now(UTC)))
        if n is None:
            return
        ui.notify(f"Kept {n} model(s) up for another hour", type="positive")
        await render()

    with ui.row().classes("w-full items-center gap-3 bg-amber-2 text-brown-10 rounded p-2"):
        ui.icon("bedtime")
        ui.label(f"Going to sleep soon: {names}").classes("text-sm grow")
        ui.button("Snooze 1 h", on_click=snooze).props("flat dense").mark("banner-snooze")
