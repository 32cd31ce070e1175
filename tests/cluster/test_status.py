"""Status rows: one builder for the page and the CLI, with the reconciler's in-between states."""

from __future__ import annotations

from datetime import UTC, datetime

from barista_ui.cluster.status import FleetStatus, KeyState, sync_status
from barista_ui.records.registry import ModelRecord
from barista_ui.records.replicas import desired_replicas
from barista_ui.records.spec import validate_record
from k8s.live import ModelLive, PodLive
from k8s.manifests import config_hash
from tests.conftest import base_record

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Live:
    """A live view holding given snapshots (the shape LiveState offers)."""

    def __init__(self, snaps: dict):
        self.snaps = snaps

    def snapshot(self, key):
        return self.snaps.get(key)

    def all(self):
        return dict(self.snaps)


def record(**overrides) -> ModelRecord:
    return ModelRecord(validate_record(base_record(**overrides)), 1, 1, NOW, NOW)


def running(rec: ModelRecord, desired: int, ready: int | None = None) -> ModelLive:
    pods = {
        f"p{i}": PodLive(f"p{i}", "Running", True, 0, None, "node-1", None, None)
        for i in range(desired)
    }
    return ModelLive(
        deployment_exists=True,
        desired=desired,
        ready=desired if ready is None else ready,
        config_hash=config_hash(rec.to_file_dict()),
        image=rec.spec.image,
        pod_map=pods,
    )


def test_synced_out_of_sync_missing_unmanaged() -> None:
    rec, other = record(), record(name="gone")
    live = Live({rec.key: running(rec, 3), ("ml-prod", "orphan"): running(other, 1)})
    rows = FleetStatus(lambda spec: desired_replicas(spec), live).rows([rec, record(name="new")])
    assert rows[rec.key].status == "OutOfSync"
    assert rows[rec.key].diffs == ["replicas: desired 2, live 3"]
    assert rows[("ml-prod", "new")].status == "Missing"
    assert rows[("ml-prod", "orphan")].status == "Unmanaged"
    assert rows[rec.key].ready == 3 and rows[rec.key].desired == 3  # what the Deployment asks
    assert rows[("ml-prod", "new")].desired == 2  # no Deployment: the record's count


def test_hpa_range_is_not_drift_and_held_down_uses_the_downtime_count() -> None:
    auto = record(autoscaling={"enabled": True, "min": 2, "max": 6, "target_cpu_percent": 70})
    live = Live({auto.key: running(auto, 5)})
    assert FleetStatus(desired_replicas, live).row(auto).status == "Synced"
    assert sync_status(auto.spec, 0, live.snapshot(auto.key)).status == "OutOfSync"
    down = Live({auto.key: running(auto, 0)})

    def held(spec):
        return desired_replicas(spec, scheduled_down=True)

    assert FleetStatus(held, down).row(auto).status == "Synced"
    assert FleetStatus(desired_replicas, down).row(auto).status == "OutOfSync"


def test_pending_and_retrying_come_from_the_reconciler() -> None:
    rec = record()
    live = Live({rec.key: running(rec, 2)})
    states = {rec.key: KeyState("Pending")}
    row = FleetStatus(desired_replicas, live, states.get).row(rec)
    assert row.status == "Pending" and "not yet applied" in row.message
    states[rec.key] = KeyState("Retrying", "cluster unreachable", NOW, 3)
    row = FleetStatus(desired_replicas, live, states.get).row(rec)
    assert row.status == "Retrying"
    assert row.message == "cluster unreachable; next attempt at 09:00:00 UTC"
    assert row.as_dict()["status"] == "Retrying" and len(row.as_dict()["pods"]) == 2


class _ServiceArrivesDuringTheRead(ModelLive):
    """A live view whose Service is stored by the watch while drift reads the objects."""

    arriving: bytes | None = None

    @property
    def objects(self):  # type: ignore[override]
        seen = super().objects
        if self.arriving is not None:
            self.drift_parts = (self.drift_parts[0], self.arriving, self.drift_parts[2])
            self.arriving = None
        return seen


def test_drift_read_while_a_service_arrives_is_not_kept_for_the_newer_view() -> None:
    from barista_ui.cluster.status import live_drift
    from k8s.live_model import pack
    from k8s.manifests import deployment, service

    rec = record(name="arriving")
    body = rec.spec.to_file_dict()
    live = _ServiceArrivesDuringTheRead()
    live.deployment_exists = True
    live.drift_parts = (pack("Deployment", deployment(body, 2)), None, None)
    live.arriving = pack("Service", service(body))
    first = live_drift(rec.spec, live)  # read before the Service was there
    assert any(d.kind == "Service" for d in first)
    assert not any(d.kind == "Service" for d in live_drift(rec.spec, live))
