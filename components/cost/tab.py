"""The Cost tab: daily cost by team or model, month to date against budgets, what
scale-to-zero saved, when replicas run, modeled vs billed, a per-model table and the prices.

The tab receives one ``CostBoard``; everything that reads the database runs in a worker thread
(``run.io_bound``), so a slow query never freezes other pages.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from nicegui import run, ui

from barista_ui.cost.board import CostBoard, CostFigures
from barista_ui.cost.overview import Period
from components.cost.billing_dialog import build_import_dialog
from components.cost.chart import CostChart
from components.cost.controls import CostControls, build_controls
from components.cost.figures import Charts, draw_figures, prepare_charts


class _Drawing:
    """Redraws the figures on request; only the newest request draws."""

    def __init__(self, board: CostBoard, controls: CostControls):
        self.board = board
        self.controls = controls
        self.status = ui.label().classes("text-sm text-negative").mark("cost-error")
        self.body = ui.column().classes("w-full gap-4").mark("cost-body")
        self.generation = 0

    async def start(self) -> None:
        """Load the controls' options and draw the default figures, both off the event loop."""
        await asyncio.gather(self._load_controls(), self.render())

    async def _load_controls(self) -> None:
        setup = await run.io_bound(self.board.tab_setup)
        if setup is not None and not self.body.is_deleted:
            self.controls.apply_setup(setup)

    async def render(self) -> None:
        """Figures are computed in a worker thread: the event loop stays free to serve the
        page (and Plotly's bundle) meanwhile."""
        c = self.controls
        self.status.set_text("")
        try:
            period = c.period(self.board.tz, datetime.now(ZoneInfo(self.board.tz)))
        except ValueError as exc:
            self.status.set_text(str(exc))
            return
        self.generation += 1
        mine = self.generation
        stack = c.stack.value
        computed = await run.io_bound(
            self._compute, period, c.source.value, c.selected_teams(), stack
        )
        if computed is None or mine != self.generation or self.body.is_deleted:
            return
        fig, drawn = computed
        self.body.clear()
        with self.body:
            draw_figures(self.board, fig, drawn, self.render)

    def _compute(
        self, period: Period, source: str, teams: list[str], stack: str
    ) -> tuple[CostFigures, Charts | None]:
        """The figures and their charts (a worker thread: both are slow)."""
        fig = self.board.figures(period, source, teams, stack == "model")
        ov = fig.overview
        if ov.error or (ov.by_day_team.empty and ov.source == "modeled"):
            return fig, None
        return fig, prepare_charts(fig, stack, self.board.tz)

    async def after_import(self) -> None:
        sources = dict(self.controls.source.options)
        sources["billing"] = "Billed"
        self.controls.show_sources(sources)
        await self.render()


def _range_asked() -> int:
    """The range the address asks for (``?tab=cost&range=90``), else 30 days."""
    try:
        asked = ui.context.client.request.query_params.get("range", "")
    except RuntimeError:  # no request (a page built without one)
        asked = ""
    return int(asked) if asked in ("7", "30", "90") else 30


def build_cost_tab(board: CostBoard) -> None:
    today = datetime.now(ZoneInfo(board.tz)).date()
    controls = build_controls(today, _range_asked())
    drawing = _Drawing(board, controls)
    for control in (controls.days, controls.teams, controls.stack, controls.source):
        control.on_value_change(drawing.render)
    for control in (controls.d_from, controls.d_to):
        control.on("change", drawing.render)
    import_dialog = build_import_dialog(board, drawing.after_import)
    controls.import_button.on_click(import_dialog.open)
    with drawing.body, ui.row().classes("items-center gap-3 self-center").mark("cost-loading"):
        ui.spinner(size="lg")
        ui.label("Computing cost figures…").classes("text-sm text-grey-7")
    # Plotly's browser bundle is large: a hidden empty chart makes the browser fetch and compile
    # it while the server computes the figures, which arrive once the page is connected.
    CostChart({"data": [], "layout": {}, "config": {"responsive": False}}).style("display:none")
    ui.timer(0, drawing.start, once=True)
