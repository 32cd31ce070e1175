"""The drift of a model as its panel shows it: each differing field with the record's value, the
live value and who changed it and when (from the cluster's managedFields)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from k8s.drift import Difference, shown

DRIFT_COLUMNS = (
    ("field", "Field"),
    ("record", "Record"),
    ("live", "Live"),
    ("who", "Changed by"),
)


def drift_rows(drift: list[Difference]) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "field": d.field,
            "record": shown(d.record),
            "live": shown(d.live),
            "who": f"{d.manager} at {d.time}" if d.manager and d.time else d.manager or "—",
        }
        for i, d in enumerate(drift)
    ]


def drift_view(drift: list[Difference]) -> None:
    """The table of differing fields (nothing when in sync)."""
    if not drift:
        return
    ui.label("Differs from the record (Re-apply puts the record back)").classes(
        "text-sm font-semibold mt-1"
    )
    cols = [{"name": k, "label": label, "field": k, "align": "left"} for k, label in DRIFT_COLUMNS]
    ui.table(columns=cols, rows=drift_rows(drift), row_key="id").props(
        "dense flat wrap-cells"
    ).classes("w-full text-xs").mark("panel-drift")
