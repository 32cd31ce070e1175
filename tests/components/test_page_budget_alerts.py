"""Budget alerts reach the Models tab: the rows of a team over its monthly budget carry a badge
with the sentence saying so, and the note above the table names the team for its editors."""

from __future__ import annotations

from pathlib import Path

from nicegui.testing import User

from barista_ui.cost.service import CostService
from data.db import make_engine, session_factory
from tests.actors import ANA
from tests.components.test_page_models import table


def set_budget(db: Path, team: str, usd: float) -> None:
    engine = make_engine(f"sqlite:///{db}")
    CostService(session_factory(engine)).set_budget(team, usd, actor=ANA)
    engine.dispose()


async def test_a_team_over_budget_shows_on_its_models(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)  # the demo fleet and its cost history
    for team in ("nlp", "recsys", "search", "vision"):  # within budget (the demo sets some)
        set_budget(app_env, team, 1e9)
    set_budget(app_env, "payments", 1.0)  # far below a month of demo cost
    await user.open("/")  # a new page reads the alerts afresh
    await user.should_see("40 models", retries=30)
    rows = table(user).rows
    flagged = {r["team"] for r in rows if r["budget"]}
    assert flagged == {"payments"}
    payments = next(r for r in rows if r["team"] == "payments")
    assert payments["budget_label"] == "over budget"
    assert payments["budget"].startswith("payments is over budget: $")
    note = user.find(marker="budget-note").elements.pop()
    assert note.visible and "hidden" not in note.classes  # what the browser is told
    assert "payments is over budget" in note.text
    set_budget(app_env, "payments", 1e9)  # a changed budget is read at once, not in 5 minutes
    await user.open("/")
    await user.should_see("40 models", retries=30)
    assert not any(r["budget"] for r in table(user).rows)
    await user.should_not_see(marker="budget-note")  # hidden: nothing to say
