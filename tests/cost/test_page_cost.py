"""The Cost tab and the model panel's cost line through NiceGUI's user fixture.

Not under the loop guard of tests/components yet: drawing the tab's computed figures (elements,
tables, the price editor) still takes about 0.2 s on the event loop. No database or cluster call
runs there; the figures and charts are computed in a worker thread."""

from __future__ import annotations

import asyncio

from tests.actors import ANA


async def test_cost_tab_shows_demo_history(app_env, user) -> None:
    await user.open("/?tab=cost")
    await user.should_see("includes demo history", retries=100)  # read in a thread
    await user.should_see("Saved by scale-to-zero", retries=100)  # computed in a thread
    table = user.find(marker="cost-models").elements.pop()
    assert len(table.rows) == 15  # one page travels to the browser
    rows = table.all_rows.to_dict("records")
    assert len(rows) >= 30 and all(r["per_day"] >= 0 for r in rows)
    vision = [r for r in rows if r["team"] == "vision"]
    assert any(r["saved_mtd_usd"] > 0 for r in vision)  # office hours in Berlin: nights saved


async def test_panel_shows_the_models_cost_line(app_env, user) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)  # the table is filled in a worker thread
    user.find(marker="models-table").trigger("open", {"key": "ml-prod/ocr-receipts"})
    await user.should_see(marker="panel-edit", retries=30)  # the panel opens after a DB read
    await user.should_see("per replica-hour", retries=100)  # computed in a thread
    line = user.find(marker="panel-cost").elements.pop()
    text = " ".join(e.text for e in line.descendants() if hasattr(e, "text"))
    assert "per replica-hour" in text and "month to date $" in text
    # vision runs office hours in Berlin: its schedule saves money next week
    assert "schedule saves ~$" in text and "up " in text


async def test_budget_edit_and_bad_price_table_from_the_page(app_env, user) -> None:
    await user.open("/?tab=cost")
    await user.should_see("Budgets and month to date", retries=100)
    status = user.find(marker="budget-status-payments").elements.pop()
    assert status.text == "no budget"
    field = user.find(marker="budget-payments").elements.pop()
    field.value = 1
    user.find(marker="budget-payments").trigger("change")
    await user.should_see(marker="budget-status-payments", content="over budget", retries=100)
    banner = user.find(marker="cost-budget-banner").elements.pop()
    said = " ".join(e.text for e in banner.descendants() if hasattr(e, "text"))
    assert "payments is over budget: $" in said and "month to date of $1.00" in said
    user.find(marker="prices-edit").click()
    editor = user.find(marker="prices-yaml").elements.pop()
    text = editor.value
    editor.value = text + "- region: eu\n  cpu_hourly: -1\n"
    user.find(marker="prices-save").click()
    await user.should_see(
        marker="prices-error",
        content="entry 2: cpu_hourly: Input should be greater than or equal to 0",
    )
    editor.value = text.replace("cpu_hourly: 0.031611", "cpu_hourly: 0.05")
    user.find(marker="prices-save").click()
    await user.should_see("running model(s) re-rated", retries=100)
    for _ in range(100):  # the tab re-renders with the new table
        rows = user.find(marker="prices-table").elements.pop().rows
        if rows[0]["cpu"] == 0.05:
            break
        await asyncio.sleep(0.05)
    assert rows[0]["cpu"] == 0.05


async def test_billed_over_modeled_counts_only_the_billed_days(app_env, user) -> None:
    """Two days of bills against 30 days of modeled cost: the ratio is taken over those two
    days, which the page names; the period is named above the figures."""
    import json
    from datetime import UTC, datetime, timedelta

    from barista_ui.cost.service import CostService
    from data.db import make_engine, session_factory

    await user.open("/?tab=cost")
    await user.should_see("Saved by scale-to-zero", retries=100)
    await user.should_see(marker="cost-range-shown", content="(30 days), days in UTC")
    engine = make_engine(f"sqlite:///{app_env}")
    svc = CostService(session_factory(engine))
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first, end = today - timedelta(days=3), today - timedelta(days=1)
    modeled = svc.totals(first, end, ["day", "team"])
    lines = [
        json.dumps(
            {
                "usage_start_time": f"{r['day']}T10:00:00Z",
                "cost": round(r["cost_usd"] * 1.1, 6),
                "labels": [{"key": "k8s-label/team", "value": r["team"]}],
            }
        )
        for r in modeled.to_dict("records")
    ]
    svc.import_billing("\n".join(lines).encode(), "gcp", actor=ANA)
    engine.dispose()
    user.find(marker="cost-range").elements.pop().value = 7  # draws again, with the bills
    await user.should_see(marker="cost-kpi-ratio", retries=100)
    ratio = user.find(marker="cost-kpi-ratio").elements.pop().text
    assert ratio == "1.1×"  # not 2 days of bills over 7 days of modeled cost
    note = user.find(marker="cost-kpi-ratio-note").elements.pop().text
    days = f"{first.date()} – {(end - timedelta(days=1)).date()} (2 days)"
    assert note == f"on billed days only: {days}"
    await user.should_see(marker="cost-compare-days", content=days)


async def test_cost_tab_shows_its_shell_while_the_figures_are_computed(
    app_env, user, monkeypatch
) -> None:
    """The header, the controls and a loading state come first; the figures, computed in a
    worker thread, replace the loading state when they are ready."""
    import threading

    from barista_ui.cost.board import CostBoard

    release = threading.Event()
    compute = CostBoard.figures

    def held_back(self, *args, **kwargs):
        release.wait(30)  # the data is slow today
        return compute(self, *args, **kwargs)

    monkeypatch.setattr(CostBoard, "figures", held_back)
    await user.open("/?tab=cost&range=90")
    await user.should_see("Barista")
    await user.should_see(marker="cost-range")
    await user.should_see(marker="cost-loading")
    await user.should_see("Computing cost figures…")
    await asyncio.sleep(0.5)  # the computation has started (and waits for its data) ...
    await user.should_not_see(marker="cost-by-team")  # ... off the event loop, which answers
    release.set()
    await user.should_see(marker="cost-by-team", retries=200)
    await user.should_not_see(marker="cost-loading")
    await user.should_see(marker="cost-range-shown", content="(90 days), days in UTC")
