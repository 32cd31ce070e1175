"""The Cluster tab: sync and health counts, the models that need attention (and why; a row opens
the model's panel), managed objects without a record (adopt or delete them), and re-applying
every record (after a confirmation). Read in a worker thread every 5 s."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nicegui import run, ui

from barista_ui.cluster.health import HEALTHS
from barista_ui.cluster.status import STATUSES, StatusRow
from barista_ui.fleet import Fleet
from barista_ui.records.registry import ModelRecord, RegistryError
from components.cluster.unmanaged import unmanaged_row, unmanaged_table
from components.theme import HEALTH_COLOURS, SYNC_COLOURS
from components.widgets.pods import explain_reason

Refresh = Callable[[], Awaitable[None]]
OpenModel = Callable[[ModelRecord, Refresh], None]  # opens a model's panel (page.py's)
REFRESH_S = 5.0
PROBLEM_COLUMNS = ("model", "team", "status", "health", "ready", "reasons", "detail")
# on a phone: no team or reasons column (the detail says it), and room for the detail to wrap
PROBLEM_STYLE = {
    "team": {"classes": "gt-xs", "headerClasses": "gt-xs"},
    "reasons": {"classes": "gt-xs", "headerClasses": "gt-xs"},
    "detail": {"style": "min-width: 220px"},
}
# the model's name and its chips open the model's panel
MODEL_SLOT = r"""
<q-td :props="props"><a href="#" class="text-primary font-medium"
  @click.prevent="$parent.$emit('open', props.row)">{{ props.row.model }}</a></q-td>
"""
CHIP_SLOT = r"""
<q-td :props="props"><q-chip dense square size="sm" clickable text-color="white"
  :color="props.row.{field}_colour" @click="$parent.$emit('open', props.row)">
  {{{{ props.row.{field} }}}}</q-chip></q-td>
