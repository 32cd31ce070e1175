"""A revision diff: field, old value, new value (the history dialog and the Activity tab)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from components.theme import shown

Change = dict[str, Any]


def diff_view(box: ui.column, a: int | str, b: int | str, changes: list[Change]) -> None:
    """The changes as a grid; ``a``/``b`` are revision numbers (or a heading of their own)."""
    box.clear()
    with box:
        if not changes:
            ui.label("No differences").classes("text-sm text-grey-7")
            return
        with ui.grid(columns="minmax(140px, auto) 1fr 1fr").classes(
            "w-full gap-x-3 gap-y-1 text-sm"
        ):
            ui.label("Field").classes("font-semibold")
            for side in (a, b):
                ui.label(side if isinstance(side, str) else f"Revision {side}").classes(
                    "font-semibold"
                )
            for c in changes:
                ui.label(c["field"]).classes("mono")
                ui.label(shown(c["old"])).classes("diff-old mono px-1 break-all")
                ui.label(shown(c["new"])).classes("diff-new mono px-1 break-all")
