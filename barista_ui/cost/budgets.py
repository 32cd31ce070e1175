"""Monthly budgets per team, in USD, and each team's month to date against its budget."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlmodel import select

from barista_ui.cost.money import check_amount
from barista_ui.cost.queries import SessionFactory
from barista_ui.records.spec import check_team_name
from data.cost_tables import TeamBudget
from data.db import transaction


def check_budget(team: str, monthly_usd: float | None) -> None:
    """ValueError naming the field unless ``team`` is given and the amount is a finite number
    of USD from 0 to ``MAX_USD`` (or None, meaning: no budget)."""
    if not team:
        raise ValueError("team: give the team the budget is for")
    check_team_name(team, "team")
    if monthly_usd is None:
        return
    if not isinstance(monthly_usd, int | float):
        raise ValueError(f"monthly budget '{monthly_usd}': use a number of USD >= 0")
    check_amount(monthly_usd, "monthly budget")


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


@dataclass
class BudgetLine:
    team: str
    budget: float | None
    mtd: float
    projected: float
    days: list[date]
    cumulative: list[float]

    @property
    def alert(self) -> bool:
        """Over its budget, or on course to be by month end."""
        return self.status in ("over budget", "projected over")

    def describe(self) -> str:
        """``payments is over budget: $1,234.00 month to date of $1,000.00``."""
        budget = f"${self.budget or 0:,.2f}"
        if self.status == "over budget":
            return f"{self.team} is over budget: ${self.mtd:,.2f} month to date of {budget}"
        return (
            f"{self.team} is projected over budget: ${self.projected:,.2f} by month end "
            f"of {budget} (${self.mtd:,.2f} so far)"
        )

    @property
    def status(self) -> str:
        if self.budget is None:
            return "no budget"
        if self.mtd > self.budget:
            return "over budget"
        if self.projected > self.budget:
            return "projected over"
        return "on track"


def month_to_date(
    by_day_team: pd.DataFrame, budgets: dict[str, float], now: datetime, tz: str
) -> list[BudgetLine]:
    """Cumulative cost per team this month and a straight-line projection to month end
    (month-to-date / elapsed days x days in the month)."""
    local = now.astimezone(ZoneInfo(tz))
    first = local.date().replace(day=1)
    month_days = calendar.monthrange(first.year, first.month)[1]
    elapsed = (local - datetime.combine(first, time(0), ZoneInfo(tz))).total_seconds() / 86400
    elapsed = max(elapsed, 1 / 24)
    df = by_day_team[by_day_team["day"] >= first] if not by_day_team.empty else by_day_team
    days = [first + timedelta(days=i) for i in range(local.day)]
    teams = sorted(set(df["team"]) | set(budgets)) if not df.empty else sorted(budgets)
    lines = []
    for team in teams:
        part = df[df["team"] == team] if not df.empty else df
        per_day = dict(zip(part["day"], part["cost_usd"], strict=True)) if not part.empty else {}
        running, cum = 0.0, []
        for d in days:
            running += float(per_day.get(d, 0.0))
            cum.append(running)
        lines.append(
            BudgetLine(
                team=team,
                budget=budgets.get(team),
                mtd=running,
                projected=running / elapsed * month_days,
                days=days,
                cumulative=cum,
            )
        )
    return lines
