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
    Otherwise the record's ``replicas``, or ``restore`` (the count the scheduler remembered
    before a scale-down) when given; autoscaled models are clamped into [min, max].
    """
    if not spec.enabled:
        return 0
    if scheduled_down:
        return downtime_replicas(spec)
    count = spec.replicas if restore is None else restore
    if spec.autoscaling.enabled:
        count = min(max(count, spec.autoscaling.min), spec.autoscaling.max)
    return count


def replicas_in_tolerance(spec: ModelSpec, desired: int, live: int) -> bool:
    """Whether a live count is not drift: equal, or inside the HPA's range while it is active."""
    if live == desired:
        return True
    if spec.autoscaling.enabled and desired > 0:
        return spec.autoscaling.min <= live <= spec.autoscaling.max
    return False
