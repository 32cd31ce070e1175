from nicegui.testing import User


async def test_page_lists_seeded_models(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models")
