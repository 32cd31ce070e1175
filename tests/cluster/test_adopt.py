"""From the cluster back to records: an adopted Deployment becomes a record that renders what
runs (no drift), and a ReplicaSet maps to the record revision that ran its image."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from barista_ui.cluster.adopt import record_from_live, revision_for_image
from barista_ui.records.record import RevisionView
from barista_ui.records.spec import validate_record
from k8s.drift import LiveObjects, differences
from k8s.manifests import render
from tests.conftest import base_record

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_an_adopted_record_renders_what_runs() -> None:
    original = base_record(
        resources={
            "requests": {"cpu": "2", "memory": "8Gi"},
            "limits": {"memory": "16Gi"},
            "gpu": {"count": 1, "type": "nvidia-l4"},
        },
        autoscaling={"enabled": True, "min": 2, "max": 6, "target_cpu_percent": 60},
        env={"THREADS": "8", "TOKEN": {"secretKeyRef": {"name": "s", "key": "k"}}},
        model_version="7",
    )
    objs = {o["kind"]: o for o in render(original, 3)}
    adopted = record_from_live(objs["Deployment"], objs["HorizontalPodAutoscaler"])
    spec = validate_record(adopted)  # a valid record
    assert spec.replicas == 3 and spec.resources.gpu.type == "nvidia-l4"
    live = LiveObjects(objs["Deployment"], objs["Service"], objs["HorizontalPodAutoscaler"])
    assert differences(spec.to_file_dict(), live) == []


def rev(number: int, image: str | None, at: datetime) -> RevisionView:
    snapshot = None if image is None else {"image": image}
    return RevisionView(number, "update", "ana", "ui", "", at, number, snapshot)


def test_a_replicaset_maps_to_the_revision_that_ran_its_image() -> None:
    history = [
        rev(1, "m:1", T0),
        rev(2, "m:2", T0 + timedelta(hours=1)),
        rev(3, "m:2", T0 + timedelta(hours=2)),  # e.g. the replicas changed
        rev(4, "m:1", T0 + timedelta(hours=3)),
        rev(5, None, T0 + timedelta(hours=4)),  # a deletion
    ]
    # the ReplicaSet of m:2 made at 1h (by revision 2): revision 2, not the later 3
    assert revision_for_image(history, "m:2", T0 + timedelta(hours=1, seconds=2)).number == 2
    # the ReplicaSet of m:1, last made for revision 4
    assert revision_for_image(history, "m:1", T0 + timedelta(hours=3, seconds=1)).number == 4
    # no creation time: the latest revision with that image
    assert revision_for_image(history, "m:2", None).number == 3
    assert revision_for_image(history, "m:9", None) is None
