"""Live changes on a paged Models table (a simulator): a change to a model on the shown page
patches its row; a change to one on another page moves the status counts and re-sends nothing."""

from __future__ import annotations

import asyncio

from nicegui.testing import User

from tests.components.test_page_cluster import NEW_IMAGE, hand_edit_image, registry_for
from tests.components.test_page_cluster import cluster_env as cluster_env  # a fixture
from tests.components.test_page_models import table
from tests.components.waiting import eventually
from tests.conftest import base_record

N = 55  # 50 on the first page, 5 on the second


def counts(user: User) -> str:
    return user.find(marker="status-counts").elements.pop().text


def row(user: User, name: str) -> dict | None:
    return next((r for r in table(user).rows if r["name"] == name), None)


async def test_visible_rows_are_patched_and_other_pages_move_the_counts(
    app_env, cluster_env, user: User
) -> None:
    sim = cluster_env  # noqa: F811 (the fixture's value)
    registry = registry_for(app_env)
    records = [base_record(name=f"m-{i:02d}", replicas=0) for i in range(N)]
    await asyncio.to_thread(registry.apply_many, records, actor="ana", source="cli")
    await user.open("/")
    await user.should_see(f"{N} models", retries=100)
    await eventually(lambda: counts(user) == f"{N} Synced", timeout=30, what="all applied")
    assert len(table(user).rows) == 50 and row(user, "m-52") is None

    hand_edit_image(sim, "m-03", NEW_IMAGE)  # on the page shown
    await eventually(lambda: (row(user, "m-03") or {}).get("sync") == "OutOfSync", timeout=15)
    await eventually(lambda: "1 OutOfSync" in counts(user), timeout=15, what="counted")

    shown, before = table(user).rows, [dict(r) for r in table(user).rows]
    hand_edit_image(sim, "m-52", NEW_IMAGE)  # on page 2
    await eventually(lambda: "2 OutOfSync" in counts(user), timeout=15, what="counted")
    assert counts(user).startswith(f"{N - 2} Synced")
    assert table(user).rows is shown  # the page was not read or sent again
    assert [dict(r) for r in table(user).rows] == before
