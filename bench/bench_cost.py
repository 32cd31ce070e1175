"""Cost at fleet scale: reports and the Cost tab for every fleet size x history length.

For each ``--models`` size and ``--days`` length it seeds replica history (each model changes
its replica count at random intervals of 1 to 2*``--every``-1 hours, so ``--every 6`` means a
change every 6 hours on average; the segment count is printed), rolls up the finished days as
the dashboard does once a day, and measures (medians of ``--runs``):

- report, whole days: cost per team per day and per model through the service, from the first
  midnight of the history to now (the finished days from the roll-ups, today from segments);
- report, mid-day start: the same from 05:00 past the history's start (a partial first day);
- Cost tab navigation -> charts: a fresh page at ``/?tab=cost&range=DAYS`` until every chart
  is drawn in Chromium (one warm-up navigation first, not counted); only for the sizes in
  ``--tab-models`` (a browser run at 10,000 models mostly measures the models table's load).

Targets: reports < 0.3 s mid-day, < 1 s at 10,000 models x 90 days; tab < 1 s at 2,000 models.

    .venv/bin/python bench/bench_cost.py [--models 2000,10000] [--days 30,90] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from barista_ui.cost.service import CostService  # noqa: E402
from barista_ui.records.registry import RegistryService  # noqa: E402
from conftest import CHROMIUM_ARGS  # noqa: E402
from data.cost_tables import ReplicaSegment  # noqa: E402
from data.db import make_engine, migrate, session_factory  # noqa: E402
from tests.apprunner import AppProcess  # noqa: E402

ROWS = ("report, whole days", "report, mid-day start", "Cost tab navigation -> charts")
ROLLUP_STEP_DAYS = 10  # roll up history in slices, as the dashboard does day by day
SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite
# every chart of the default modeled view drawn: daily cost, month vs budget, savings, heatmap
CHARTS_DRAWN = """n => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(p => p.offsetParent !== null && p.querySelector('.main-svg')).length >= n"""


def records(models: int) -> list[dict]:
    return [
        {
            "name": f"model-{i:05d}",
            "namespace": f"ml-{i % 4}",
            "team": f"team-{i % 8}",
            "image": f"registry.example.com/m-{i}:1.0",
            "replicas": 2,
            "resources": {"requests": {"cpu": "1", "memory": "2Gi"}},
        }
        for i in range(models)
    ]


def history_rows(recs: list[dict], start: datetime, now: datetime, every: int):
    """Segments of every model, generated model by model (the last one still open)."""
    rng = np.random.default_rng(5)
    hours = int((now - start).total_seconds() // 3600)
    for r in recs:
        steps = rng.integers(1, 2 * every, size=hours // every * 2 + 2)
        marks = np.concatenate([[0], np.cumsum(steps)])
        marks = marks[marks < hours]
        ends = [*marks[1:].tolist(), None]
        reps = rng.integers(0, 5, size=len(marks)).tolist()
        for h0, h1, n in zip(marks.tolist(), ends, reps, strict=True):
            lo = (start + timedelta(hours=h0)).strftime(SQLITE_TS)
            hi = None if h1 is None else (start + timedelta(hours=h1)).strftime(SQLITE_TS)
            yield (r["namespace"], r["name"], r["team"], lo, hi, n, "watch", 0.04, 0, None, 1)


def seed(path: Path, models: int, days: int, every: int) -> tuple[datetime, datetime]:
    """A database of ``models`` with ``days`` of history ending now (reused when there)."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(engine)
    new = session_factory(engine)
    with new() as s:
        first = s.exec(select(func.min(ReplicaSegment.start))).one()
    if first is not None:
        engine.dispose()
        start = first.astimezone(UTC)
        return start, start + timedelta(days=days)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=days)
    t0 = time.perf_counter()
    recs = records(models)
    RegistryService(new).apply_many(recs, actor="bench", source="cli")
    engine.dispose()
    con = sqlite3.connect(path)
    con.executemany(
        'INSERT INTO replica_segment (namespace, name, team, start, "end", replicas, reason, '
        "hourly_rate, scheduled_down, baseline_replicas, demo) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        history_rows(recs, start, now, every),
    )
    con.commit()
    con.close()
    print(f"  seeded {models:,} models x {days} days in {time.perf_counter() - t0:.0f} s")
    return start, now


