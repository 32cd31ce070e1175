"""The Cluster tab: sync status counts, the models that need attention (and why), managed
objects without a record, and re-applying everything."""

from __future__ import annotations

from nicegui import run, ui

from barista_ui.app import Services
from barista_ui.cluster.status import STATUSES, StatusRow
from barista_ui.records.registry import ModelRecord
from components.cluster.live_view import SYNC_COLOURS, explain_reason


def build_cluster_tab(services: Services) -> None:
    """Overview for on-call: sync status counts, models with problems, managed objects without
    a record, and re-applying everything."""
    reconciler = services.reconciler
    if reconciler is None:
        ui.label(
            services.cluster_error or "No cluster is connected (BARISTA_CLUSTER=none)."
        ).classes("text-sm text-grey-7")
        return
    box = ui.column().classes("w-full gap-3").mark("cluster-overview")

    async def render() -> None:
        n_records, counts, problems = await run.io_bound(collect_overview, services)
        if box.is_deleted:
            return
        box.clear()
        with box:
            kind = "simulated cluster" if services.cluster_kind == "simulator" else "cluster"
            ui.label(f"{n_records} models on the {kind}").classes("text-base font-semibold")
            with ui.row().classes("gap-2"):
                for name in STATUSES:
                    if name == "Unknown" or (
                        name in ("Pending", "Retrying") and not counts.get(name)
                    ):
                        continue
                    ui.chip(f"{name}: {counts.get(name, 0)}").props(
                        f"square color={SYNC_COLOURS[name]} text-color=white"
                    ).mark(f"count-{name}")
            cols = [
                {"name": k, "label": k.capitalize(), "field": k, "align": "left"}
                for k in ("model", "team", "status", "ready", "reasons", "detail")
            ]
            ui.label("Needs attention").classes("text-sm font-semibold")
            ui.table(columns=cols, rows=problems, row_key="model", pagination=25).props(
                "dense flat bordered wrap-cells"
            ).classes("w-full").mark("cluster-problems")

    async def apply_all() -> None:
        reports = await run.io_bound(reconciler.reconcile_all)
        failed = [r for r in reports if not r.ok]
        writes = sum(r.writes for r in reports)
        ui.notify(
            f"Applied {len(reports)} models: {writes} writes, {len(failed)} failed",
            type="negative" if failed else "positive",
        )
        await render()

    with ui.row().classes("gap-2"):
        ui.button("Re-apply all records", icon="sync", on_click=apply_all).props("outline").mark(
            "apply-all"
        )
        ui.button("Refresh", icon="refresh", on_click=render).props("flat")
    ui.timer(0, render, once=True)
    ui.timer(5.0, render)


def collect_overview(services: Services) -> tuple[int, dict[str, int], list[dict[str, str]]]:
    """Number of records, count per status, and the rows that need attention (a DB read)."""
    records = services.registry.list_models()
    rows = services.fleet_status().rows(records)
    counts: dict[str, int] = {}
    for row in rows.values():
        counts[row.status] = counts.get(row.status, 0) + 1
    problems = [
        problem_row(services, rec, rows[rec.key])
        for rec in records
        if rows[rec.key].reasons or rows[rec.key].status != "Synced"
    ]
    return len(records), counts, problems


def problem_row(services: Services, rec: ModelRecord, row: StatusRow) -> dict[str, str]:
    """One line of the cluster tab's "Needs attention" table."""
    snap = services.live.snapshot(rec.key) if services.live else None
    return {
        "model": f"{rec.namespace}/{rec.name}",
        "team": rec.spec.team,
        "status": row.status,
        "ready": f"{row.ready}/{row.desired}" if snap else "—",
        "reasons": ", ".join(row.reasons),
        "detail": row.message or (explain_reason(snap.pods) if snap else ""),
    }
