"""CLI start-up: wall time of ``barista --help``, local ``barista models get NAME`` (direct
database) and remote ``barista models get NAME`` (BARISTA_URL, against a running server),
medians of several runs, each a fresh process, with Python's bytecode cache on (as pip
installs it; the first run of each command warms it). Target: remote ``models get`` < 0.5 s.

    .venv/bin/python bench/bench_cli.py [--runs 7] [--models 200]
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

from bench.bench_page import seed  # noqa: E402
from tests.apprunner import AppProcess  # noqa: E402

BARISTA = str(Path(sys.executable).parent / "barista")


def wall(args: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run; on a busy machine the CPU time is
    what the command itself costs, the wall time adds the wait for a core."""
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--models", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed(db, args.models)
        base = {k: v for k, v in os.environ.items() if not k.startswith("BARISTA_")}
        # as installed by pip (bytecode cached): the warm-up run writes the .pyc files
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        base.update(XDG_CONFIG_HOME=str(Path(tmp) / "config"), BARISTA_ACTOR="bench")
        local = {**base, "BARISTA_DATABASE_URL": db, "BARISTA_CLUSTER": "none"}
        name = "fraud-scorer-0000"
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
            server.wait_ready(120)
            remote = {**base, "BARISTA_URL": server.url}
            for label, cmd, env in (
                ("barista --help", ["--help"], local),
                ("local  models get NAME", ["models", "get", name], local),
                ("remote models get NAME", ["models", "get", name], remote),
                ("remote models list (all)", ["models", "list"], remote),
            ):
                t, cpu = wall(cmd, env, args.runs)
                print(
                    f"{label:<26} wall median {statistics.median(t):5.2f} s (min {min(t):.2f}, "
                    f"max {max(t):.2f})  cpu median {statistics.median(cpu):5.2f} s  ({len(t)} runs)"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
