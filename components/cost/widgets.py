"""Cost lines on the page: what an edit will cost per month before it is saved."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nicegui import ui

from barista_ui.app import Services
from barista_ui.cost.overview import model_cost_line
from barista_ui.cost.rates import PricingError, edit_delta_per_month
from barista_ui.schedule.engine import up_fraction


def edit_cost_text(services: Services, old: Any | None, new: Any) -> str:
    """ "this change: +$X per month" from the new rate, replicas and the model's schedule."""
    engine = services.scheduler_engine()
    now = datetime.now(UTC)
    try:
        cost = services.cost_service()
        new_rate = cost.rate_for(new)
        old_rate = cost.rate_for(old) if old is not None else 0.0
    except PricingError as exc:
        return f"cost unknown: {exc}"
    new_frac = up_fraction(engine, new, now)
    old_frac = up_fraction(engine, old, now) if old is not None else 0.0
    new_replicas = new.replicas if new.enabled else 0
    old_replicas = (old.replicas if old.enabled else 0) if old is not None else 0
    delta = edit_delta_per_month(old_rate, old_replicas, new_rate, new_replicas, old_frac, new_frac)
    monthly = new_rate * new_replicas * 730 * new_frac
    sign = "+" if delta >= 0 else "−"
    sched = "" if new_frac >= 0.999 else f", up {new_frac:.0%} of the week"
    what = "this model" if old is None else "this change"
    return (
        f"{what}: {sign}${abs(delta):,.2f} per month (then ${monthly:,.2f}/month: "
        f"${new_rate:.4f} per replica-hour x {new_replicas} replica(s){sched})"
    )


def panel_cost(services: Services, record: Any) -> None:
    """One line of cost in a model's panel: rate, last 7 days, month to date, what its schedule
    saved and will save."""
    engine = services.scheduler_engine()
    now = datetime.now(UTC)
    try:
        frac = up_fraction(engine, record.spec, now)
        c = model_cost_line(services.cost_service(), record, now, frac)
    except PricingError as exc:
        ui.label(f"Cost unknown: {exc}").classes("text-sm text-negative").mark("panel-cost")
        return
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
    with ui.row().classes("items-center gap-2 no-wrap").mark("panel-cost"):
        ui.icon("payments").classes("text-grey-7")
        ui.label(" · ".join(parts)).classes("text-sm")
