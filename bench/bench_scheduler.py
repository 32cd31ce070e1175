"""Scheduler at 5,000 models, 2,000 of them crossing one boundary, against the simulator.

Prints: boundary → first and last scale request received by the simulator, writes issued versus
transitions due, and the CPU time of a reconcile pass with nothing to do (median of 5).
Targets: first write within 1 s of the boundary, writes == transitions, idle pass < 0.5 s CPU.

    .venv/bin/python bench/bench_scheduler.py [--models 5000] [--crossing 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from barista_ui.records.registry import RegistryService  # noqa: E402
from barista_ui.schedule.engine import SchedulerEngine  # noqa: E402
from barista_ui.schedule.leader import AlwaysLeader  # noqa: E402
from barista_ui.schedule.runner import SchedulerRunner  # noqa: E402
from data.db import make_engine, migrate, session_factory  # noqa: E402
from k8s.gateway import ClusterGateway  # noqa: E402
from k8s.simulator import NodeSpec, SimulatorConfig, start_simulator  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--crossing", type=int, default=2000)
    parser.add_argument(
        "--lead", type=float, default=20.0, help="seconds from set-up to the boundary"
    )
    args = parser.parse_args()
    nodes = tuple(NodeSpec(f"bench-{i}", cpu="64", memory="256Gi") for i in range(40))
    sim = start_simulator(
        SimulatorConfig(
            speed=20,
            pod_schedule_delay_s=0.01,
            pod_start_delay_s=0.05,
            nodes=nodes,
            history_size=100_000,
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        new = session_factory(engine)
        long_ago = datetime.now(UTC) - timedelta(days=1)
        registry = RegistryService(new, clock=lambda: long_ago)
        t_setup = time.perf_counter()
        # the crossing models form one team; its schedule is set once the fleet is running
        recs = [
            {
                "name": f"model-{i:04d}",
                "namespace": f"ml-{i % 5}",
                "team": "crossing" if i < args.crossing else f"team-{i % 10}",
                "image": f"registry.example.com/m-{i}:1.0",
                "replicas": 1 + i % 3,
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
            }
            for i in range(args.models)
        ]
        registry.apply_many(recs, actor="bench", source="cli")
        gw = ClusterGateway(sim.api_client())
        for ns in {r["namespace"] for r in recs}:
            gw.ensure_namespace(ns)
        stored = registry.list_models()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda r: gw.apply(r.to_file_dict(), r.spec.replicas), stored))
        print(f"set-up: {args.models} models applied in {time.perf_counter() - t_setup:.1f} s")
        sched = SchedulerEngine(new, registry, ClusterGateway(sim.api_client()))
        idle = []
        for _ in range(5):
            c0 = time.thread_time()
            assert sched.reconcile() == [], "an idle pass acted"
            idle.append(time.thread_time() - c0)
        boundary = (datetime.now(UTC) + timedelta(seconds=args.lead)).replace(microsecond=0)
        window = (
            f"{(boundary - timedelta(days=1)):%Y-%m-%dT%H:%M:%SZ}-{boundary:%Y-%m-%dT%H:%M:%SZ}"
        )
        sched.set_policy(
            "team",
            "crossing",
            uptime=window,
            downtime=None,
            timezone=None,
            holidays=None,
            actor="bench",
        )
        print(f"boundary at {boundary:%H:%M:%S} UTC for {args.crossing} models")
        sim.reset_request_log()

        async def run() -> None:
            runner = SchedulerRunner(sched, AlwaysLeader(), interval_s=3600)
            runner.start()
            await runner.reschedule()
            deadline = time.monotonic() + (boundary - datetime.now(UTC)).total_seconds() + 60
            while time.monotonic() < deadline:
                writes = [r for r in sim.requests if r.verb == "patch" and r.status < 400]
                if len(writes) >= args.crossing:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)
            runner.shutdown()

        asyncio.run(run())
        writes = sorted(r.at for r in sim.requests if r.verb == "patch" and r.status < 400)
        failed = [r for r in sim.requests if r.status >= 400]
        b = boundary.timestamp()
        print(
            f"boundary -> first scale request: {(writes[0] - b) * 1000:.0f} ms; "
            f"-> last: {(writes[-1] - b) * 1000:.0f} ms"
        )
        print(
            f"writes issued {len(writes)} (failed requests {len(failed)}) vs transitions due {args.crossing}"
        )
        print(
            f"idle reconcile pass over {args.models} models: median {statistics.median(idle):.3f} s CPU (scheduler thread, simulator excluded) "
            f"(runs: {', '.join(f'{x:.3f}' for x in idle)})"
        )
        ok = writes[0] - b < 1 and len(writes) == args.crossing and statistics.median(idle) < 0.5
        print(
            "targets (first < 1 s, writes == transitions, idle < 0.5 s CPU):",
            "met" if ok else "NOT met",
        )
        engine.dispose()
    sim.stop()


if __name__ == "__main__":
    main()
