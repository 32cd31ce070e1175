"""Cost lines outside the Cost tab: what an edit will cost per month before it is saved (the
model editor) and a model's cost line in its panel. Both read the database (prices, schedules,
replica history), so both run in a worker thread."""

from __future__ import annotations

from nicegui import run, ui

from barista_ui.cost.board import CostBoard
from barista_ui.cost.rates import PricingError
from barista_ui.records.registry import ModelRecord
from barista_ui.records.spec import ModelSpec


def edit_cost_text(board: CostBoard, old: ModelSpec | None, new: ModelSpec) -> str:
    """ "this change: +$X per month" from the new rate, replicas and the model's schedule
    (reads the schedule policies, and the prices when their cache is stale: call it off the
    event loop, see ``edit_cost_text_off_loop``)."""
    try:
        e = board.edit_estimate(old, new)
    except PricingError as exc:
        return f"cost unknown: {exc}"
    delta = e.delta_per_month
    sign = "+" if delta >= 0 else "−"
    sched = "" if e.new_up >= 0.999 else f", up {e.new_up:.0%} of the week"
    what = "this model" if old is None else "this change"
    return (
        f"{what}: {sign}${abs(delta):,.2f} per month (then ${e.monthly:,.2f}/month: "
        f"${e.new_rate:.4f} per replica-hour x {e.new_replicas} replica(s){sched})"
    )


def _line_text(c: dict[str, float]) -> str:
    parts = [
        f"${c['rate']:.4f} per replica-hour",
        f"last 7 days ${c['week']:,.2f} (${c['per_day']:,.2f}/day)",
        f"month to date ${c['mtd']:,.2f}",
    ]
    if c["saved_mtd"] > 0.005:
        parts.append(f"saved by its schedule ${c['saved_mtd']:,.2f} this month")
    if c["projected_7d_savings"] > 0.005:
        parts.append(
            f"schedule saves ~${c['projected_7d_savings']:,.2f} over the next 7 days "
            f"(up {c['up_fraction']:.0%} of the week)"
        )
    return " · ".join(parts)


def panel_cost(board: CostBoard, record: ModelRecord) -> None:
    """One line of cost in a model's panel: rate, last 7 days, month to date, what its schedule
    saved and will save. Computed off the event loop; the line fills in when it is ready."""
    with ui.row().classes("items-center gap-2 no-wrap").mark("panel-cost") as row:
        ui.icon("payments").classes("text-grey-7")
        text = ui.label("cost …").classes("text-sm text-grey-7")

    async def fill() -> None:
        try:
            c = await run.io_bound(board.model_line, record)
        except PricingError as exc:
            text.classes(replace="text-sm text-negative").set_text(f"Cost unknown: {exc}")
            return
        if c is not None and not row.is_deleted:  # None: the app is stopping
            text.classes(replace="text-sm").set_text(_line_text(c))

    ui.timer(0, fill, once=True)


async def edit_cost_text_off_loop(board: CostBoard, old: ModelSpec | None, new: ModelSpec) -> str:
    """``edit_cost_text`` in a worker thread (it reads the schedule policies, and the prices
    when their cache is stale), for an editor that can await its estimate."""
    text = await run.io_bound(edit_cost_text, board, old, new)
    return text or ""
