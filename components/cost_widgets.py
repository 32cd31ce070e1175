"""Cost lines on the page: what an edit will cost per month before it is saved."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from barista_ui.pricing import PricingError, edit_delta_per_month, spec_rate
from barista_ui.scheduler import up_fraction
from barista_ui.services import Services


def edit_cost_text(services: Services, old: Any | None, new: Any) -> str:
    """ "this change: +$X per month" from the new rate, replicas and the model's schedule."""
    engine = services.scheduler_engine()
    now = datetime.now(UTC)
    try:
        new_rate = spec_rate(new)
        old_rate = spec_rate(old) if old is not None else 0.0
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
