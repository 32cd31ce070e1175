"""The Models tab's views in real Chromium: a card list on a phone, the view in the address bar
(filters, sort, the open panel; back button), times in the browser's zone, Updated times that
move without a reload, and the Activity tab."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from barista_ui.records.registry import RegistryService
from data.db import make_engine, migrate, session_factory
from data.seed import demo_records
from tests.browser.conftest import running_app
from tests.components.test_page_models_paging import extra_records

pytestmark = pytest.mark.browser

SEARCH = "Search name, namespace, team, image, owner"


def test_phone_shows_cards_with_switch_and_stepper_without_sideways_scroll(
    page: Page, live_app_url: str, shot
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_app_url)
    card = page.locator(".q-table__grid-content .q-card").first
    expect(card).to_be_visible()
    expect(page.locator(".q-table tbody tr")).to_have_count(0)  # no wide table
    expect(card.locator(".q-toggle")).to_be_visible()
    expect(card.get_by_text(re.compile(r"^\s*\d+/\d+\s*$"))).to_be_visible()  # ready/desired
    box = card.locator(".q-toggle").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("models-cards-390")
    page.set_viewport_size({"width": 1440, "height": 900})
    expect(page.locator(".q-table tbody tr").first).to_be_visible()  # the table again


def test_the_view_is_in_the_url_and_back_works(page: Page, app_url: str, shot) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url + "/?tab=models&team=vision")
    expect(page.get_by_text("8 models", exact=True)).to_be_visible()
    page.get_by_label("Namespace").click()  # the options are there on the first open
    expect(page.locator(".q-menu .q-item")).to_have_count(3)
    page.keyboard.press("Escape")
    page.locator(".models-table thead th", has_text="Team").click()  # sort
    expect(page).to_have_url(re.compile(r"sort=team"))
    page.locator(".q-table tbody tr").first.locator("td").first.click()
    expect(page.locator(".q-dialog")).to_be_visible()
    expect(page).to_have_url(re.compile(r"model=ml-\w+/[\w-]+"))
    url = page.url
    page.go_back()  # closes the panel: the view before it
    expect(page.locator(".q-dialog")).to_have_count(0)
    expect(page).not_to_have_url(re.compile("model="))
    expect(page.get_by_text("8 models", exact=True)).to_be_visible()
    page.goto(url)  # a shared link opens the same view, panel included
    expect(page.locator(".q-dialog")).to_be_visible()
    expect(page.get_by_text("8 models", exact=True)).to_be_visible()
    page.keyboard.press("Escape")  # closing the panel takes it out of the address
    expect(page.locator(".q-dialog")).to_have_count(0)
    expect(page).not_to_have_url(re.compile("model="))
    expect(page).to_have_url(re.compile("team=vision"))
    page.goto(app_url + "/?tab=models&q=ml-research")
    expect(page.get_by_placeholder(SEARCH)).to_have_value("ml-research")
    expect(page.get_by_text(re.compile(r"^\d+ of 40 models$"))).to_be_visible()


def test_times_are_in_the_browsers_zone_and_updated_moves(browser: Browser, app_url: str) -> None:
    context = browser.new_context(
        timezone_id="America/New_York", viewport={"width": 1440, "height": 900}
    )
    page = context.new_page()
    page.goto(app_url)
    expect(page.get_by_text("40 models")).to_be_visible(timeout=15000)
    # the first visit learns the zone and draws the page in it
    expect(page.get_by_text(re.compile(r"until .*E[SD]T")).first).to_be_visible(timeout=15000)
    updated = page.locator(".q-table tbody tr").first.locator("td").last
    expect(updated).to_have_text("just now")
    # five minutes later (the browser's clock moved on): the column's 30 s tick rewrites it
    page.evaluate("Date.now = ((t) => () => t + 300000)(Date.now()); window.__agoTick()")
    expect(updated).to_have_text(re.compile(r"^\s*5 min ago\s*$"))  # no reload
    context.close()


def test_activity_lists_changes_and_opens_a_diff(page: Page, app_url: str, shot) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url + "/?tab=activity")
    expect(page.get_by_text(re.compile(r"last \d+ changes"))).to_be_visible()
    page.get_by_role("button", name="diff of revision 1").first.click()
    dialog = page.locator(".q-dialog")
    expect(dialog.get_by_text("Revision 1", exact=True)).to_be_visible()
    expect(dialog.get_by_text("Before (none)")).to_be_visible()  # a create: nothing before
    shot("activity-diff-1440")


@pytest.fixture(scope="module")
def big_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on 300 models (the demo fleet and 260 more), no cluster."""
    tmp = tmp_path_factory.mktemp("browser-big-app")
    engine = make_engine(f"sqlite:///{tmp / 'app.db'}")
    migrate(engine)
    records = demo_records() + extra_records(260)
    RegistryService(session_factory(engine)).apply_many(records, actor="ana", source="cli")
    engine.dispose()
    with running_app(tmp, BARISTA_CLUSTER="none", BARISTA_SEED_DEMO="false") as url:
        yield url


def test_a_big_fleet_is_paged_on_the_server(page: Page, big_app_url: str, shot) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(big_app_url)
    expect(page.get_by_text("300 models", exact=True)).to_be_visible()
    expect(page.locator(".q-table tbody tr")).to_have_count(50)
    expect(page.get_by_text("1-50 of 300")).to_be_visible()
    shot("models-300-1440")
    page.locator(".q-table__bottom").scroll_into_view_if_needed()
    shot("models-300-1440-bottom")  # the page size and the page controls under the rows
    page.locator(".q-table__bottom button:has(i:text('chevron_right'))").click()
    expect(page.get_by_text("51-100 of 300")).to_be_visible()
    page.get_by_placeholder(SEARCH).fill("retriev")
    expect(page.get_by_text(re.compile(r"^\d+ of 300 models$"))).to_be_visible()
    expect(page.locator(".q-table tbody tr").first).to_contain_text("retriev")
    expect(page.get_by_text(re.compile(r"^1-\d+ of \d+$"))).to_be_visible()  # back on page 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_placeholder(SEARCH).fill("")
    expect(page.locator(".q-table__grid-content .q-card")).to_have_count(50)  # cards, one page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("models-300-390")
    page.locator(".q-table__bottom").scroll_into_view_if_needed()
    shot("models-300-390-bottom")


def test_a_link_to_a_model_on_a_later_page(page: Page, big_app_url: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    names = sorted((r["name"], r["namespace"]) for r in demo_records() + extra_records(260))
    name, namespace = names[222]  # page 5 of 50 rows, by name
    page.goto(f"{big_app_url}/?model={namespace}/{name}")
    expect(page.locator(".q-dialog").get_by_text(name, exact=True)).to_be_visible()
    expect(page.get_by_text("201-250 of 300")).to_be_visible()
