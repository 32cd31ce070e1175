"""The one place that says how many replicas the cluster should run for a record."""

from __future__ import annotations

from barista_ui.records.spec import ModelSpec


def downtime_replicas(spec: ModelSpec) -> int:
    return spec.schedule.downtime_replicas if spec.schedule else 0


def desired_replicas(
    spec: ModelSpec, *, scheduled_down: bool = False, restore: int | None = None
) -> int:
    """Replicas the Deployment should have.

    Disabled → 0. Held down by the off-hours scheduler → the model's downtime count (default 0).
    Otherwise what the record asks for now: its ``replicas``. An autoscaled model's count is
    the HPA's, so the scheduler's restore brings back ``restore`` (the count the HPA ran before
    the scale-down) clamped into the record's [min, max] as they are now; a fixed count always
    comes from the record, so an edit made during downtime is what comes back.
    """
    if not spec.enabled:
        return 0
    if scheduled_down:
        return downtime_replicas(spec)
    autoscaled = spec.autoscaling.enabled
    count = restore if autoscaled and restore is not None else spec.replicas
    if autoscaled:
        count = min(max(count, spec.autoscaling.min), spec.autoscaling.max)
    return count


def replicas_to_apply(spec: ModelSpec, desired: int, live: int | None) -> int:
    """The count to write given the live one: while the HPA is active it owns the count,
    within the record's [min, max]; otherwise the desired count.

    The HPA is active when the record autoscales and neither the desired nor the live count
    is 0 (a switched-off or scheduled-down model has no HPA to defer to).
    """
    auto = spec.autoscaling
    if auto.enabled and desired > 0 and live:
        return min(max(live, auto.min), auto.max)
    return desired


def replicas_in_tolerance(spec: ModelSpec, desired: int, live: int) -> bool:
    """Whether a live count is not drift: the one :func:`replicas_to_apply` would keep."""
    return live == replicas_to_apply(spec, desired, live)


def replicas_text(spec: ModelSpec, live: int | None = None) -> str:
    """The Replicas column: the fixed count, or the HPA's bounds and the count it runs now
    ("HPA 3–7, now 3"; without a live count, "HPA 3–7")."""
    if not spec.autoscaling.enabled:
        return str(spec.replicas)
    auto = spec.autoscaling
    bounds = f"HPA {auto.min}–{auto.max}"
    return bounds if live is None else f"{bounds}, now {live}"


def step_refusal(spec: ModelSpec) -> str | None:
    """Why the −/+ stepper cannot change this record's count, or None when it can: an
    autoscaled model's count is its HPA's, so a new ``replicas`` would change nothing."""
    if spec.autoscaling.enabled:
        auto = spec.autoscaling
        return (
            f"Autoscaled: the HPA sets the count between {auto.min} and {auto.max}; "
            "change min/max instead"
        )
    return None


def autoscaling_bounds(spec: ModelSpec, low: int, high: int) -> dict[str, int]:
    """The ``autoscaling`` change that sets new bounds (validated like any record edit)."""
    return {**spec.autoscaling.model_dump(), "min": low, "max": high}
