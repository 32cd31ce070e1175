"""The single page: a header with tabs (Models, Cluster, Schedules, Cost), each tab built from
its folder with the one typed service it needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nicegui import ui

from barista_ui.cost.board import CostBoard
from barista_ui.fleet import Fleet
from barista_ui.schedule.board import ScheduleBoard
from components.cluster.badge import cluster_badge
from components.cluster.overview import build_cluster_tab
from components.cost.tab import build_cost_tab
from components.models.banner import banner
from components.models.table import build_models_tab
from components.schedules.tab import build_schedules_tab
from components.theme import apply_theme, set_current_user, typed_name
from components.warmup import warm_up

TABS = ("models", "cluster", "schedules", "cost")


@dataclass(frozen=True)
class PageServices:
    """The typed service of each tab (the page hands each view only its own)."""

    fleet: Fleet  # Models and Cluster tabs
    schedules: ScheduleBoard
    cost: CostBoard


def mount(services: PageServices) -> None:
    warm_up()

    @ui.page("/", title="Barista")
    def index(tab: str = "models") -> None:
        apply_theme()
        tab = tab if tab in TABS else "models"
        tabs = _header(services.fleet, tab)
        banner(services.fleet)
        builders: dict[str, Callable[[], None]] = {
            "models": lambda: build_models_tab(services.fleet),
            "cluster": lambda: build_cluster_tab(services.fleet),
            "schedules": lambda: build_schedules_tab(services.schedules),
            "cost": lambda: build_cost_tab(services.cost),
        }
        _panels(tabs, tab, builders)


def _header(fleet: Fleet, tab: str) -> ui.tabs:
    with ui.header().classes("items-center px-4 py-1 gap-3 bg-primary no-wrap"):
        ui.icon("local_cafe").classes("text-2xl")
        ui.label("Barista").classes("text-xl font-semibold tracking-wide")
        with (
            ui.tabs(value=tab)
            .props("inline-label no-caps dense shrink outside-arrows mobile-arrows")
            .classes("min-w-0") as tabs
        ):
            ui.tab("models", "Models", icon="view_list").mark("tab-models")
            ui.tab("cluster", "Cluster", icon="hub").mark("tab-cluster")
            ui.tab("schedules", "Schedules", icon="schedule").mark("tab-schedules")
            ui.tab("cost", "Cost", icon="payments").mark("tab-cost")
        ui.space()
        cluster_badge(fleet)
        with ui.button(icon="person").props("flat round dense color=white").mark("user-button"):
            with ui.menu(), ui.column().classes("p-3"):
                ui.label("Your name (recorded with your changes)").classes("text-xs text-grey-7")
                ui.input(value=typed_name(), on_change=lambda e: set_current_user(e.value)).props(
                    "dense outlined maxlength=254"
                ).mark("user-name")
    return tabs


def _panels(tabs: ui.tabs, tab: str, builders: dict[str, Callable[[], None]]) -> None:
    """Tabs are built the first time they are shown: opening the Cost tab does not pay for a
    2,000-row models table it does not show."""
    panels: dict[str, ui.tab_panel] = {}
    built: set[str] = set()

    def ensure(name: str) -> None:
        if name in built or name not in panels:
            return
        built.add(name)
        with panels[name]:
            builders[name]()

    with ui.tab_panels(tabs, value=tab).classes("w-full bg-transparent").props("keep-alive"):
        for name in TABS:
            panels[name] = ui.tab_panel(name).classes("p-2 sm:p-4")
    ensure(tab)
    tabs.on_value_change(lambda e: ensure(e.value))
