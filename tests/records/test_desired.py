"""The one rule for how many replicas the cluster should run."""

from __future__ import annotations

import pytest

from barista_ui.records.replicas import desired_replicas, replicas_in_tolerance
from barista_ui.records.spec import validate_record
from tests.conftest import base_record

AUTO = {"enabled": True, "min": 2, "max": 6, "target_cpu_percent": 70}


@pytest.mark.parametrize(
    ("overrides", "kwargs", "expected"),
    [
        ({}, {}, 2),
        ({"enabled": False}, {}, 0),
        ({"enabled": False}, {"scheduled_down": True}, 0),
        ({}, {"scheduled_down": True}, 0),
        ({"schedule": {"uptime": "always", "downtime_replicas": 1}}, {"scheduled_down": True}, 1),
        ({}, {"restore": 5}, 2),  # a fixed count comes from the record now
        ({"autoscaling": AUTO, "replicas": 1}, {}, 2),
        ({"autoscaling": AUTO}, {"restore": 9}, 6),
        ({"autoscaling": AUTO}, {"restore": 4}, 4),
        ({"autoscaling": AUTO}, {"scheduled_down": True}, 0),
    ],
)
def test_desired_replicas(overrides, kwargs, expected) -> None:
    spec = validate_record(base_record(**overrides))
    assert desired_replicas(spec, **kwargs) == expected


def test_hpa_range_is_not_drift_but_zero_is_exact() -> None:
    auto = validate_record(base_record(autoscaling=AUTO))
    assert replicas_in_tolerance(auto, 2, 5)
    assert not replicas_in_tolerance(auto, 2, 7)
    assert not replicas_in_tolerance(auto, 0, 2)
    plain = validate_record(base_record())
    assert not replicas_in_tolerance(plain, 2, 3)
    assert replicas_in_tolerance(plain, 2, 2)