"""


@dataclass(frozen=True)
class Overview:
    records: int
    counts: dict[str, int]  # status rows per status (records and managed objects without one)
    health: dict[str, int]  # status rows per health
    problems: list[dict[str, str]]  # the "Needs attention" rows
    unmanaged: list[dict[str, str]]  # managed objects without a record


def build_cluster_tab(fleet: Fleet, open_model: OpenModel | None = None) -> None:
    """The tab; ``open_model`` opens a model's panel (the Models tab's, handed over by the page:
    tabs do not import each other)."""
    if not fleet.connected:
        ui.label(fleet.cluster.error or "No cluster is connected (BARISTA_CLUSTER=none).").classes(
            "text-sm text-grey-7"
        )
        return
    with ui.row().classes("gap-2"):
        ui.button(
            "Re-apply all records", icon="sync", on_click=lambda: confirm_apply_all(fleet, render)
        ).props("outline").mark("apply-all")
        ui.button("Refresh", icon="refresh", on_click=lambda: render()).props("flat")
    box = ui.column().classes("w-full gap-3").mark("cluster-overview")

    async def render() -> None:
        overview = await run.io_bound(collect_overview, fleet)
        if overview is not None and not box.is_deleted:
            box.clear()
            with box:
                _show(fleet, overview, render, open_model)

    ui.timer(REFRESH_S, render)  # its first run is at once


def confirm_apply_all(fleet: Fleet, done: Refresh) -> None:
    """Re-apply every record, once confirmed (it undoes every change made behind Barista's back)."""
    with ui.dialog() as d, ui.card().classes("max-w-md"):
        d.mark("apply-all-dialog")
        ui.label("Re-apply all records?").classes("text-lg font-semibold")
        ui.label(
            "Every model is put back to its record: fields changed in the cluster by hand are "
            "undone and deleted objects recreated. Models already in sync get no write."
        ).classes("text-sm")

        async def go() -> None:
            d.close()
            results = await run.io_bound(fleet.reapply_all)
            if results is None:
                return
            failed = [r for r in results if not r.ok]
            writes = sum(r.writes for r in results)
            ui.notify(
                f"Applied {len(results)} models: {writes} writes, {len(failed)} failed",
                type="negative" if failed else "positive",
            )
            await done()

        with ui.row().classes("justify-end w-full"):
            ui.button("Cancel", on_click=d.close).props("flat").mark("apply-all-cancel")
            ui.button("Re-apply all", on_click=go).props("unelevated").mark("apply-all-do")
    d.open()


def _show(fleet: Fleet, overview: Overview, refresh: Refresh, open_model: OpenModel | None) -> None:
    kind = "simulated cluster" if fleet.cluster.kind == "simulator" else "cluster"
    ui.label(f"{overview.records} models on the {kind}").classes("text-base font-semibold")
    _counts(overview)
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
    table = ui.table(columns=cols, rows=overview.problems, row_key="model", pagination=25)
    table.props("dense flat bordered wrap-cells").classes("w-full").mark("cluster-problems")
    table.add_slot("body-cell-model", MODEL_SLOT)
    for field in ("status", "health"):
        table.add_slot(f"body-cell-{field}", CHIP_SLOT.format(field=field))

    async def opened(e) -> None:
        if open_model is not None:
            await open_model_panel(
                fleet, str((e.args or {}).get("model") or ""), refresh, open_model
            )

    table.on("open", opened)
    unmanaged_table(fleet, overview.unmanaged, refresh)


def _counts(overview: Overview) -> None:
    counts = overview.counts
    with ui.row().classes("gap-2"):
        for name in STATUSES:
            if name == "Unknown" or (name in ("Pending", "Retrying") and not counts.get(name)):
                continue
            ui.chip(f"{name}: {counts.get(name, 0)}").props(
                f"square color={SYNC_COLOURS[name]} text-color=white"
            ).mark(f"count-{name}")
    with ui.row().classes("gap-2"):
        for name in HEALTHS:
            if name == "Unknown" or not overview.health.get(name):
                continue
            ui.chip(f"{name}: {overview.health[name]}").props(
                f"square outline color={HEALTH_COLOURS[name]}"
            ).mark(f"health-{name}")


async def open_model_panel(
    fleet: Fleet, model: str, refresh: Refresh, open_model: OpenModel
) -> None:
    """Open the panel of "namespace/name" (read off the loop; gone meanwhile: say so)."""
    namespace, _, name = model.partition("/")
    try:
        record = await run.io_bound(fleet.get, namespace, name)
    except RegistryError as exc:
        ui.notify(str(exc), type="warning")
        return
    if record is not None:
        open_model(record, refresh)


def collect_overview(fleet: Fleet) -> Overview:
    """Records, status counts and the rows that need attention (reads the database)."""
    records = fleet.list_models()
    rows = fleet.status_rows(records)
    counts: dict[str, int] = {}
    health: dict[str, int] = {}
    for row in rows.values():
        counts[row.status] = counts.get(row.status, 0) + 1
        health[row.health] = health.get(row.health, 0) + 1
    problems = [
        problem_row(fleet, rec, rows[rec.key])
        for rec in records
        if rows[rec.key].reasons
        or rows[rec.key].status != "Synced"
        or rows[rec.key].health not in ("Healthy", "Suspended")
    ]
    unmanaged = [unmanaged_row(r) for r in rows.values() if r.status == "Unmanaged"]
    return Overview(
        len(records), counts, health, problems, sorted(unmanaged, key=lambda r: r["model"])
    )


def problem_row(fleet: Fleet, rec: ModelRecord, row: StatusRow) -> dict[str, str]:
    """One line of the "Needs attention" table."""
    live = fleet.live_of(rec.key)
    return {
        "model": f"{rec.namespace}/{rec.name}",
        "team": rec.spec.team,
        "status": row.status,
        "status_colour": SYNC_COLOURS.get(row.status, "grey-5"),
        "health": row.health,
        "health_colour": HEALTH_COLOURS.get(row.health, "grey-5"),
        "ready": f"{row.ready}/{row.desired}" if live else "—",
        "reasons": ", ".join(row.reasons),
        "detail": row.message or (explain_reason(live.pods) if live else "") or row.health_msg,
    }
