"""The scheduler at fleet scale, against the simulator running in its own process.

For each fleet size N (``--models``, comma-separated; 5,000 is the figure's own case: 2,000
crossing), 40% of the fleet form a team whose schedule ends at a boundary a few seconds ahead,
and another 1,000 models a team with a later boundary. The scheduler runs as in the dashboard
(its APScheduler runner, which plans a boundary shortly before it). Printed, one column per
size, medians of ``--runs`` runs:

- CPU per scale-down: this process's CPU time (planning + acting; the simulator is another
  process) of the boundary pass that scales the 1,000 down, divided by the writes;
- boundary -> first / last write: as stamped by the simulator when it answered each patch,
  for the 40% crossing together;
- writes == transitions: successful Deployment patches versus models crossing (every run);
- idle pass CPU: a reconcile pass with nothing to do (one paged list of the Deployments).

The simulator's controllers are stopped once the Deployments exist (``--controllers`` keeps
them): the bench measures the scheduler against the API, not the simulated kubelets.
Targets: CPU per scale-down <= 1.0 ms, first write < 200 ms, last write < 2 s (2,000 of 5,000).

    .venv/bin/python bench/bench_scheduler.py [--models 2000,5000,10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from barista_ui.access.actor import SYSTEM_SCHEDULER  # noqa: E402
from barista_ui.records.registry import RegistryService  # noqa: E402
from barista_ui.schedule.engine import SchedulerEngine  # noqa: E402
from barista_ui.schedule.leader import AlwaysLeader  # noqa: E402
from barista_ui.schedule.runner import SchedulerRunner  # noqa: E402
from data.db import make_engine, migrate, session_factory  # noqa: E402
from k8s.gateway import ClusterGateway  # noqa: E402

LEAD_S = 15.0  # set-up -> boundary: room for the runner's planning ahead of it
THOUSAND = 1000


def serve(conn: Any, objects: list[dict], controllers: bool) -> None:
    """The simulator's process: store the Deployments, then answer the bench's requests."""
    from kubernetes import config as kconfig

    from k8s.simulator import NodeSpec, SimulatorConfig, start_simulator
    from k8s.simulator.api import BY_PLURAL

    nodes = tuple(NodeSpec(f"bench-{i}", cpu="64", memory="256Gi") for i in range(80))
    sim = start_simulator(
        SimulatorConfig(speed=20, nodes=nodes, history_size=100_000, bookmark_interval_s=60)
    )
    if not controllers:
        sim.controllers.stop()
    for ns in sorted({o["metadata"]["namespace"] for o in objects}):
        sim.api.create(BY_PLURAL["namespaces"], "", {"metadata": {"name": ns}})
    for obj in objects:
        sim.api.create(BY_PLURAL["deployments"], obj["metadata"]["namespace"], obj)
    with tempfile.NamedTemporaryFile(suffix=".kubeconfig", delete=False) as f:
        path = f.name
    sim.write_kubeconfig(path)
    kconfig.load_kube_config(path)  # fail here, not in the bench, if it is unreadable
    conn.send(path)
    while True:
        cmd = conn.recv()
        if cmd == "cpu":
            conn.send(time.process_time())
        elif cmd == "reset":
            sim.reset_request_log()
            conn.send(None)
        elif cmd == "writes":
            conn.send(
                [
                    r.at
                    for r in sim.requests
                    if r.verb == "patch" and r.resource == "deployments" and r.status < 400
                ]
            )
        else:
            sim.stop()
            conn.send(None)
            return


def fleet(n: int) -> list[dict]:
    crossing = int(n * 0.4)
    return [
        {
            "name": f"model-{i:05d}",
            "namespace": f"ml-{i % 5}",
            "team": (
                "crossing"
                if i < crossing
                else "thousand"
                if i < crossing + THOUSAND
                else f"team-{i % 10}"
            ),
            "image": f"registry.example.com/m-{i}:1.0",
            "replicas": 1 + i % 3,
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
        }
        for i in range(n)
    ]


class CpuMeter:
    """Process CPU time spent inside the engine's pass methods (outermost calls only)."""

    def __init__(self, engine: SchedulerEngine):
        self.total = 0.0
        self._depth = 0
        for name in ("prepare", "execute", "reconcile"):
            if hasattr(engine, name):
                setattr(engine, name, self._wrap(getattr(engine, name)))

    def _wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def measured(*args: Any, **kwargs: Any) -> Any:
            self._depth += 1
            c0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.total += time.process_time() - c0

        return measured


