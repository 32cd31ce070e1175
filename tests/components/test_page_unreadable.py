"""A stored row that no longer validates shows with an error badge; the rest of the page works
(the Models and Cost tabs through NiceGUI's simulated user)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
import yaml
from nicegui.testing import User

from tests.components.test_page_models import open_model, registry_for, table
from tests.components.waiting import eventually
from tests.unreadable_rows import BAD_SCHEDULE, spoil

KEY = "ml-prod/fraud-scorer"


@pytest.fixture
def spoiled(app_env, db_templates) -> None:
    """The row no longer validates when the server starts (a rule tightened by an upgrade, or a
    hand edit of the database): the Models table's record index reads it as it is then. Edits
    made in the database behind a running server show once Barista itself writes that model."""
    db_templates.provide_app_database()  # what start-up makes (migrated, demo-seeded)
    spoil(app_env, "ml-prod", "fraud-scorer", schedule=BAD_SCHEDULE)


async def test_models_tab_shows_the_row_with_its_problem_and_fixes_it(
    app_env, spoiled, user: User
) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)  # the other 39 and the flagged one
    row = next(r for r in table(user).rows if r["key"] == KEY)
    assert "schedule.timezone: unknown timezone 'Mars/Olympus'" in row["problem"]
    assert row["live"] is False and sum(1 for r in table(user).rows if r.get("problem")) == 1
    user.find(marker="models-table").trigger("open", {"key": KEY})
    await user.should_see(marker="unreadable-panel", retries=30)
    await user.should_see("Mars/Olympus")
    box = user.find(marker="unreadable-yaml").elements.pop()
    data = yaml.safe_load(box.value)
    data["schedule"] = {"uptime": "Mon-Fri 08:00-18:00", "timezone": "Europe/Berlin"}
    box.value = yaml.safe_dump(data)
    user.find(marker="unreadable-save").click()
    await user.should_see("ml-prod/fraud-scorer fixed", retries=30)
    await eventually(
        lambda: not any(r.get("problem") for r in table(user).rows), what="the badge gone"
    )
    rec = await asyncio.to_thread(registry_for(app_env).get, "fraud-scorer")
    assert rec.spec.schedule is not None and rec.spec.schedule.timezone == "Europe/Berlin"


async def test_a_wrong_fix_is_refused_by_field_and_delete_removes_it(
    app_env, spoiled, user: User
) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)
    user.find(marker="models-table").trigger("open", {"key": KEY})
    await user.should_see(marker="unreadable-panel", retries=30)
    user.find(marker="unreadable-save").click()  # saved as it is: still invalid
    await user.should_see("schedule.timezone: unknown timezone", retries=30)
    user.find(marker="unreadable-delete").click()
    await user.should_see(marker="delete-confirm")
    user.find(marker="delete-confirm").click()
    await user.should_see("39 models", retries=30)
    assert await asyncio.to_thread(registry_for(app_env).find, "fraud-scorer") is None


async def test_other_rows_still_open_their_panel(app_env, spoiled, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)
    await open_model(user, next(r["key"] for r in table(user).rows if not r.get("problem")))


def test_cost_tab_figures_with_an_unreadable_row(app_env, monkeypatch) -> None:
    """What the Cost tab draws from (its worker-thread reads: tab_setup and figures). The page
    itself is not opened here: the tab's own first build holds the loop ~0.4 s (Plotly), which
    the loop guard refuses whatever the data."""
    from barista_ui.app import build_app
    from barista_ui.cost.overview import chosen_period
    from barista_ui.settings import Settings

    services = build_app(Settings(database_url=f"sqlite:///{app_env}", cluster="none"), seed=True)
    try:
        other = next(r for r in services.registry.list_models() if r.name != "fraud-scorer")
        spoil(app_env, "ml-prod", "fraud-scorer", schedule=BAD_SCHEDULE)
        spoil(app_env, other.namespace, other.name, cpu_limit="1m")  # below its request
        board = services.cost_board
        assert "payments" in board.tab_setup().teams
        now = datetime.now(UTC)
        fig = board.figures(chosen_period(board.tz, 14, None, None, now), "modeled", [], False)
        assert not fig.overview.models.empty and fig.budget_lines
    finally:
        services.stop()
