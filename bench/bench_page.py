"""Models page at 20 and 2,000 models, in Chromium.

Measures (a) navigation start → first table rows visible and (b) one search keystroke →
table filtered, 5 runs each, and prints medians and the 2,000/20 ratios.
Targets: at 2,000 models interactive < 1.5 s and search < 150 ms, neither > 2x the 20 figure.

    .venv/bin/python bench/bench_page.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from barista_ui.records.registry import RegistryService  # noqa: E402
from conftest import CHROMIUM_ARGS  # noqa: E402
from data.db import make_engine, migrate, session_factory  # noqa: E402
from data.seed import demo_records  # noqa: E402
from tests.apprunner import AppProcess  # noqa: E402


def seed(url: str, n: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    base = demo_records()
    records = []
    for i in range(n):
        rec = dict(base[i % len(base)])
        rec["name"] = f"{rec['name'][:50]}-{i:04d}"
        records.append(rec)
    RegistryService(session_factory(engine), max_replicas=50).apply_many(
        records, actor="bench", source="cli"
    )
    engine.dispose()


def measure(url: str, runs: int, chromium: str) -> tuple[list[float], list[float]]:
    loads, searches = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for _ in range(runs + 1):  # first run warms the server and the browser cache
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url, wait_until="commit")
            page.wait_for_selector(".q-table tbody tr", state="visible")
            load_ms = page.evaluate("performance.now()")
            box = page.get_by_placeholder("Search name, team, image, owner")
            box.click()
            page.evaluate(
                """() => { window.__rows = document.querySelectorAll('.q-table tbody tr').length;
                   window.__t0 = null; window.__t1 = null;
                   const body = document.querySelector('.q-table tbody');
                   new MutationObserver(() => { if (window.__t0 && !window.__t1) window.__t1 = performance.now(); })
                     .observe(body, {childList: true, subtree: true});
                   document.querySelector('input[placeholder^="Search"]').addEventListener(
                     'keydown', () => { window.__t0 = performance.now(); }, {once: true}); }"""
            )
            page.keyboard.type("z")  # 'z' matches no model: the table empties
            page.wait_for_function("window.__t1 !== null")
            search_ms = page.evaluate("window.__t1 - window.__t0")
            page.close()
            loads.append(load_ms)
            searches.append(search_ms)
        browser.close()
    return loads[1:], searches[1:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    results = {}
    for n in (20, 2000):
        with tempfile.TemporaryDirectory() as tmp:
            db = f"sqlite:///{tmp}/bench.db"
            seed(db, n)
            app = AppProcess(
                {
                    "BARISTA_DATABASE_URL": db,
                    "BARISTA_CLUSTER": "none",
                    "BARISTA_SCHEDULER_ENABLED": "false",
                    "BARISTA_SEED_DEMO": "false",
                },
                cwd=Path(tmp),
            )
            try:
                app.wait_ready()
                loads, searches = measure(app.url, args.runs, args.chromium)
            finally:
                app.stop()
        results[n] = (statistics.median(loads), statistics.median(searches))
        print(
            f"{n:>5} models: first rows visible {results[n][0]:7.0f} ms (median of {args.runs}), "
            f"search keystroke -> filtered {results[n][1]:6.1f} ms"
        )
    (l20, s20), (l2k, s2k) = results[20], results[2000]
    print(f"ratio 2000/20: load {l2k / l20:.2f}x, search {s2k / s20:.2f}x")
    ok = l2k < 1500 and s2k < 150 and l2k / l20 <= 2 and s2k / s20 <= 2
    print("targets (<1500 ms, <150 ms, <=2x):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
