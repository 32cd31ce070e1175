"""One drawing of the Cost tab from computed ``CostFigures``: KPIs, charts, tables, prices."""

from __future__ import annotations

import calendar
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui

from barista_ui.cost.board import CostBoard, CostFigures
from barista_ui.cost.budgets import BudgetLine
from barista_ui.cost.coverage import coverage
from barista_ui.cost.overview import Overview
from barista_ui.cost.usage import IDLE_NOTES, fleet_efficiency
from components.cost import charts
from components.cost.budget_table import budget_table, money
from components.cost.chart import CostChart
from components.cost.prices import price_table
from components.cost.tables import TWO_UP, compare_table, model_table

Rerender = Callable[[], Awaitable[None]]
Chart = dict[str, Any]  # a Plotly figure as plain data, ready for ui.plotly
SAVINGS_NOTE = (
    "Savings count only time the scheduler held a model down; they become cash when nodes go "
    "away (on a fixed node pool they become idle capacity). Today is left out until it ends."
)


def _days_shown(ov: Overview, local_now: datetime, tz: str) -> list[date]:
    """The local days of the period up to today."""
    p = ov.period
    start_day = p.start.astimezone(ZoneInfo(tz)).date()
    n_days = (p.end.astimezone(ZoneInfo(tz)).date() - start_day).days
    days = [start_day + timedelta(days=i) for i in range(n_days)]
    return [d for d in days if d <= local_now.date()]


@dataclass(frozen=True)
class Kpi:
    label: str
    text: str
    mark: str
    note: str = ""


@dataclass(frozen=True)
class Charts:
    """Every chart of one drawing, built in a worker thread: building Plotly figures is slow
    CPU work that must not hold the page's event loop."""

    days: list[date]
    today: date
    cost: Chart
    budget: Chart | None
    savings: Chart | None
    heatmap: Chart | None
    compare: Chart | None


def prepare_charts(fig: CostFigures, stack: str, tz: str) -> Charts:
    """The charts of ``fig`` as plain data (pure; call it off the event loop)."""
    ov = fig.overview
    local_now = ov.period.now.astimezone(ZoneInfo(tz))
    today = local_now.date()
    days = _days_shown(ov, local_now, tz)
    key = "model" if stack == "model" and ov.by_day_model is not None else "team"
    frame = ov.by_day_model if key == "model" else ov.by_day_team
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    done = [d for d in days if d < today] or days  # today is still running
    has_compare = ov.compare is not None and not ov.compare.empty
    return Charts(
        days=days,
        today=today,
        cost=charts.daily_stack(frame, key, days).to_plotly_json(),
        budget=(
            charts.month_vs_budget(fig.budget_lines, month_end).to_plotly_json()
            if ov.month is not None
            else None
        ),
        savings=charts.savings(ov.savings, done).to_plotly_json()
        if ov.savings is not None
        else None,
        heatmap=(
            charts.heatmap(ov.heatmap, charts.span_of(days)).to_plotly_json()
            if ov.heatmap is not None
            else None
        ),
        compare=(
            charts.billed_vs_modeled(ov.compare, days).to_plotly_json() if has_compare else None
        ),
    )


def _usage_kpis(ov: Overview) -> list[Kpi]:
    """Efficiency and idle cost, where usage is known (OpenCost, or the demo's signal)."""
    if ov.usage is None:
        return []
    kpis = []
    eff = fleet_efficiency(ov.models)
    if eff is not None:
        kpis.append(Kpi("Efficiency", f"{eff:.0f}%", "efficiency", "usage ÷ requests"))
    if ov.idle_usd is not None:
        kpis.append(Kpi("Idle", money(ov.idle_usd), "idle", IDLE_NOTES[ov.usage]))
    return kpis


