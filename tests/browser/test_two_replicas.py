"""Two dashboard processes on one PostgreSQL database, a browser on each: a model switched
off on one page shows switched off on the other (the change is heard through NOTIFY, without
a reload)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.k8s_fixtures import sim  # noqa: F401
from tests.ops.replicas import start_replicas

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def open_model(page: Page, url: str, name: str):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(url)
    page.get_by_placeholder("Search name, namespace, team, image, owner").fill(name)
    row = page.locator(".q-table tbody tr").first
    expect(row).to_contain_text(name)
    expect(row.locator(".q-toggle")).not_to_have_attribute("aria-disabled", "true", timeout=30000)
    return row


def test_a_switch_on_one_replica_shows_on_the_other(
    browser: Browser,
    postgres_url: str,
    tmp_path: Path,
    sim,  # noqa: F811 - one cluster for both (the switch needs one)
) -> None:
    kubeconfig = sim.write_kubeconfig(str(tmp_path / "kubeconfig"))
    first = start_replicas(
        1,
        tmp_path / "a",
        postgres_url,
        kubeconfig,
        BARISTA_SEED_DEMO="true",
        BARISTA_SCHEDULER_ENABLED="false",
    )
    second = start_replicas(
        1, tmp_path / "b", postgres_url, kubeconfig, BARISTA_SCHEDULER_ENABLED="false"
    )
    try:
        page_a, page_b = browser.new_page(), browser.new_page()
        row_a = open_model(page_a, first[0].url, "fraud-scorer")
        row_b = open_model(page_b, second[0].url, "fraud-scorer")
        toggle_b = row_b.locator(".q-toggle")
        expect(toggle_b).to_have_attribute("aria-checked", "true")
        row_a.locator(".q-toggle").click()
        expect(row_a.locator(".q-toggle")).to_have_attribute("aria-checked", "false")
        expect(toggle_b).to_have_attribute("aria-checked", "false")
        row_b.locator(".q-toggle").click()  # and back, the other way
        expect(row_a.locator(".q-toggle")).to_have_attribute("aria-checked", "true")
    finally:
        for app in (*first, *second):
            app.stop()
