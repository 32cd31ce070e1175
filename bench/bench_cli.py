"""CLI start-up at fleet scale: wall time of ``barista --help`` and of local-mode
``barista models get NAME`` (direct database, SQLite), and of remote-mode ``models get`` and
``models list`` (BARISTA_URL, against a running server), on a database seeded with N records.

Each figure is the median of ``--runs`` fresh processes with Python's bytecode cache on (as
``make install`` compiles it; the first run of each command warms the project's own .pyc
files). Targets: ``--help`` and local ``models get`` < 0.4 s at every fleet size (start-up must
not grow with the fleet), remote ``models get`` < 0.5 s. CPU (user + system) is printed beside
the wall time: on a busy machine it is what the command itself costs.

    .venv/bin/python bench/bench_cli.py [--runs 7] [--models 2000,10000] [--no-remote]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fleet import seed_models  # noqa: E402
from tests.apprunner import AppProcess  # noqa: E402

BARISTA = str(Path(sys.executable).parent / "barista")
NAME = "fraud-scorer-00000"
LOCAL_TARGET = 0.4
REMOTE_TARGET = 0.5


def timed(args: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run, each a fresh process."""
    times, cpu = [], []
    for _ in range(runs + 1):  # the first run warms the file and bytecode caches
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        res = subprocess.run([BARISTA, *args], env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if res.returncode != 0:
            raise SystemExit(f"barista {' '.join(args)} failed: {res.stderr}")
    return times[1:], cpu[1:]


def measure_size(n: int, runs: int, remote: bool) -> dict[str, float]:
    """Medians (seconds) of every metric on a fresh database of ``n`` records."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed_models(db, n)
        base = {k: v for k, v in os.environ.items() if not k.startswith("BARISTA_")}
        # as installed by `make install` (bytecode cached): the warm-up run writes the .pyc files
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        base.update(XDG_CONFIG_HOME=str(Path(tmp) / "config"), BARISTA_ACTOR="bench")
        local = {**base, "BARISTA_DATABASE_URL": db, "BARISTA_CLUSTER": "none"}
        for key, cmd in (("help", ["--help"]), ("get", ["models", "get", NAME])):
            wall, cpu = timed(cmd, local, runs)
            out[f"local {key} wall"], out[f"local {key} cpu"] = median(wall), median(cpu)
        if remote:
            out.update(measure_remote(db, base, tmp, runs))
    return out


def measure_remote(db: str, base: dict[str, str], tmp: str, runs: int) -> dict[str, float]:
    server = AppProcess(
        {
            "BARISTA_DATABASE_URL": db,
            "BARISTA_CLUSTER": "none",
            "BARISTA_SEED_DEMO": "false",
            "BARISTA_SCHEDULER_ENABLED": "false",
        },
        cwd=Path(tmp),
    )
    try:
        server.wait_ready(180)
        env = {**base, "BARISTA_URL": server.url}
        get_wall, _ = timed(["models", "get", NAME], env, runs)
        list_wall, _ = timed(["models", "list"], env, runs)
    finally:
        server.stop()
    return {"remote get wall": median(get_wall), "remote list wall": median(list_wall)}


def median(values: list[float]) -> float:
    return statistics.median(values)


ROWS = (  # key, label, target (seconds) or None
    ("local help wall", "barista --help, wall", LOCAL_TARGET),
    ("local help cpu", "barista --help, cpu", None),
    ("local get wall", "local models get NAME, wall", LOCAL_TARGET),
    ("local get cpu", "local models get NAME, cpu", None),
    ("remote get wall", "remote models get NAME, wall", REMOTE_TARGET),
    ("remote list wall", "remote models list (all), wall", None),
)


def print_table(sizes: list[int], results: dict[int, dict[str, float]], runs: int) -> None:
    head = f"{'metric (median of ' + str(runs) + ' fresh processes)':<42}"
    head += "".join(f"{f'{n:,} models':>15}" for n in sizes) + f"{'target':>10}"
    print(head)
    print("-" * len(head))
    for key, label, target in ROWS:
        if key not in results[sizes[0]]:
            continue
        cells = "".join(f"{results[n][key]:>13.3f} s" for n in sizes)
        goal = f"< {target:.1f} s" if target is not None else ""
        print(f"{label:<42}{cells}{goal:>10}")
    if len(sizes) > 1:
        ratio = results[sizes[-1]]["local get wall"] / results[sizes[0]]["local get wall"]
        print(f"local models get, {sizes[-1]:,} / {sizes[0]:,} models: {ratio:.2f}x (flat = 1)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="fresh processes per figure (>= 5)")
    ap.add_argument("--models", default="2000,10000", help="fleet sizes, comma-separated")
    ap.add_argument("--no-remote", action="store_true", help="skip the server-backed figures")
    args = ap.parse_args()
    sizes = [int(s) for s in args.models.split(",") if s.strip()]
    results = {n: measure_size(n, args.runs, not args.no_remote) for n in sizes}
    print_table(sizes, results, args.runs)


if __name__ == "__main__":
    main()