def _kpis(ov: Overview, projected: float) -> list[Kpi]:
    kpis = [
        Kpi("Cost", money(ov.total), "cost"),
        Kpi("Per day", money(ov.total / ov.period.days), "per-day"),
    ]
    if ov.source == "modeled":
        kpis.insert(1, Kpi("Saved by scale-to-zero", money(ov.saved), "saved"))
        kpis.append(Kpi("Schedules save, next 7 days", money(projected), "projected"))
    kpis += _usage_kpis(ov)
    if ov.compare is not None and not ov.compare.empty:
        cover = coverage(ov.compare)
        billed = float(ov.compare["billed_usd"].sum())
        kpis.append(Kpi("Billed", money(billed), "billed"))
        ratio = cover.ratio
        if ratio is not None:
            note = f"on billed days only: {cover.describe()}"
            kpis.append(Kpi("Billed / modeled", f"{ratio:.3g}×", "ratio", note))
    return kpis


def _kpi_row(ov: Overview, kpis: list[Kpi]) -> None:
    ui.label(f"{ov.period.describe()}, days in {ov.period.start.tzinfo}").classes(
        "text-sm text-grey-8"
    ).mark("cost-range-shown")
    with ui.row().classes("gap-x-8 gap-y-2"):
        for k in kpis:
            with ui.column().classes("gap-0 max-w-[16rem]"):
                ui.label(k.label).classes("text-xs text-grey-7")
                ui.label(k.text).classes("text-xl font-semibold").mark(f"cost-kpi-{k.mark}")
                if k.note:
                    ui.label(k.note).classes("text-xs text-grey-7").mark(f"cost-kpi-{k.mark}-note")


def _budget_banner(lines: list[BudgetLine]) -> None:
    """Teams over their budget, or projected over it by month end, above the figures."""
    alerts = [line for line in lines if line.alert]
    if not alerts:
        return
    with (
        ui.row()
        .classes("w-full items-start gap-2 rounded bg-orange-1 text-orange-10 p-3 no-wrap")
        .mark("cost-budget-banner")
    ):
        ui.icon("warning", color="orange-9").classes("text-xl")
        with ui.column().classes("gap-0 min-w-0"):
            for line in alerts:
                ui.label(line.describe()).classes("text-sm break-words")


def _cost_and_budget(drawn: Charts) -> None:
    with ui.grid(columns=TWO_UP).classes("w-full gap-4"):
        CostChart(drawn.cost).classes("w-full").mark("cost-by-team")
        if drawn.budget is not None:
            CostChart(drawn.budget).classes("w-full").mark("cost-budget")
        else:
            ui.label("Month to date: not available for this source and range.").classes(
                "text-sm text-grey-7"
            )


def _savings_and_heatmap(drawn: Charts) -> None:
    if drawn.savings is None and drawn.heatmap is None:
        return
    with ui.grid(columns=TWO_UP).classes("w-full gap-4"):
        if drawn.savings is not None:
            with ui.column().classes("w-full gap-0"):
                CostChart(drawn.savings).classes("w-full").mark("cost-savings")
                ui.label(SAVINGS_NOTE).classes("text-xs text-grey-7")
        if drawn.heatmap is not None:
            CostChart(drawn.heatmap).classes("w-full").mark("cost-heatmap")


def _nothing_to_draw(ov: Overview) -> bool:
    """Says why there is nothing to draw (an OpenCost error, no history yet), if so."""
    if ov.error:
        ui.label(f"OpenCost: {ov.error}").classes("text-negative").mark("cost-opencost-error")
        return True
    for note in ov.notes:
        ui.label(note).classes("text-sm text-grey-7")
    if ov.by_day_team.empty and ov.source == "modeled":
        ui.label("No replica history yet: costs appear once models have run.").classes(
            "text-sm text-grey-7"
        )
        return True
    return False


def draw_figures(
    board: CostBoard, fig: CostFigures, drawn: Charts | None, rerender: Rerender
) -> None:
    """Place the computed figures and the prepared charts (``drawn`` is None when there is
    nothing to chart)."""
    ov = fig.overview
    if _nothing_to_draw(ov) or drawn is None:
        return
    _budget_banner(fig.budget_lines)
    _kpi_row(ov, _kpis(ov, fig.projected))
    _cost_and_budget(drawn)
    if fig.budget_lines:
        budget_table(board, fig.budget_lines, rerender)
    _savings_and_heatmap(drawn)
    if ov.compare is not None and drawn.compare is not None:
        compare_table(ov.compare, drawn.compare)
    model_table(ov)
    price_table(board, fig.prices, rerender)
