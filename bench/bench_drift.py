"""Drift seen: a Deployment's image changed with the official client behind Barista's back →
the model's status row turns OutOfSync naming the field (what the page and `models status`
show), then a re-apply → Synced again. Median and worst of several runs, on the simulator.

    python bench/bench_drift.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kubernetes import client  # noqa: E402

from barista_ui.cluster.reconciler import Reconciler  # noqa: E402
from barista_ui.cluster.status import FleetStatus  # noqa: E402
from barista_ui.records.registry import RegistryService  # noqa: E402
from barista_ui.records.replicas import desired_replicas  # noqa: E402
from data.db import make_engine, migrate, session_factory  # noqa: E402
from k8s.gateway import ClusterGateway  # noqa: E402
from k8s.live import LiveState  # noqa: E402
from k8s.simulator import SimulatorConfig, start_simulator  # noqa: E402

NS, NAME = "ml-prod", "fraud-scorer"
RECORD = {
    "name": NAME,
    "namespace": NS,
    "team": "payments",
    "owner": "ana@example.com",
    "image": "registry.example.com/fraud-scorer:1.0.0",
    "replicas": 1,
    "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}},
}


def wait(check, timeout: float = 10.0) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if check():
            return time.perf_counter() - start
        time.sleep(0.001)
    raise TimeoutError("condition not met")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    sim = start_simulator(SimulatorConfig(speed=20.0))
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    migrate(engine)
    registry = RegistryService(session_factory(engine))
    gateway = ClusterGateway(sim.api_client(), backoff_base_s=0.01)
    reconciler = Reconciler(registry, gateway, desired_replicas)
    live = LiveState(sim.api_client(), on_change=reconciler.observe)
    reconciler.live = live
    live.start()
    live.wait_until(lambda s: s.synced, 20)
    registry.create(RECORD, actor="bench", source="cli")
    apps = client.AppsV1Api(sim.api_client())

    def status() -> str:
        record = registry.get(NAME, NS)
        return FleetStatus(desired_replicas, live, reconciler.state).row(record).status

    assert reconciler.reconcile_now((NS, NAME)).ok
    wait(lambda: status() == "Synced", 20)
    seen, repaired = [], []
    for i in range(args.runs):
        image = {"name": "model", "image": f"registry.example.com/fraud-scorer:hand-{i}"}
        body = {"spec": {"template": {"spec": {"containers": [image]}}}}
        apps.patch_namespaced_deployment(NAME, NS, body, field_manager="on-call-fix")
        seen.append(wait(lambda: status() == "OutOfSync"))
        start = time.perf_counter()
        assert reconciler.reconcile_now((NS, NAME)).ok  # "Re-apply"
        wait(lambda: status() == "Synced")
        repaired.append(time.perf_counter() - start)
    live.stop()
    reconciler.stop()
    sim.stop()
    ms = [s * 1000 for s in seen]
    rs = [r * 1000 for r in repaired]
    print(
        f"change behind Barista's back -> OutOfSync: median {statistics.median(ms):.0f} ms, "
        f"max {max(ms):.0f} ms ({args.runs} runs)"
    )
    print(f"re-apply -> Synced: median {statistics.median(rs):.0f} ms, max {max(rs):.0f} ms")


if __name__ == "__main__":
    main()
