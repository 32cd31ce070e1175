"""Live cluster state at fleet scale (N models x 3 pods in the simulator), with the page in Chromium.

Measures, per fleet size: the simulator's start of the fleet (apply -> every pod Running, once),
(a) a pod turning Ready in the simulator -> the page showing it (p50, p99 over every toggle of
every run), (b) a click on a model's on/off switch -> the simulator receiving the write (p50),
(c) the server process's memory (RSS, median of the runs). Each run starts a fresh server.
Targets at 10,000 models: (a) p50 < 250 ms and p99 < 1 s, (b) p50 < 300 ms, (c) < 400 MB.

    .venv/bin/python bench/bench_cluster.py [--models 2000,10000] [--runs 3] [--toggles 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from barista_ui.records.registry import RegistryService  # noqa: E402
from bench.fleet import start_bench_simulator  # noqa: E402
from conftest import CHROMIUM_ARGS  # noqa: E402
from data.db import make_engine, migrate, session_factory  # noqa: E402
from k8s.gateway import ClusterGateway  # noqa: E402
from k8s.simulator import Simulator  # noqa: E402
from tests.apprunner import AppProcess  # noqa: E402

ROW = ".q-table tbody tr"


def records(n: int) -> list[dict]:
    return [
        {
            "name": f"model-{i:05d}",
            "namespace": f"ml-{i % 4}",
            "team": f"team-{i % 5}",
            "owner": "bench@example.com",
            "image": f"registry.example.com/bench/model-{i:05d}:1.0.{i % 10}",
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


def running_pods(sim: Simulator) -> int:
    """Pods Running, counted in the store under its lock: listing copies every pod, and a
    once-a-second copy of 30,000 pods slowed the simulator's own controllers down."""
    with sim.store.lock:
        pods = sim.store.by_resource.get("pods", {}).values()
        return sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Running")


def seed(sim: Simulator, recs: list[dict]) -> float:
    """Apply the fleet through the gateway (parallel writers) and wait for every pod to run;
    returns the seconds it took."""
    t0 = time.perf_counter()
    gw = ClusterGateway(sim.api_client())
    for ns in sorted({r["namespace"] for r in recs}):
        gw.ensure_namespace(ns)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda r: gw.apply({**r, "labels": {}, "env": {}}, 3), recs))
    deadline = time.monotonic() + 3600
    while running_pods(sim) < 3 * len(recs) and time.monotonic() < deadline:
        time.sleep(2)
    return time.perf_counter() - t0


def pod_of(sim: Simulator, ns: str, name: str) -> str:
    return next(
        o["metadata"]["name"]
        for o in sim.list_objects("Pod", ns)
        if o["metadata"]["labels"].get("model") == name
    )


def shows(page: Page, text: str, timeout_ms: float = 10_000) -> None:
    page.wait_for_function(
        f"() => (document.querySelector('{ROW}') || {{}}).innerText?.includes('{text}')",
        polling="raf",
        timeout=timeout_ms,
    )


def ready_latencies(sim: Simulator, page: Page, ns: str, pod: str, toggles: int) -> list[float]:
    out = []
    for _ in range(toggles):
        sim.set_pod_ready(ns, pod, False)
        shows(page, "2/3", 120_000)  # the server's start (first apply, history) may still run
        start = time.perf_counter()
        sim.set_pod_ready(ns, pod, True)
        try:
            shows(page, "3/3")
            out.append((time.perf_counter() - start) * 1000)
        except Exception:  # not shown within 10 s: counted as 10 s
            out.append(10_000.0)
    return out


def click_latencies(sim: Simulator, page: Page, name: str, clicks: int) -> list[float]:
    out = []
    for i in range(clicks):
        sim.reset_request_log()
        start = time.time()
        page.locator(ROW).first.locator(".q-toggle").click()
        deadline, hit = time.monotonic() + 10, None
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
        out.append((hit.at - start) * 1000 if hit else float("nan"))
        shows(page, "0/0" if i % 2 == 0 else "3/3", 30_000)
    return out


def one_run(sim: Simulator, tmp: str, db: str, target: dict, args: Any) -> dict[str, Any]:
    """Start the server, open the page on the target model, toggle its pod and its switch."""
    app = AppProcess(
        {
            "BARISTA_DATABASE_URL": db,
            "BARISTA_KUBECONFIG": sim.write_kubeconfig(f"{tmp}/kubeconfig"),
            "BARISTA_SEED_DEMO": "false",
            "BARISTA_SCHEDULER_ENABLED": "false",
        },
        cwd=Path(tmp),
    )
    name, ns = target["name"], target["namespace"]
    try:
        app.wait_ready(300)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(app.url)
            page.locator(ROW).first.wait_for(timeout=300_000)
            page.locator("input[placeholder^='Search']").fill(name)
            shows(page, name, 60_000)  # the first row is the model's
            shows(page, "3/3", 300_000)
            pod = pod_of(sim, ns, name)
            ready = ready_latencies(sim, page, ns, pod, args.toggles)
            clicks = click_latencies(sim, page, name, 4)
            browser.close()
        mem = rss_mb(app.proc.pid)
    finally:
        app.stop()
    return {"ready": ready, "click": clicks, "rss": mem}


def measure(n: int, args: Any) -> dict[str, float]:
    sim = start_bench_simulator(20 + n // 100)
    recs = records(n)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = f"sqlite:///{tmp}/bench.db"
            engine = make_engine(db)
            migrate(engine)
            RegistryService(session_factory(engine)).apply_many(recs, actor="bench", source="cli")
            engine.dispose()
            started = seed(sim, recs)
            print(f"{n} models: every pod Running after {started:.0f} s", flush=True)
            runs = [one_run(sim, tmp, db, recs[n // 2], args) for _ in range(args.runs)]
    finally:
        sim.stop()
    ready = sorted(x for r in runs for x in r["ready"])
    for i, r in enumerate(runs):
        print(f"  run {i + 1}: ready ms {[round(x) for x in r['ready']]}", flush=True)
    return {
        "simulator start, s (once)": started,
        "pod Ready -> page p50, ms": statistics.median(ready),
        "pod Ready -> page p99, ms": ready[min(len(ready) - 1, round(0.99 * (len(ready) - 1)))],
        "switch click -> write p50, ms": statistics.median(x for r in runs for x in r["click"]),
        "server RSS, MB": statistics.median(r["rss"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="2000,10000", help="fleet sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="server starts per size")
    parser.add_argument("--toggles", type=int, default=10, help="pod toggles per run")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    sizes = [int(s) for s in args.models.split(",") if s.strip()]
    results = {n: measure(n, args) for n in sizes}
    metrics = list(next(iter(results.values())))
    width = max(len(m) for m in metrics)
    print(f"\n{'':{width}}" + "".join(f"{n:>10}" for n in sizes))
    for m in metrics:
        print(f"{m:{width}}" + "".join(f"{results[n][m]:>10.0f}" for n in sizes))
    print(
        f"medians over {args.runs} server runs x {args.toggles} toggles; targets at 10,000: "
        "Ready p50 < 250 ms, p99 < 1000 ms, click p50 < 300 ms, RSS < 400 MB"
    )


if __name__ == "__main__":
    main()
