"""Cost at 2,000 models with 30 days of hourly replica changes.

Prints medians of 5 runs of (a) cost per team per day and per model through the service
(database load + aggregation) and (b) navigation → the Cost tab's charts rendered in Chromium.
Targets: report < 1 s, tab visible < 2 s.

    .venv/bin/python bench/bench_cost.py [--models 2000] [--days 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert  # noqa: E402
from sqlmodel import select  # noqa: E402

from barista_ui.cost.service import CostService  # noqa: E402
from barista_ui.records.registry import RegistryService  # noqa: E402
from conftest import CHROMIUM_ARGS  # noqa: E402
from data.cost_tables import ReplicaSegment  # noqa: E402
from data.db import make_engine, migrate, session_factory, transaction  # noqa: E402
from tests.apprunner import AppProcess  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--keep", help="directory to keep the database in (reused if there)")
    args = parser.parse_args()
    rng = random.Random(5)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=args.days)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{tmp}/bench.db"
        reuse = Path(tmp, "bench.db").exists()
        engine = make_engine(url)
        migrate(engine)
        new = session_factory(engine)
        if reuse:
            with new() as s:
                first = s.exec(select(func.min(ReplicaSegment.start))).one()
            start = first.astimezone(UTC)
            now = start + timedelta(days=args.days)
        recs = [
            {
                "name": f"model-{i:04d}",
                "namespace": f"ml-{i % 4}",
                "team": f"team-{i % 8}",
                "image": f"registry.example.com/m-{i}:1.0",
                "replicas": 2,
                "resources": {"requests": {"cpu": "1", "memory": "2Gi"}},
            }
            for i in range(args.models)
        ]
        if not reuse:
            RegistryService(new).apply_many(recs, actor="bench", source="cli")
        if not reuse:
            t0 = time.perf_counter()
            rows = []
            for r in recs:
                t = start
                while t < now:
                    rows.append(
                        {
                            "namespace": r["namespace"],
                            "name": r["name"],
                            "team": r["team"],
                            "start": t,
                            "end": t + timedelta(hours=1),
                            "replicas": rng.randint(0, 4),
                            "reason": "watch",
                            "hourly_rate": 0.04,
                            "scheduled_down": False,
                            "baseline_replicas": None,
                            "demo": True,
                        }
                    )
                    t += timedelta(hours=1)
            with transaction(new) as s:
                for i in range(0, len(rows), 50_000):
                    s.execute(insert(ReplicaSegment), rows[i : i + 50_000])
            print(f"{len(rows):,} segments stored in {time.perf_counter() - t0:.1f} s")
        svc = CostService(new, clock=lambda: now)
        t_roll = time.perf_counter()
        days = svc.refresh_rollups()
        print(
            f"roll-up of {days} complete days (done once, as days end): "
            f"{time.perf_counter() - t_roll:.1f} s"
        )
        # whole days, as the Cost tab and `barista cost report` ask: the 29 complete days from
        # the roll-up plus today so far from raw segments
        day0 = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), UTC)
        mid_day = start + timedelta(hours=5)  # a period starting mid-day: that day from raw rows
        for label, lo in (("whole days", day0), ("starting mid-day", mid_day)):
            times = []
            for _ in range(5):
                t1 = time.perf_counter()
                per_team_day = svc.totals(lo, now, ["day", "team"])
                per_model = svc.totals(lo, now, ["namespace", "model", "team"])
                times.append(time.perf_counter() - t1)
            if label == "whole days":
                report_median = statistics.median(times)
            print(
                f"(a) cost per team per day ({len(per_team_day)}) and per model "
                f"({len(per_model)}), {label}: median {statistics.median(times):.2f} s "
                f"(runs: {', '.join(f'{x:.2f}' for x in times)})"
            )
        engine.dispose()
        app = AppProcess(
            {
                "BARISTA_DATABASE_URL": url,
                "BARISTA_CLUSTER": "none",
                "BARISTA_SEED_DEMO": "false",
                "BARISTA_SCHEDULER_ENABLED": "false",
            },
            cwd=Path(tmp),
        )
        tab = []
        try:
            app.wait_ready()
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                for _ in range(6):
                    page = browser.new_page(viewport={"width": 1440, "height": 900})
                    t2 = time.perf_counter()
                    page.goto(app.url + "/?tab=cost")
                    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60000)
                    tab.append(time.perf_counter() - t2)
                    page.close()
                browser.close()
        finally:
            app.stop()
        tab = tab[1:]
        print(
            f"(b) Cost tab visible with charts: median {statistics.median(tab):.2f} s "
            f"(runs: {', '.join(f'{x:.2f}' for x in tab)})"
        )
        ok = report_median < 1 and statistics.median(tab) < 2
        print("targets (report < 1 s, tab < 2 s):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
