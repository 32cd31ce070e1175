"""REST API at 2,000 models, server side: ``GET /api/v1/models`` (one page of 100, the first
and a page deep in the list) and ``PATCH`` of replicas with If-Match, p50 and p90 of the time
the API spent (its ``Server-Timing`` header, no network), plus the client's round trip.
Targets: list page < 50 ms, PATCH < 100 ms.

    .venv/bin/python bench/bench_api.py [--models 2000] [--runs 50] [--cluster none|simulator]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.bench_page import seed  # noqa: E402
from tests.apprunner import AppProcess  # noqa: E402


def server_ms(resp: httpx.Response) -> float:
    return float(resp.headers["server-timing"].split("dur=")[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, server: list[float], wall: list[float]) -> None:
    print(
        f"{name:<34} server p50 {statistics.median(server):6.1f} ms  p90 {pct(server, 0.9):6.1f} ms"
        f"   round trip p50 {statistics.median(wall):6.1f} ms"
    )


def run(client: httpx.Client, runs: int) -> None:
    first = client.get("/api/v1/models", params={"limit": 100}).json()
    deep_token = first["continue"]
    for _ in range(9):  # to the 11th page
        deep_token = client.get(
            "/api/v1/models", params={"limit": 100, "continue": deep_token}
        ).json()["continue"]
    cases = {
        "GET /models (first page of 100)": {"limit": 100},
        "GET /models (page 11 of 100)": {"limit": 100, "continue": deep_token},
        "GET /models?search=fraud (100)": {"limit": 100, "search": "fraud"},
    }
    times: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in cases}
    for _ in range(runs):  # interleaved: the machine's noise falls on each alike
        for name, params in cases.items():
            t0 = time.perf_counter()
            resp = client.get("/api/v1/models", params=params)
            times[name][1].append((time.perf_counter() - t0) * 1000)
            resp.raise_for_status()
            times[name][0].append(server_ms(resp))
    for name, (server, wall) in times.items():
        report(name, server, wall)
    item = first["items"][7]
    url = f"/api/v1/models/{item['namespace']}/{item['name']}"
    version = item["version"]
    server, wall = [], []
    for i in range(runs):
        t0 = time.perf_counter()
        resp = client.patch(url, json={"replicas": 1 + i % 3}, headers={"If-Match": f'"{version}"'})
        wall.append((time.perf_counter() - t0) * 1000)
        resp.raise_for_status()
        version = resp.json()["model"]["version"]
        server.append(server_ms(resp))
    report("PATCH replicas (If-Match)", server, wall)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--cluster", default="none", choices=["none", "simulator"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed(url, args.models)
        env = {
            "BARISTA_DATABASE_URL": url,
            "BARISTA_SEED_DEMO": "false",
            "BARISTA_CLUSTER": args.cluster,
            "BARISTA_SCHEDULER_ENABLED": "false",
        }
        app = AppProcess(env, cwd=Path(tmp))
        try:
            app.wait_ready(120)
            print(f"{args.models} models, cluster: {args.cluster}, {args.runs} calls each")
            with httpx.Client(base_url=app.url, timeout=60) as client:
                for _ in range(5):  # warm-up
                    client.get("/api/v1/models", params={"limit": 100})
                run(client, args.runs)
        finally:
            app.stop()


if __name__ == "__main__":
    main()