def rolled_service(path: Path, start: datetime, now: datetime) -> CostService:
    """The service over the database, its finished days rolled up (slice by slice)."""
    new = session_factory(make_engine(f"sqlite:///{path}"))
    t0 = time.perf_counter()
    at = start
    while at < now:
        at = min(at + timedelta(days=ROLLUP_STEP_DAYS), now)
        CostService(new, clock=lambda at=at: at).refresh_rollups()
    with new() as s:
        n = s.exec(select(func.count()).select_from(ReplicaSegment)).one()
    print(f"  {n:,} segments; roll-ups ready after {time.perf_counter() - t0:.0f} s")
    return CostService(new, clock=lambda: now)


def median_of(runs: int, once: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        once()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def report_times(svc: CostService, start: datetime, now: datetime, runs: int) -> list[float]:
    day0 = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), UTC)
    mid_day = day0 + timedelta(hours=5)  # the first day from 05:00: a partial day

    def report(lo: datetime) -> Callable[[], object]:
        def once() -> None:
            svc.totals(lo, now, ["day", "team"])
            svc.totals(lo, now, ["namespace", "model", "team"])

        return once

    return [median_of(runs, report(day0)), median_of(runs, report(mid_day))]


def tab_time(path: Path, days: int, runs: int, chromium: str) -> float:
    """Navigation to the Cost tab showing ``days`` days -> every chart drawn."""
    from playwright.sync_api import sync_playwright

    app = AppProcess(
        {
            "BARISTA_DATABASE_URL": f"sqlite:///{path}",
            "BARISTA_CLUSTER": "none",
            "BARISTA_SEED_DEMO": "false",
            "BARISTA_SCHEDULER_ENABLED": "false",
        },
        cwd=path.parent,
    )
    times = []
    try:
        app.wait_ready(timeout=180)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for _ in range(runs + 1):
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                t0 = time.perf_counter()
                page.goto(f"{app.url}/?tab=cost&range={days}")
                page.wait_for_function(CHARTS_DRAWN, arg=4, timeout=120_000, polling=20)
                times.append(time.perf_counter() - t0)
                page.close()
            browser.close()
    finally:
        app.stop()
    return statistics.median(times[1:])


def sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="2000,10000", help="fleet sizes, comma-separated")
    parser.add_argument("--days", default="30,90", help="history lengths, comma-separated")
    parser.add_argument("--every", type=int, default=6, help="mean hours between changes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tab-models", default="2000", help="sizes to open the tab at")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--keep", help="directory to keep the databases in (reused if there)")
    args = parser.parse_args()
    tab_sizes = sizes(args.tab_models)
    columns: list[str] = []
    table: dict[str, list[str]] = {row: [] for row in ROWS}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for models in sizes(args.models):
            for days in sizes(args.days):
                print(f"{models:,} models x {days} days:", flush=True)
                path = folder / f"cost-{models}x{days}-every{args.every}h.db"
                start, now = seed(path, models, days, args.every)
                svc = rolled_service(path, start, now)
                whole, mid = report_times(svc, start, now, args.runs)
                tab = (
                    tab_time(path, days, args.runs, args.chromium) if models in tab_sizes else None
                )
                columns.append(f"{models:,} x {days} d")
                table[ROWS[0]].append(f"{whole:.2f} s")
                table[ROWS[1]].append(f"{mid:.2f} s")
                table[ROWS[2]].append("-" if tab is None else f"{tab:.2f} s")
    width = max(len(r) for r in ROWS)
    print(f"\nmedians of {args.runs} runs; history: a change every {args.every} h on average")
    print(" | ".join([" " * width, *(f"{c:>16}" for c in columns)]))
    for row in ROWS:
        print(" | ".join([row.ljust(width), *(f"{v:>16}" for v in table[row])]))


if __name__ == "__main__":
    main()
