"""Models page in Chromium at 20 models and at the fleet sizes asked for.

Measures (a) navigation start → first table rows visible, (b) one search keystroke → the table
shows the filtered rows (from the keydown to the first change of the table body in the DOM, so
the round trip to the server is inside the figure), for a keystroke that matches nothing and
for one that leaves a full page of matches. Medians of ``--runs`` runs (after one warm-up run)
per size, in one table with the ratio to the 20-model figure.
Targets at 10,000 models: first rows < 1 s and <= 1.3x the 20-model figure; a keystroke < 50 ms.

    .venv/bin/python bench/bench_page.py [--models 2000,10000] [--runs 3] [--db-dir DIR]

``--db-dir`` keeps the seeded databases (``page-N.db``) there and reuses them next time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from bench.fleet import seed_models  # noqa: E402
from conftest import CHROMIUM_ARGS  # noqa: E402
from tests.apprunner import AppProcess  # noqa: E402

BASELINE = 20
SEARCH = 'input[placeholder^="Search"]'
# the first change of the table body after the keydown (rows replaced, removed or re-texted)
WATCH_JS = (
    """() => { window.__t0 = null; window.__t1 = null;
  const body = document.querySelector('.q-table tbody') || document.querySelector('.q-table');
  new MutationObserver(() => { if (window.__t0 && !window.__t1) window.__t1 = performance.now(); })
    .observe(body.parentElement, {childList: true, subtree: true, characterData: true});
  document.querySelector('SEARCH').addEventListener(
    'keydown', () => { window.__t0 = performance.now(); }, {once: true}); }"""
).replace("SEARCH", SEARCH)
METRICS = (
    ("first rows visible (ms)", "load"),
    ("keystroke -> filtered, no match (ms)", "none"),
    ("keystroke -> filtered, a page of matches (ms)", "page"),
)


def seeded(n: int, tmp: Path, keep: Path | None) -> str:
    """A database with ``n`` models (reused from ``keep`` when it is there)."""
    db = tmp / f"page-{n}.db"
    kept = keep / f"page-{n}.db" if keep else None
    if kept is not None and kept.exists():
        shutil.copy(kept, db)
    else:
        started = time.perf_counter()
        seed_models(f"sqlite:///{db}", n)
        print(f"seeded {n} models in {time.perf_counter() - started:.1f} s", flush=True)
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(db, kept)
    return f"sqlite:///{db}"


def keystroke(page: Page, key: str) -> float:
    """ms from the keydown of ``key`` in the search box to the table body's first change."""
    page.locator(SEARCH).click()
    page.evaluate(WATCH_JS)
    page.keyboard.type(key)
    page.wait_for_function("window.__t1 !== null")
    return float(page.evaluate("window.__t1 - window.__t0"))


def measure(url: str, runs: int, chromium: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"load": [], "none": [], "page": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for run in range(runs + 1):  # the first run warms the server and the browser cache
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url, wait_until="commit")
            page.wait_for_selector(".q-table tbody tr", state="visible", timeout=120_000)
            load = float(page.evaluate("performance.now()"))
            none = keystroke(page, "z")  # 'z' matches no model: the table empties
            page.keyboard.press("Backspace")
            page.wait_for_selector(".q-table tbody tr", state="visible")
            full = keystroke(page, "9")  # leaves a page of matches, not the page shown before
            page.close()
            if run:
                out["load"].append(load)
                out["none"].append(none)
                out["page"].append(full)
        browser.close()
    return out


def run_size(n: int, args: argparse.Namespace, tmp: Path) -> dict[str, float]:
    app = AppProcess(
        {
            "BARISTA_DATABASE_URL": seeded(n, tmp, args.db_dir),
            "BARISTA_CLUSTER": "none",
            "BARISTA_SCHEDULER_ENABLED": "false",
            "BARISTA_SEED_DEMO": "false",
        },
        cwd=tmp,
    )
    try:
        app.wait_ready()
        figures = measure(app.url, args.runs, args.chromium)
    finally:
        app.stop()
    return {name: statistics.median(values) for name, values in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="2000,10000", help="fleet sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--db-dir", type=Path, default=None, help="keep seeded databases here")
    args = parser.parse_args()
    sizes = [BASELINE] + [n for n in (int(s) for s in args.models.split(",") if s) if n != BASELINE]
    results: dict[int, dict[str, float]] = {}
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            results[n] = run_size(n, args, Path(tmp))
        print(f"{n} models done", flush=True)
    print(f"\nModels page, Chromium, medians of {args.runs} runs")
    print(f"{'metric':<48}" + "".join(f"{n:>10}" for n in sizes))
    base = results[BASELINE]
    for label, key in METRICS:
        print(f"{label:<48}" + "".join(f"{results[n][key]:>10.0f}" for n in sizes))
        ratios = "".join(f"{results[n][key] / base[key]:>9.2f}x" for n in sizes)
        print(f"{'  ratio to ' + str(BASELINE) + ' models':<48}" + ratios)
    big = results[sizes[-1]]
    ok = (
        big["load"] < 1000
        and big["load"] / base["load"] <= 1.3
        and big["none"] < 50
        and big["page"] < 50
    )
    print(
        f"targets at {sizes[-1]} (first rows < 1000 ms and <= 1.3x, keystroke < 50 ms):",
        "met" if ok else "NOT met",
    )


if __name__ == "__main__":
    main()
