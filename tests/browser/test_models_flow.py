"""Main flows of the Models tab in real Chromium: search, create (error then fix), edit, rollback."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def rows(page: Page):
    return page.locator(".q-table tbody tr")


def test_search_filters_the_table(page: Page, app_url: str, shot) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url)
    expect(page.get_by_text("40 models")).to_be_visible()
    expect(rows(page).first).to_be_visible()
    shot("models-1440")
    page.get_by_placeholder("Search name, namespace, team, image, owner").fill("retriev")
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_text("2 of 40 models")).to_be_visible()
    expect(rows(page).nth(0)).to_contain_text("dense-retriever")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_placeholder("Search name, namespace, team, image, owner").fill("")
    expect(page.locator(".q-table__grid-content .q-card").first).to_be_visible()  # cards
    shot("models-390")


def test_create_with_error_then_fix_edit_and_rollback(page: Page, app_url: str, shot) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url)
    page.get_by_role("button", name="New model").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("Name", exact=True).fill("Churn_Model")
    expect(dialog.get_by_text("is not a valid DNS-1123 label")).to_be_visible()
    dialog.get_by_label("Name", exact=True).fill("churn-model")
    expect(dialog.get_by_text("is not a valid DNS-1123 label")).to_be_hidden()
    dialog.get_by_label("Team", exact=True).fill("payments")
    page.keyboard.press("Enter")
    dialog.get_by_label("Image (registry/path:tag)").fill("registry.example.com/churn")
    dialog.get_by_label("CPU request").fill("2 cores")
    expect(dialog.get_by_text("'2 cores' is not a Kubernetes quantity")).to_be_visible()
    expect(dialog.get_by_text("has no tag or digest")).to_be_visible()
    dialog.get_by_text("New model").click()  # close the team menu
    shot("editor-errors-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("editor-errors-390")
    page.set_viewport_size({"width": 1440, "height": 900})
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Fix the highlighted fields first")).to_be_visible()
    dialog.get_by_label("CPU request").fill("2")
    dialog.get_by_label("Image (registry/path:tag)").fill("registry.example.com/churn:1.0.0")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_text("ml-staging/churn-model created")).to_be_visible()

    # edit: open the panel from the table, change replicas
    page.get_by_placeholder("Search name, namespace, team, image, owner").fill("churn")
    expect(rows(page)).to_have_count(1)
    rows(page).first.get_by_text("churn-model").click()
    panel = page.locator(".q-dialog").last
    panel.get_by_role("button", name="Edit").click()
    editor = page.locator(".q-dialog").last
    editor.get_by_label("Replicas").fill("3")
    editor.get_by_role("button", name="Save").click()
    expect(page.get_by_text("ml-staging/churn-model saved")).to_be_visible()
    expect(rows(page).first).to_contain_text("3")

    # history shows the diff; roll back to revision 1
    rows(page).first.get_by_text("churn-model").click()
    page.locator(".q-dialog").last.get_by_role("button", name="History").click()
    history = page.locator(".q-dialog").last
    expect(history.get_by_text("History of ml-staging/churn-model")).to_be_visible()
    expect(history.get_by_text(re.compile(r"replicas: 1 → 3"))).to_be_visible()
    shot("history-1440")
    history.get_by_label("Roll back to revision").click()
    page.get_by_role("option", name="1", exact=True).click()
    history.get_by_role("button", name="Roll back").click()
    page.get_by_role("button", name="Yes, roll back").click()
    expect(page.get_by_text("Rolled back to revision 1")).to_be_visible()
    expect(rows(page).first.locator("td").nth(4)).to_have_text("1")
