"""The Cost tab's budgets: month to date and projection per team, budgets edited in place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from barista_ui.access import roles
from barista_ui.access.roles import AccessDenied
from barista_ui.cost.board import CostBoard
from barista_ui.cost.budgets import BudgetLine
from components.theme import current_user
from components.widgets.guard import guard

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
        except (TypeError, ValueError, AccessDenied) as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify(f"budget of {team} saved", type="positive")
        await rerender()

    return save


def _cell(caption: str, text: str, mark: str | None = None) -> None:
    """A value with its caption on a phone (where the header row is hidden)."""
    with ui.element("div").classes("flex items-baseline gap-1"):
        ui.label(caption).classes("text-xs text-grey-7 sm:hidden")
        label = ui.label(text)
        if mark:
            label.mark(mark)


def _line(board: CostBoard, line: BudgetLine, rerender: Callable[[], Awaitable[None]]) -> None:
    # one card per team on a phone; on wider screens the wrapper dissolves into the grid
    with ui.element("div").classes(
        "flex flex-wrap items-center gap-x-4 gap-y-1 py-2 border-b sm:contents"
    ):
        ui.label(line.team).classes("font-medium basis-full sm:basis-auto")
        guard(
            ui.number(value=line.budget, prefix="$", min=0, format="%.0f")
            .props("dense outlined")
            .classes("w-36")
            .on("change", _save_handler(board, line.team, rerender))
            .mark(f"budget-{line.team}"),
            roles.COST_BUDGETS,
        )
        _cell("Month to date", money(line.mtd), f"budget-mtd-{line.team}")
        _cell("Projected", money(line.projected))
        ui.badge(line.status, color=STATUS_COLORS[line.status]).classes("w-fit").mark(
            f"budget-status-{line.team}"
        )


def budget_table(
    board: CostBoard, lines: list[BudgetLine], rerender: Callable[[], Awaitable[None]]
) -> None:
    """Month to date against budgets: a grid on wide screens, a card per team on a phone."""
    with (
        ui.expansion("Budgets and month to date", icon="savings", value=True)
        .classes("w-full")
        .mark("cost-budgets")
    ):
        with ui.element("div").classes(
            "w-full flex flex-col sm:grid sm:grid-cols-[auto_auto_auto_auto_auto] "
            "sm:justify-start sm:items-center sm:gap-x-6 sm:gap-y-1"
        ):
            for head in ("Team", "Monthly budget", "Month to date", "Projected", ""):
                ui.label(head).classes("max-sm:hidden text-xs text-grey-7")
            for line in lines:
                _line(board, line, rerender)
