"""The Cost tab's budgets: month to date and projection per team, budgets edited in place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from barista_ui.cost.board import CostBoard
from barista_ui.cost.budgets import BudgetLine
from components.theme import current_user

STATUS_COLORS = {
    "on track": "positive",
    "projected over": "warning",
    "over budget": "negative",
    "no budget": "grey-5",
}


def money(x: float) -> str:
    return f"${x:,.2f}"


def _save_handler(board: CostBoard, team: str, rerender: Callable[[], Awaitable[None]]):
    async def save(e: Any) -> None:
        value = e.sender.value
        try:
            amount = None if value in (None, "") else float(value)
            user = current_user()
            await run.io_bound(lambda: board.set_budget(team, amount, actor=user))
        except (TypeError, ValueError) as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify(f"budget of {team} saved", type="positive")
        await rerender()

    return save


def _line(board: CostBoard, line: BudgetLine, rerender: Callable[[], Awaitable[None]]) -> None:
    ui.label(line.team)
    ui.number(value=line.budget, prefix="$", min=0, format="%.0f").props("dense outlined").classes(
        "w-36"
    ).on("change", _save_handler(board, line.team, rerender)).mark(f"budget-{line.team}")
    ui.label(money(line.mtd))
    ui.label(money(line.projected))
    ui.badge(line.status, color=STATUS_COLORS[line.status]).classes("w-fit").mark(
        f"budget-status-{line.team}"
    )


def budget_table(
    board: CostBoard, lines: list[BudgetLine], rerender: Callable[[], Awaitable[None]]
) -> None:
    with (
        ui.expansion("Budgets and month to date", icon="savings", value=True)
        .classes("w-full")
        .mark("cost-budgets")
    ):
        with (
            ui.element("div").classes("w-full overflow-x-auto"),
            ui.grid(columns=5).classes("items-center gap-x-6 gap-y-1 min-w-max"),
        ):
            for head in ("Team", "Monthly budget", "Month to date", "Projected", ""):
                ui.label(head).classes("text-xs text-grey-7")
            for line in lines:
                _line(board, line, rerender)
