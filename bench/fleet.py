"""Fleets for the benches: ``n`` models (the demo fleet's records, renamed ``<demo name>-NNNNN``,
applied through the registry as ``barista models apply`` does), and the simulator they run on."""

from __future__ import annotations

from typing import Any


def fleet_records(n: int) -> list[dict]:
    from data.seed import demo_records

    base = demo_records()
    records = []
    for i in range(n):
        rec = dict(base[i % len(base)])
        rec["name"] = f"{rec['name'][:50]}-{i:05d}"
        records.append(rec)
    return records


def seed_models(url: str, n: int) -> None:
    """Migrate the database at ``url`` and apply ``n`` models, a thousand per transaction."""
    from barista_ui.records.registry import RegistryService
    from data.db import make_engine, migrate, session_factory

    engine = make_engine(url)
    migrate(engine)
    records = fleet_records(n)
    registry = RegistryService(session_factory(engine), max_replicas=50)
    for start in range(0, n, 1000):
        registry.apply_many(records[start : start + 1000], actor="bench", source="cli")
    engine.dispose()


def start_bench_simulator(nodes: int) -> Any:
    """The simulator the fleet benches run on: quick pod start-up, ``nodes`` roomy nodes and a
    history long enough for a large fleet's watches to resume."""
    from k8s.simulator import NodeSpec, SimulatorConfig, start_simulator

    return start_simulator(
        SimulatorConfig(
            speed=10,
            pod_schedule_delay_s=0.01,
            pod_start_delay_s=0.05,
            nodes=tuple(NodeSpec(f"bench-{i}", cpu="64", memory="256Gi") for i in range(nodes)),
            history_size=50_000,
        )
    )
