"""The Cluster tab: sync status counts, the models that need attention (and why), managed
objects without a record, and re-applying everything. Read in a worker thread every 5 s."""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import run, ui

from barista_ui.cluster.status import STATUSES, StatusRow
from barista_ui.fleet import Fleet
from barista_ui.records.registry import ModelRecord
from components.theme import SYNC_COLOURS
from components.widgets.pods import explain_reason

REFRESH_S = 5.0
PROBLEM_COLUMNS = ("model", "team", "status", "ready", "reasons", "detail")
# on a phone: no team or reasons column (the detail says it), and room for the detail to wrap
PROBLEM_STYLE = {
    "team": {"classes": "gt-xs", "headerClasses": "gt-xs"},
    "reasons": {"classes": "gt-xs", "headerClasses": "gt-xs"},
    "detail": {"style": "min-width: 220px"},
}


@dataclass(frozen=True)
class Overview:
    records: int
    counts: dict[str, int]  # status rows per status (records and managed objects without one)
    problems: list[dict[str, str]]  # the "Needs attention" rows


def build_cluster_tab(fleet: Fleet) -> None:
    if not fleet.connected:
        ui.label(fleet.cluster.error or "No cluster is connected (BARISTA_CLUSTER=none).").classes(
            "text-sm text-grey-7"
        )
        return
    box = ui.column().classes("w-full gap-3").mark("cluster-overview")

    async def render() -> None:
        overview = await run.io_bound(collect_overview, fleet)
        if overview is not None and not box.is_deleted:
            box.clear()
            with box:
                _show(fleet, overview)

    async def apply_all() -> None:
        results = await run.io_bound(fleet.reapply_all)
        if results is None:
            return
        failed = [r for r in results if not r.ok]
        writes = sum(r.writes for r in results)
        ui.notify(
            f"Applied {len(results)} models: {writes} writes, {len(failed)} failed",
            type="negative" if failed else "positive",
        )
        await render()

    with ui.row().classes("gap-2"):
        ui.button("Re-apply all records", icon="sync", on_click=apply_all).props("outline").mark(
            "apply-all"
        )
        ui.button("Refresh", icon="refresh", on_click=render).props("flat")
    ui.timer(REFRESH_S, render)  # its first run is at once


def _show(fleet: Fleet, overview: Overview) -> None:
    kind = "simulated cluster" if fleet.cluster.kind == "simulator" else "cluster"
    ui.label(f"{overview.records} models on the {kind}").classes("text-base font-semibold")
    counts = overview.counts
    with ui.row().classes("gap-2"):
        for name in STATUSES:
            if name == "Unknown" or (name in ("Pending", "Retrying") and not counts.get(name)):
                continue
            ui.chip(f"{name}: {counts.get(name, 0)}").props(
                f"square color={SYNC_COLOURS[name]} text-color=white"
            ).mark(f"count-{name}")
    cols = [
        {
            "name": k,
            "label": k.capitalize(),
            "field": k,
            "align": "left",
            **PROBLEM_STYLE.get(k, {}),
        }
        for k in PROBLEM_COLUMNS
    ]
    ui.label("Needs attention").classes("text-sm font-semibold")
    ui.table(columns=cols, rows=overview.problems, row_key="model", pagination=25).props(
        "dense flat bordered wrap-cells"
    ).classes("w-full").mark("cluster-problems")


def collect_overview(fleet: Fleet) -> Overview:
    """Records, status counts and the rows that need attention (reads the database)."""
    records = fleet.list_models()
    rows = fleet.status_rows(records)
    counts: dict[str, int] = {}
    for row in rows.values():
        counts[row.status] = counts.get(row.status, 0) + 1
    problems = [
        problem_row(fleet, rec, rows[rec.key])
        for rec in records
        if rows[rec.key].reasons or rows[rec.key].status != "Synced"
    ]
    return Overview(len(records), counts, problems)


def problem_row(fleet: Fleet, rec: ModelRecord, row: StatusRow) -> dict[str, str]:
    """One line of the "Needs attention" table."""
    live = fleet.live_of(rec.key)
    return {
        "model": f"{rec.namespace}/{rec.name}",
        "team": rec.spec.team,
        "status": row.status,
        "ready": f"{row.ready}/{row.desired}" if live else "—",
        "reasons": ", ".join(row.reasons),
        "detail": row.message or (explain_reason(live.pods) if live else ""),
    }
