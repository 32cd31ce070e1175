"""What the Replicas column and the stepper say of a record (the replica rule's one home)."""

from __future__ import annotations

from barista_ui.records.replicas import autoscaling_bounds, replicas_text, step_refusal
from barista_ui.records.spec import validate_record
from tests.conftest import base_record


def test_fixed_count_is_the_record_and_the_stepper_edits_it() -> None:
    spec = validate_record(base_record(replicas=4))
    assert replicas_text(spec, 3) == "4"
    assert step_refusal(spec) is None


def test_autoscaled_shows_the_hpa_bounds_and_its_live_count() -> None:
    spec = validate_record(
        base_record(replicas=4, autoscaling={"enabled": True, "min": 3, "max": 7})
    )
    assert replicas_text(spec) == "HPA 3–7"
    assert replicas_text(spec, 3) == "HPA 3–7, now 3"
    reason = step_refusal(spec)
    assert reason is not None and "between 3 and 7" in reason and "min/max" in reason
    assert autoscaling_bounds(spec, 2, 5)["min"] == 2
    assert autoscaling_bounds(spec, 2, 5)["target_cpu_percent"] == 70
