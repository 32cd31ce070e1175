"""The editor's cost line, through NiceGUI's simulated user (estimated in a worker thread)."""

from __future__ import annotations

from nicegui.testing import User

from tests.components.waiting import eventually


async def test_editor_shows_the_monthly_cost_of_the_change(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)  # the table is filled in a worker thread
    user.find(marker="models-table").trigger("open", {"key": "ml-prod/card-risk"})
    await user.should_see(marker="panel-edit", retries=30)  # the panel opens after a DB read
    user.find(marker="panel-edit").click()
    await user.should_see(marker="field-replicas", retries=30)  # the record is read first
    user.find(marker="field-replicas").elements.pop().value = 3
    line = user.find(marker="editor-cost").elements.pop()
    await eventually(lambda: line.text.startswith("this change"), what="the cost estimate")
    rate = 0.25 * 0.031611 + 0.5 * 0.004237  # card-risk: 250m CPU, 512Mi
    assert line.text.startswith(f"this change: +${rate * 730:,.2f} per month")
