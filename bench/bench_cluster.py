"""Live cluster state at 2,000 models x 3 pods in the simulator, with the page in Chromium.

Measures (a) a pod turning Ready in the simulator → the page showing it, (b) a click on a
model's on/off switch → the simulator receiving the write, (c) the server process's memory.
Targets: (a) p50 < 1 s, (b) p50 < 300 ms, (c) < 500 MB.

    .venv/bin/python bench/bench_cluster.py [--models 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from barista_ui.records.registry import RegistryService  # noqa: E402
from conftest import CHROMIUM_ARGS  # noqa: E402
from data.db import make_engine, migrate, session_factory  # noqa: E402
from k8s.gateway import ClusterGateway  # noqa: E402
from k8s.simulator import NodeSpec, SimulatorConfig, start_simulator  # noqa: E402
from tests.apprunner import AppProcess  # noqa: E402


def records(n: int) -> list[dict]:
    return [
        {
            "name": f"model-{i:04d}",
            "namespace": f"ml-{i % 4}",
            "team": f"team-{i % 5}",
            "owner": "bench@example.com",
            "image": f"registry.example.com/bench/model-{i:04d}:1.0.{i % 10}",
            "replicas": 3,
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
        }
        for i in range(n)
    ]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    nodes = tuple(NodeSpec(f"bench-{i}", cpu="64", memory="256Gi") for i in range(20))
    sim = start_simulator(
        SimulatorConfig(
            speed=10,
            pod_schedule_delay_s=0.01,
            pod_start_delay_s=0.05,
            nodes=nodes,
            history_size=50_000,
        )
    )
    recs = records(args.models)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(db)
        migrate(engine)
        RegistryService(session_factory(engine)).apply_many(recs, actor="bench", source="cli")
        engine.dispose()
        t0 = time.perf_counter()
        gw = ClusterGateway(sim.api_client())
        for ns in {r["namespace"] for r in recs}:
            gw.ensure_namespace(ns)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda r: gw.apply({**r, "labels": {}, "env": {}}, 3), recs))
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            pods = sim.list_objects("Pod")
            ready = sum(1 for p in pods if p.get("status", {}).get("phase") == "Running")
            if ready >= 3 * args.models:
                break
            time.sleep(1)
        print(
            f"simulator: {args.models} models, {ready} running pods ready after "
            f"{time.perf_counter() - t0:.1f} s"
        )
        kubeconfig = sim.write_kubeconfig(f"{tmp}/kubeconfig")
        app = AppProcess(
            {
                "BARISTA_DATABASE_URL": db,
                "BARISTA_KUBECONFIG": kubeconfig,
                "BARISTA_SEED_DEMO": "false",
                "BARISTA_SCHEDULER_ENABLED": "false",
            },
            cwd=Path(tmp),
        )
        try:
            app.wait_ready(120)
            time.sleep(5)  # initial list + first apply pass (no writes: all in sync)
            target = recs[args.models // 2]
            name, ns = target["name"], target["namespace"]
            ready_lat, click_lat = [], []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(app.url)
                page.wait_for_selector(".q-table tbody tr")
                page.get_by_placeholder("Search name, team, image, owner").fill(name)
                row = page.locator(".q-table tbody tr").first
                row.get_by_text("3/3").wait_for(timeout=60000)
                pod = next(
                    o["metadata"]["name"]
                    for o in sim.list_objects("Pod", ns)
                    if o["metadata"]["labels"].get("model") == name
                )
                for _ in range(args.runs):
                    sim.set_pod_ready(ns, pod, False)
                    row.get_by_text("2/3").wait_for(timeout=10000)
                    start = time.perf_counter()
                    sim.set_pod_ready(ns, pod, True)
                    page.wait_for_function(
                        "() => document.querySelector('.q-table tbody tr').innerText.includes('3/3')",
                        polling="raf",
                        timeout=10000,
                    )
                    ready_lat.append((time.perf_counter() - start) * 1000)
                for i in range(args.runs * 2):
                    sim.reset_request_log()
                    start = time.time()
                    row.locator(".q-toggle").click()
                    deadline = time.monotonic() + 10
                    hit = None
                    while hit is None and time.monotonic() < deadline:
                        hit = next(
                            (
                                r
                                for r in sim.requests
                                if r.verb in ("update", "patch")
                                and r.resource == "deployments"
                                and r.name == name
                            ),
                            None,
                        )
                        time.sleep(0.002)
                    click_lat.append((hit.at - start) * 1000 if hit else float("nan"))
                    row.get_by_text("0/0" if i % 2 == 0 else "3/3").wait_for(timeout=20000)
                browser.close()
            mem = rss_mb(app.proc.pid)
        finally:
            app.stop()
            sim.stop()
    a, b = statistics.median(ready_lat), statistics.median(click_lat)
    print(
        f"(a) pod Ready in simulator -> page shows it: p50 {a:.0f} ms "
        f"(runs: {', '.join(f'{x:.0f}' for x in ready_lat)})"
    )
    print(
        f"(b) click on/off -> simulator receives the write: p50 {b:.0f} ms "
        f"(runs: {', '.join(f'{x:.0f}' for x in click_lat)})"
    )
    print(f"(c) server process memory (RSS): {mem:.0f} MB")
    ok = a < 1000 and b < 300 and mem < 500
    print("targets (a < 1000 ms, b < 300 ms, c < 500 MB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
