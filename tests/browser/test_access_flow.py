"""Roles in real Chromium, behind a (simulated) sign-in proxy: a viewer sees no edit controls;
an editor of one team gets the schedule menu only on that team's rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from barista_ui.access.actor import operator
from barista_ui.access.service import AccessService
from data.db import make_engine, migrate, session_factory
from tests.apprunner import AppProcess

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def proxy_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("browser-proxy-app")
    engine = make_engine(f"sqlite:///{tmp / 'app.db'}")
    migrate(engine)
    AccessService(session_factory(engine)).grant(
        "group:cv", "editor", "vision", actor=operator("root")
    )
    engine.dispose()
    app = AppProcess(
        {
            "BARISTA_DATABASE_URL": f"sqlite:///{tmp / 'app.db'}",
            "BARISTA_SCHEDULER_ENABLED": "false",
            "BARISTA_CLUSTER": "none",
            "BARISTA_AUTH": "proxy",
            "BARISTA_TRUSTED_PROXIES": "127.0.0.1/32",  # the test browser plays the proxy
            "BARISTA_STORAGE_SECRET": "browser-test-secret",
        },
        cwd=tmp,
    )
    try:
        app.wait_ready(timeout=180)  # seeding 40 models and 90 days of history on a busy host
        yield app.url
    finally:
        app.stop()


def open_as(page: Page, url: str, email: str, groups: str = "") -> None:
    page.set_extra_http_headers({"X-Forwarded-Email": email, "X-Forwarded-Groups": groups})
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(url)
    expect(page.get_by_text("40 models")).to_be_visible()
    expect(page.locator(".q-table tbody tr")).to_have_count(40)


def controls_by_team(page: Page) -> dict[str, set[bool]]:
    """Per team shown in the table: whether its rows carry the schedule menu."""
    out: dict[str, set[bool]] = {}
    for row in page.locator(".q-table tbody tr").all():
        team = row.locator("td").nth(1).inner_text().strip()
        out.setdefault(team, set()).add(row.locator("i:text('more_time')").count() > 0)
    return out


def keep_menus(page: Page):
    return page.locator(".q-table tbody tr").filter(has=page.locator("i:text('more_time')"))


def test_a_viewer_gets_no_edit_controls(page: Page, proxy_app_url: str, shot) -> None:
    open_as(page, proxy_app_url, "vera@example.com")
    assert all(has == {False} for has in controls_by_team(page).values())
    expect(keep_menus(page)).to_have_count(0)
    expect(page.get_by_role("button", name="New model")).to_be_disabled()
    shot("access-viewer-1440")


def test_an_editor_gets_controls_on_their_teams_rows_only(
    page: Page, proxy_app_url: str, shot
) -> None:
    open_as(page, proxy_app_url, "eddie@example.com", "cv")
    seen = controls_by_team(page)
    assert seen.pop("vision") == {True}
    assert seen and all(has == {False} for has in seen.values()), seen
    expect(page.get_by_role("button", name="New model")).to_be_enabled()
    shot("access-editor-1440")
