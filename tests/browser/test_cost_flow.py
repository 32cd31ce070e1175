"""The Cost tab in real Chromium: charts drawn, a billing export imported, sorting on the server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_cost_tab_charts_billing_import_and_sorting(
    page: Page, app_url: str, shot, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(app_url + "/?tab=cost")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)
    # daily by team, month vs budget, savings, heatmap
    expect(page.locator(".js-plotly-plot")).to_have_count(5)  # + the hidden warm-up chart
    expect(page.get_by_text("projected over").first).to_be_visible()
    shot("cost-1440")
    # sorting a column asks the server for the page
    table = page.locator(".q-table").filter(has_text="Avg replicas")
    names = table.locator("tbody tr td:first-child")
    expect(names).to_have_count(15)
    by_cost = names.all_inner_texts()
    table.locator("thead th").first.click()  # "Model": ascending
    expect(names.first).not_to_have_text(by_cost[0])
    ascending = names.all_inner_texts()
    assert ascending == sorted(ascending) and ascending != by_cost
    assert re.search(r"1-15 of 3\d", table.locator("xpath=../..").inner_text())  # paged
    # a Google Cloud export with a bad line is rejected; the good one imported
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"usage_start_time": "2026-10-03 10:00:00", "cost": 1}\n')
    line = {
        "usage_start_time": "2026-11-02 10:00:00 UTC",
        "cost": 12.5,
        "credits": [{"name": "SUD", "amount": -2.5}],
        "labels": [{"key": "k8s-label/team", "value": "nlp"}],
    }
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(line) + "\n")
    page.get_by_text("Import billing").click()
    page.get_by_text("Google Cloud NDJSON").click()
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(
        page.get_by_text(re.compile(r"bad.jsonl rejected, nothing imported: line 1"))
    ).to_be_visible()
    # the box takes the next file straight away (its add button is back)
    expect(page.locator(".q-uploader__header input[type=file]")).to_have_count(1)
    page.locator("input[type=file]").set_input_files(str(good))
    expect(page.get_by_text("imported 1 rows, $10.00")).to_be_visible()
    shot("cost-import")
    page.keyboard.press("Escape")
    expect(page.get_by_role("columnheader", name="Billed / modeled")).to_be_visible()
    page.get_by_role("button", name="Billed", exact=True).click()
    expect(page.locator(".text-xl").filter(has_text="$10.00").first).to_be_visible()
    shot("cost-billed")


def test_cost_tab_on_a_phone_keeps_budgets_and_figures_in_view(
    page: Page, app_url: str, shot
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url + "/?tab=cost")
    budgets = page.locator(".q-expansion-item").filter(has_text="Budgets and month to date")
    expect(budgets).to_be_visible(timeout=30_000)
    statuses = budgets.locator(".q-badge")
    expect(statuses.first).to_be_visible()
    for i in range(statuses.count()):  # every team's status and budget field within the screen
        box = statuses.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    for i in range(budgets.locator("input").count()):
        box = budgets.locator("input").nth(i).bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the days every figure covers are named, the heatmap has its colour legend
    expect(page.get_by_text(re.compile(r"\(30 days\), days in UTC"))).to_be_visible()
    heat = page.locator(".js-plotly-plot").filter(has_text="Running replicas by weekday")
    expect(heat.locator(".colorbar")).to_have_count(1)
    shot("cost-390")
