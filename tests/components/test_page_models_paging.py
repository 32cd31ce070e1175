"""The Models table at a fleet of 300: the browser gets one page of rows; search, sort and
filters run on the server over every model; a link to a model on a later page opens it there."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nicegui.testing import User

from data.seed import demo_records
from tests.components.test_page_models import registry_for, table
from tests.components.waiting import eventually

FLEET = 300


def extra_records(n: int) -> list[dict]:
    """``n`` models more than the demo fleet's 40 (names "<demo name>-NNN")."""
    base = demo_records()
    out = []
    for i in range(n):
        rec = dict(base[i % len(base)])
        rec["name"] = f"{rec['name'][:50]}-{i:03d}"
        out.append(rec)
    return out


async def open_big_fleet(app_env: Path, user: User, path: str = "/") -> list[dict]:
    """The demo fleet plus 260 models; the page opened at ``path``; every record's row data
    as the registry has it (namespace, name, team, enabled), for the expected answers."""
    registry = registry_for(app_env)
    await asyncio.to_thread(
        registry.apply_many, extra_records(FLEET - 40), actor="bench", source="cli"
    )
    await user.open(path)
    await user.should_see(f"{FLEET} models", retries=100)
    records = await asyncio.to_thread(registry.list_models)
    return [
        {"ns": r.namespace, "name": r.name, "team": r.spec.team, "on": r.spec.enabled}
        for r in records
    ]


def names(user: User) -> list[str]:
    return [r["name"] for r in table(user).rows]


def request(user: User, **pagination) -> None:
    """What Quasar sends when a page, page size or sort order is chosen."""
    current = dict(table(user).props["pagination"])
    user.find(marker="models-table").trigger("request", {"pagination": {**current, **pagination}})


async def test_only_one_page_of_rows_reaches_the_browser(app_env, user: User) -> None:
    fleet = await open_big_fleet(app_env, user)
    t = table(user)
    assert len(t.rows) == 50  # the page size, not the fleet
    assert t.props["pagination"]["rowsNumber"] == FLEET  # Quasar draws "1-50 of 300"
    by_name = sorted(fleet, key=lambda r: (r["name"], r["ns"]))
    assert names(user) == [r["name"] for r in by_name[:50]]
    request(user, page=3)
    await eventually(lambda: names(user) == [r["name"] for r in by_name[100:150]], what="page 3")
    request(user, page=1, rowsPerPage=100)
    await eventually(lambda: len(table(user).rows) == 100, what="100 a page")


async def test_search_sort_and_filters_work_across_pages(app_env, user: User) -> None:
    fleet = await open_big_fleet(app_env, user)
    # a search finds models on every page, not only on the one shown
    user.find(marker="search").type("retriev")
    want = sorted(r["name"] for r in fleet if "retriev" in r["name"])
    assert len(want) > 2
    await user.should_see(f"{len(want)} of {FLEET} models", retries=50)
    assert names(user) == want
    user.find(marker="search").clear()
    await user.should_see(f"{FLEET} models", retries=50)
    # sorted by name, descending: the last name first
    request(user, sortBy="name", descending=True, page=1)
    last = max(fleet, key=lambda r: r["name"])["name"]
    await eventually(lambda: names(user)[0] == last, what="descending order")
    # a team filter counts and lists that team's models only, over all pages
    user.find(marker="filter-team").elements.pop().value = "vision"
    vision = [r for r in fleet if r["team"] == "vision"]
    await user.should_see(f"{len(vision)} models", retries=50)
    assert table(user).props["pagination"]["rowsNumber"] == len(vision)
    assert {r["team"] for r in table(user).rows} == {"vision"}
    request(user, page=2)
    await eventually(
        lambda: table(user).props["pagination"]["page"] == 2 and len(table(user).rows) > 0,
        what="page 2 of the team",
    )
    assert {r["team"] for r in table(user).rows} == {"vision"}
    assert len(table(user).rows) == min(50, len(vision) - 50)


async def test_a_link_to_a_model_on_a_later_page_opens_it_there(app_env, user: User) -> None:
    registry = registry_for(app_env)
    await asyncio.to_thread(
        registry.apply_many, extra_records(FLEET - 40), actor="bench", source="cli"
    )
    records = await asyncio.to_thread(registry.list_models)
    ordered = sorted(records, key=lambda r: (r.name, r.namespace))
    target = ordered[222]  # on page 5 of 50 rows
    key = f"{target.namespace}/{target.name}"
    await user.open(f"/?model={key}")
    await user.should_see(marker="panel-history", retries=100)
    panel_name = user.find(marker="panel-name").elements.pop()
    assert panel_name.text == target.name
    assert table(user).props["pagination"]["page"] == 5
    assert key in [r["key"] for r in table(user).rows]
