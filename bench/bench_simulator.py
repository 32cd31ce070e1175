"""Cluster simulator start-up: N Deployments x 3 replicas until all 3N pods are Running and Ready.

The simulator runs in its own process (as ``barista simulator`` does), with the controller
timings of the live-state bench (speed 10, 20 nodes). The bench creates the Deployments through
the official client (8 threads) and follows the pods with one watch through the official
client; it reports, per fleet size (medians of ``--runs``):

- creates: the time until the last Deployment create was answered,
- all ready: the time until the watch had seen every pod Running with Ready=True,
- the simulator process's CPU time from the first create to then (less sensitive to a busy
  machine than the wall-clock time), its RSS and thread count once all pods are ready.

Target: 10,000 x 3 all ready well under a minute.

    .venv/bin/python bench/bench_simulator.py [--models 2000,10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NAMESPACES = 4


def serve(kubeconfig: str) -> None:
    """The child process: a simulator with the bench's timings until stdin closes."""
    from bench.fleet import start_bench_simulator

    sim = start_bench_simulator(20)
    sim.write_kubeconfig(kubeconfig)
    print("ready", flush=True)
    sys.stdin.read()
    sim.stop()


def deployment(i: int) -> dict:
    name = f"model-{i:05d}"
    labels = {"model": name}
    container = {
        "name": "model",
        "image": f"registry.example.com/bench/{name}:1.0",
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }


def _ready(pod: dict) -> bool:
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )


def proc_status(pid: int) -> tuple[float, int, float]:
    """(RSS in MB, threads, CPU seconds used) of a process."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"]), cpu


def follow(core, rv: str, want: int, done: threading.Event, seen: set) -> None:
    """Watch every pod until ``want`` of them are Running and Ready at once."""
    from kubernetes import watch

    w = watch.Watch()
    for event in w.stream(
        core.list_pod_for_all_namespaces,
        resource_version=rv,
        timeout_seconds=3600,
        deserialize=False,  # the official client's JSON decoding only: the simulator is measured
    ):
        pod = event["object"]
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        if event["type"] != "DELETED" and _ready(pod):
            seen.add(key)
        else:
            seen.discard(key)
        if len(seen) >= want:
            done.set()
            w.stop()
            return


def one_run(n: int, timeout: float) -> tuple[float, float, float, int, float]:
    """(creates s, all ready s, RSS MB, threads, CPU s) of one fresh simulator."""
    from kubernetes import client, config

    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = f"{tmp}/kubeconfig"
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", kubeconfig],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            cpu0 = proc_status(child.pid)[2]
            api = config.new_client_from_config(config_file=kubeconfig)
            core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
            for i in range(NAMESPACES):
                core.create_namespace({"metadata": {"name": f"ml-{i}"}})
            rv = core.list_pod_for_all_namespaces().metadata.resource_version
            done, seen = threading.Event(), set()
            threading.Thread(target=follow, args=(core, rv, 3 * n, done, seen), daemon=True).start()
            t0 = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                list(
                    pool.map(
                        lambda i: apps.create_namespaced_deployment(
                            f"ml-{i % NAMESPACES}", deployment(i)
                        ),
                        range(n),
                    )
                )
            created = time.perf_counter() - t0
            if not done.wait(timeout):
                raise SystemExit(f"{n}: only {len(seen)} of {3 * n} pods ready after {timeout} s")
            ready = time.perf_counter() - t0
            rss, threads, cpu = proc_status(child.pid)
            return created, ready, rss, threads, cpu - cpu0
        finally:
            if child.stdin:
                child.stdin.close()
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:  # a busy simulator that stops slowly
                child.kill()
                child.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="2000,10000", help="comma-separated fleet sizes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    parser.add_argument("--serve", metavar="KUBECONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    sizes = [int(s) for s in args.models.split(",") if s.strip()]
    results: dict[int, list[tuple[float, float, float, int, float]]] = {}
    for n in sizes:
        results[n] = []
        for run in range(args.runs):
            results[n].append(one_run(n, args.timeout))
            created, ready, rss, threads, cpu = results[n][-1]
            print(
                f"  {n} x 3, run {run + 1}: creates {created:.1f} s, all ready {ready:.1f} s, "
                f"simulator CPU {cpu:.1f} s, RSS {rss:.0f} MB, {threads} threads",
                flush=True,
            )
    rows = [
        ("Deployments created (s)", 0, "{:.1f}"),
        ("all pods Running+Ready (s)", 1, "{:.1f}"),
        ("simulator CPU until then (s)", 4, "{:.1f}"),
        ("simulator RSS (MB)", 2, "{:.0f}"),
        ("simulator threads", 3, "{:.0f}"),
    ]
    print(
        f"\n{'metric (median of ' + str(args.runs) + ')':<30}" + "".join(f"{n:>12,}" for n in sizes)
    )
    print(f"{'pods':<30}" + "".join(f"{3 * n:>12,}" for n in sizes))
    for label, i, fmt in rows:
        cells = "".join(
            f"{fmt.format(statistics.median(r[i] for r in results[n])):>12}" for n in sizes
        )
        print(f"{label:<30}{cells}")
    slowest = max(statistics.median(r[1] for r in results[n]) for n in sizes)
    print(f"target (all ready well under 60 s): {'met' if slowest < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
