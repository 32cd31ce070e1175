"""Changes made from the page are recorded with the name set in the header menu."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nicegui.testing import User

from tests.components.test_page_models import registry_for


async def test_a_save_is_recorded_with_the_name_set_in_the_header(
    app_env: Path, user: User
) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)
    user.find(marker="user-name").clear().type("Ana Lopez")
    user.find(marker="new-model").click()
    await user.should_see(marker="editor-save", retries=30)
    await user.should_see(marker="field-resources.requests.cpu", retries=30)
    user.find(marker="field-name").type("churn-predictor")
    user.find(marker="field-team").elements.pop().value = "payments"
    user.find(marker="field-image").type("registry.example.com/churn:1.0.0")
    user.find(marker="editor-save").click()
    await user.should_see("ml-staging/churn-predictor created", retries=30)
    history = await asyncio.to_thread(registry_for(app_env).history, "churn-predictor")
    assert history[0].actor == "Ana Lopez"


async def test_the_name_is_limited_to_the_actor_column(app_env: Path, user: User) -> None:
    await user.open("/")
    name = user.find(marker="user-name").elements.pop()
    assert str(name.props.get("maxlength")) == "254"
