"""The models table's row dicts (pure: a fleet row in, the table's fields out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from barista_ui.cluster.status import PodRow, StatusRow
from barista_ui.fleet import FleetRow
from barista_ui.records.registry import ModelRecord
from barista_ui.records.spec import validate_record
from components.models.rows import live_fields, table_row
from tests.conftest import base_record

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def record(**overrides) -> ModelRecord:
    spec = validate_record(base_record(**overrides))
    return ModelRecord(spec, 1, 3, NOW - timedelta(days=2), NOW - timedelta(minutes=5))


def test_without_a_cluster_a_row_carries_no_live_fields() -> None:
    row = table_row(FleetRow(record(enabled=False), "always up", None), NOW)
    assert row["key"] == "ml-prod/fraud-scorer" and row["tag"] == "1.4.2"
    assert not {"sync", "live", "ready", "desired"} & set(row)  # no live columns either
    assert live_fields(record(), None)["sync"] == "Unknown"  # what a lost cluster shows
    assert row["updated"] == "5 min ago" and row["sched"] == "always up"
    assert (
        row["search"]
        == "fraud-scorer ml-prod payments registry.example.com/fraud-scorer:1.4.2 ana@example.com"
    )


def test_a_status_row_fills_ready_sync_and_the_pod_reasons() -> None:
    pods = [
        PodRow("p1", "Pending", False, 0, "ImagePullBackOff"),
        PodRow("p2", "Running", True, 0, None),
    ]
    status = StatusRow(
        "ml-prod", "fraud-scorer", "OutOfSync", 1, 2, ["x"], "replicas: desired 2", pods
    )
    row = table_row(FleetRow(record(resources=_gpu()), "down until Mon 07:00", status), NOW)
    assert (row["ready"], row["desired"], row["sync"], row["live"]) == (1, 2, "OutOfSync", True)
    assert row["sync_colour"] == "warning" and row["sync_msg"] == "replicas: desired 2"
    assert row["reasons"] == "ImagePullBackOff" and row["gpu"] == "1× T4"
    patch = live_fields(record(), status)  # what a live push sends
    assert set(patch) == {
        "replicas_text",  # an autoscaled model's "HPA 3–7, now N" follows the live count
        "ready",
        "desired",
        "sync",
        "sync_colour",
        "sync_msg",
        "health",
        "health_colour",
        "health_msg",
        "reasons",
        "live",
    }


def _gpu() -> dict:
    return {
        "requests": {"cpu": "1", "memory": "2Gi"},
        "limits": {"cpu": "2", "memory": "4Gi"},
        "gpu": {"count": 1, "type": "nvidia-tesla-t4"},
    }


def test_an_autoscaled_row_says_hpa_bounds_and_the_live_count() -> None:
    auto = {"enabled": True, "min": 3, "max": 7}
    status = StatusRow("ml-prod", "fraud-scorer", "Synced", 3, 3, [], "", [])
    row = table_row(FleetRow(record(replicas=4, autoscaling=auto), "always up", status), NOW)
    assert row["replicas_text"] == "HPA 3–7, now 3" and row["replicas"] == 4
    assert "between 3 and 7" in row["step_block"]
    assert table_row(FleetRow(record(), "always up", status), NOW)["step_block"] == ""
