"""A model's rollout history in its panel: the ReplicaSets the cluster keeps (revision, image,
age, pods) and "Roll back to this one", a record rollback to the record revision that ran that
image (so the roll back is a revision like any other, and the reconciler applies it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nicegui import run, ui

from barista_ui.access.roles import AccessDenied
from barista_ui.cluster.objects import HistoryLine
from barista_ui.fleet import Fleet
from barista_ui.records.registry import ModelRecord, RegistryError
from components.models.actions import OnDone, run_done
from components.theme import current_user
from components.widgets.pods import age_text


def history_rows(lines: list[HistoryLine], now: datetime) -> list[dict[str, Any]]:
    """One row per ReplicaSet, newest first, with the record revision it maps to."""
    rows = []
    for line in lines:
        r = line.rollout
        created = datetime.fromisoformat(r.created.replace("Z", "+00:00")) if r.created else None
        rows.append(
            {
                "revision": r.revision,
                "image": r.image,
                "age": age_text((now - created).total_seconds()) if created else "—",
                "pods": f"{r.ready}/{r.replicas}",
                "record": f"record v{line.record_revision.number}" if line.record_revision else "—",
                "current": r.current,
            }
        )
    return rows


def rollout_view(fleet: Fleet, record: ModelRecord, on_change: OnDone) -> None:
    ui.label("Rollout history").classes("text-sm font-semibold mt-2")
    box = ui.column().classes("w-full gap-1").mark("panel-rollouts")

    async def load() -> None:
        objects = fleet.objects
        if objects is None:
            return
        error = ""
        try:
            lines = await run.io_bound(objects.history, record.key)
        except Exception as exc:  # a cluster error: say it where the history would be
            lines = None
            error = str(exc)
        if box.is_deleted:
            return
        box.clear()
        with box:
            if lines is None:
                ui.label(f"Cannot read the rollout history: {error}").classes(
                    "text-xs text-negative"
                )
                return
            if not lines:
                ui.label("No ReplicaSets").classes("text-xs text-grey-7")
            for line, row in zip(lines, history_rows(lines, datetime.now(UTC)), strict=True):
                _line(fleet, record, line, row, on_change)

    ui.button("Load history", icon="history", on_click=load).props("flat dense").mark(
        "panel-load-rollouts"
    )


def _line(
    fleet: Fleet, record: ModelRecord, line: HistoryLine, row: dict[str, Any], on_change: OnDone
) -> None:
    with ui.row().classes("items-center gap-2 text-xs w-full no-wrap"):
        ui.label(f"#{row['revision']}").classes("font-medium")
        ui.label(row["image"]).classes("mono break-all")
        ui.label(f"{row['age']} · pods {row['pods']} · {row['record']}").classes("text-grey-7")
        if row["current"]:
            ui.badge("current", color="positive")
        elif line.record_revision is not None:
            ui.button(
                "Roll back to this one",
                on_click=lambda: confirm_roll_back(fleet, record, line, on_change),
            ).props("flat dense size=sm").mark(f"rollback-{row['revision']}")


def confirm_roll_back(
    fleet: Fleet, record: ModelRecord, line: HistoryLine, on_change: OnDone
) -> None:
    target = line.record_revision
    if target is None:
        return
    with ui.dialog() as d, ui.card().classes("max-w-md"):
        d.mark("rollback-dialog")
        ui.label(f"Roll back to rollout #{line.rollout.revision}?").classes("text-lg font-semibold")
        ui.label(
            f"The record goes back to its revision {target.number} (image {line.rollout.image}), "
            "all its fields as they were then; saved as a new revision and applied."
        ).classes("text-sm")

        async def do() -> None:
            objects = fleet.objects
            if objects is None:
                return
            user = current_user()
            try:
                saved = await run.io_bound(
                    lambda: objects.roll_back(record.key, line.rollout, actor=user, source="ui")
                )
            except (RegistryError, AccessDenied) as exc:
                ui.notify(f"Not rolled back: {exc}", type="negative", multi_line=True)
                return
            if saved is None:
                return
            ui.notify(
                f"{record.name} rolled back to record revision {target.number}", type="positive"
            )
            d.close()
            await run_done(on_change)

        with ui.row().classes("justify-end w-full"):
            ui.button("Cancel", on_click=d.close).props("flat")
            ui.button("Roll back", on_click=do).props("unelevated").mark("rollback-do")
    d.open()
