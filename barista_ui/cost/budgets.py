"""Monthly budgets per team, in USD."""

from __future__ import annotations

import math
from datetime import datetime

from sqlmodel import select

from barista_ui.cost.queries import SessionFactory
from data.cost_tables import TeamBudget
from data.db import transaction


def check_budget(team: str, monthly_usd: float | None) -> None:
    """ValueError naming the field unless ``team`` is given and the amount is a number >= 0
    (or None, meaning: no budget)."""
    if not team:
        raise ValueError("team: give the team the budget is for")
    if monthly_usd is None:
        return
    if not isinstance(monthly_usd, int | float) or math.isnan(monthly_usd) or monthly_usd < 0:
        raise ValueError(f"monthly budget '{monthly_usd}': use a number of USD >= 0")


def budgets(new_session: SessionFactory) -> dict[str, float]:
    with new_session() as s:
        return {b.team: b.monthly_usd for b in s.exec(select(TeamBudget)).all()}


def set_budget(
    new_session: SessionFactory,
    team: str,
    monthly_usd: float | None,
    actor: str,
    now: datetime,
) -> None:
    """Set (or with None, remove) a team's monthly budget in USD."""
    check_budget(team, monthly_usd)
    with transaction(new_session) as s:
        row = s.get(TeamBudget, team)
        if monthly_usd is None:
            if row is not None:
                s.delete(row)
            return
        row = row or TeamBudget(team=team, monthly_usd=0.0)
        row.monthly_usd = float(monthly_usd)
        row.updated_by = actor
        row.updated_at = now
        s.add(row)
