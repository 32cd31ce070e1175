"""Live cluster state in Chromium: toggle a model off and on and watch the ready count follow."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_toggle_off_and_on_ready_count_follows(page: Page, live_app_url: str, shot) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_app_url)
    expect(page.get_by_text("Simulated cluster")).to_be_visible()
    page.get_by_placeholder("Search name, namespace, team, image, owner").fill(
        "chargeback-predictor"
    )
    row = page.locator(".q-table tbody tr").first
    expect(row).to_contain_text("3/3", timeout=20000)
    expect(row).to_contain_text("Synced")
    shot("live-1440")
    row.locator(".q-toggle").click()
    expect(page.get_by_text("switch off — cluster now asked for 0 replica(s)")).to_be_visible()
    expect(row).to_contain_text("0/0", timeout=10000)
    row.locator(".q-toggle").click()
    expect(page.get_by_text("switch on — cluster now asked for 3 replica(s)")).to_be_visible()
    expect(row).to_contain_text("3/3", timeout=10000)
    row.locator("button:has(i:text('add'))").click()
    expect(row).to_contain_text("4/4", timeout=10000)


def test_panel_shows_pods_events_and_the_image_problem(page: Page, live_app_url: str, shot) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_app_url)
    page.get_by_placeholder("Search name, namespace, team, image, owner").fill("sentiment")
    row = page.locator(".q-table tbody tr").first
    expect(row).to_contain_text("ImagePullBackOff", timeout=20000)
    row.get_by_text("sentiment").first.click()
    panel = page.locator(".q-dialog").last
    expect(
        panel.get_by_text("The image cannot be pulled: check the image name and tag.")
    ).to_be_visible()
    expect(panel.get_by_text("Recent events")).to_be_visible()
    shot("panel-live-1440")


def test_cluster_tab_lists_what_needs_attention(page: Page, live_app_url: str, shot) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_app_url + "/?tab=cluster")
    expect(page.get_by_text("models on the simulated cluster")).to_be_visible()
    problems = page.locator(".q-table").last
    expect(problems).to_contain_text("ml-staging/sentiment", timeout=20000)
    expect(problems).to_contain_text("The image cannot be pulled")
    shot("cluster-1440")


def test_panel_switch_and_stepper(page: Page, live_app_url: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_app_url)
    page.get_by_placeholder("Search name, namespace, team, image, owner").fill("card-risk")
    row = page.locator(".q-table tbody tr").first
    expect(row).to_contain_text("2/2", timeout=20000)
    row.get_by_text("card-risk").first.click()
    panel = page.locator(".q-dialog").last
    panel.locator("button:has(i:text('add'))").first.click()
    expect(
        page.get_by_text("set replicas to 3 — cluster now asked for 3 replica(s)")
    ).to_be_visible()
    expect(panel.get_by_text("3 replica(s)")).to_be_visible()
    expect(panel.get_by_text("3/3 ready")).to_be_visible(timeout=10000)