class Bench:
    def __init__(self, n: int, controllers: bool):
        self.n = n
        self.tmp = tempfile.TemporaryDirectory()
        self.db = make_engine(f"sqlite:///{self.tmp.name}/bench.db")
        migrate(self.db)
        new = session_factory(self.db)
        long_ago = datetime.now(UTC) - timedelta(days=1)
        self.registry = RegistryService(new, clock=lambda: long_ago)
        self.registry.apply_many(fleet(n), actor="bench", source="cli")
        from k8s.manifests import render

        objects = [
            render(r.to_file_dict(), r.spec.replicas)[0] for r in self.registry.list_models()
        ]
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=serve, args=(child, objects, controllers), daemon=True)
        self.proc.start()
        from kubernetes import config as kconfig

        api = kconfig.new_client_from_config(config_file=self.conn.recv())
        self.engine = SchedulerEngine(new, self.registry, ClusterGateway(api))
        self.meter = CpuMeter(self.engine)

    def ask(self, cmd: str) -> Any:
        self.conn.send(cmd)
        return self.conn.recv()

    def set_team(self, team: str, uptime: str) -> None:
        self.engine.set_policy(
            "team",
            team,
            uptime=uptime,
            downtime=None,
            timezone=None,
            holidays=None,
            actor=SYSTEM_SCHEDULER,
        )

    def boundary(self, team: str, crossing: int) -> dict[str, float]:
        """Schedule ``team`` down at a boundary LEAD_S ahead; run the runner through it."""
        boundary = (datetime.now(UTC) + timedelta(seconds=LEAD_S)).replace(microsecond=0)
        start = boundary - timedelta(days=1)
        self.set_team(team, f"{start:%Y-%m-%dT%H:%M:%SZ}-{boundary:%Y-%m-%dT%H:%M:%SZ}")
        self.ask("reset")

        async def run() -> None:
            runner = SchedulerRunner(self.engine, AlwaysLeader(), interval_s=3600)
            runner.leader = True  # AlwaysLeader: the start-up check runs no pass
            runner.start()
            await runner.reschedule()
            self.meter.total = 0.0
            wait = (boundary - datetime.now(UTC)).total_seconds()
            await asyncio.sleep(wait + 2.0 + crossing / 500)
            while runner.runs == 0 and (datetime.now(UTC) - boundary).total_seconds() < 120:
                await asyncio.sleep(0.5)
            runner.shutdown()

        asyncio.run(run())
        cpu = self.meter.total
        writes = sorted(self.ask("writes"))
        b = boundary.timestamp()
        return {
            "cpu_ms": cpu / max(len(writes), 1) * 1000,
            "first_ms": (writes[0] - b) * 1000 if writes else float("nan"),
            "last_ms": (writes[-1] - b) * 1000 if writes else float("nan"),
            "writes": len(writes),
            "due": crossing,
        }

    def back_up(self) -> None:
        for team in ("crossing", "thousand"):
            self.set_team(team, "always")
        self.engine.reconcile()

    def idle(self) -> float:
        c0 = time.process_time()
        actions = self.engine.reconcile()
        assert actions == [], f"an idle pass acted: {len(actions)}"
        return time.process_time() - c0

    def close(self) -> None:
        self.ask("stop")
        self.proc.join(10)
        self.db.dispose()
        self.tmp.cleanup()


def measure(n: int, runs: int, controllers: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    bench = Bench(n, controllers)
    print(f"[{n}] set-up {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    crossing = int(n * 0.4)
    thousand = min(THOUSAND, n - crossing)
    rows: dict[str, list[float]] = {"cpu": [], "first": [], "last": [], "idle": []}
    exact = True
    try:
        bench.engine.reconcile()  # nothing due: warms the caches as a running process has them
        for run in range(runs):
            rows["idle"].append(bench.idle())
            lag = bench.boundary("crossing", crossing)
            cpu = bench.boundary("thousand", thousand)
            bench.back_up()
            exact &= lag["writes"] == crossing and cpu["writes"] == thousand
            rows["first"].append(lag["first_ms"])
            rows["last"].append(lag["last_ms"])
            rows["cpu"].append(cpu["cpu_ms"])
            print(f"[{n}] run {run + 1}: {lag} {cpu}", file=sys.stderr)
    finally:
        bench.close()
    out: dict[str, Any] = {k: statistics.median(v) for k, v in rows.items()}
    out["exact"] = exact
    out["crossing"] = crossing
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="2000,5000,10000", help="fleet sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--controllers", action="store_true", help="keep the simulator's controllers"
    )
    args = parser.parse_args()
    sizes = [int(x) for x in args.models.split(",") if x.strip()]
    results = {n: measure(n, args.runs, args.controllers) for n in sizes}
    width = 12
    cols = [f"{n} ({results[n]['crossing']})" for n in sizes]
    head = f"{'models (crossing)':<44}" + "".join(f"{c:>{width + 4}}" for c in cols)
    print(f"\nscheduler, medians of {args.runs} runs (simulator in its own process)")
    print(head)
    lines = [
        ("CPU per scale-down, 1,000 transitions (ms)", "cpu", "{:.2f}"),
        ("boundary -> first write (ms)", "first", "{:.0f}"),
        ("boundary -> last write (ms)", "last", "{:.0f}"),
        ("idle pass CPU (s)", "idle", "{:.3f}"),
    ]
    for label, key, fmt in lines:
        print(
            f"{label:<44}" + "".join(f"{fmt.format(results[n][key]):>{width + 4}}" for n in sizes)
        )
    print(
        f"{'writes == transitions (every run)':<44}"
        + "".join(f"{'yes' if results[n]['exact'] else 'NO':>{width + 4}}" for n in sizes)
    )
    print("targets: CPU <= 1.0 ms, first write < 200 ms, last write < 2 s (5,000 / 2,000)")


if __name__ == "__main__":
    main()
