"""Secret-looking env values on the page: masked in the panel and the history, real in the
editor (it edits the record) with a hint to use a Secret reference, which it saves."""

from __future__ import annotations

from nicegui.testing import User

from barista_ui.records.secrets import MASK
from tests.components.test_page_models import open_model, registry_for

SECRET = "sk-live-5f2c9a"


async def test_panel_and_history_mask_it_and_the_editor_saves_a_secret_reference(
    app_env, user: User
) -> None:
    await user.open("/")
    reg = registry_for(app_env)
    rec = reg.get("fraud-scorer")
    data = {**rec.to_file_dict(), "env": {"MODEL_THREADS": "4", "OPENAI_API_KEY": SECRET}}
    reg.update(
        "ml-prod", "fraud-scorer", data, expected_version=rec.version, actor="bob", source="cli"
    )
    await open_model(user, "ml-prod/fraud-scorer")
    await user.should_see(f"OPENAI_API_KEY={MASK}", retries=30)
    await user.should_not_see(SECRET)

    user.find(marker="panel-history").click()
    await user.should_see("History of ml-prod/fraud-scorer")
    await user.should_see("env.OPENAI_API_KEY")
    await user.should_not_see(SECRET)

    await open_model(user, "ml-prod/fraud-scorer")  # the history replaced the panel
    user.find(marker="panel-edit").click()
    await user.should_see("Edit ml-prod/fraud-scorer", retries=30)
    await user.should_see(marker="field-env", retries=30)  # the form is built in steps
    env_field = user.find(marker="field-env").elements.pop()
    assert f"OPENAI_API_KEY={SECRET}" in env_field.value  # the record, not a masked copy
    hint = user.find(marker="hint-env-secret").elements.pop()
    assert hint.visible and "OPENAI_API_KEY" in hint.text and "secret:" in hint.text
    env_field.value = "MODEL_THREADS=4\nOPENAI_API_KEY=secret:model-secrets/openai"
    assert not hint.visible
    user.find(marker="editor-save").click()
    await user.should_see("ml-prod/fraud-scorer saved", retries=30)
    ref = {"secretKeyRef": {"name": "model-secrets", "key": "openai"}}
    assert reg.get("fraud-scorer").spec.env == {"MODEL_THREADS": "4", "OPENAI_API_KEY": ref}
