"""The single page: a header with tabs (Models, Cluster, Schedules, Cost), each tab built from
its folder with the one typed service it needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nicegui import ui
from starlette.requests import Request

from barista_ui.access.service import AccessService
from barista_ui.cost.board import CostBoard
from barista_ui.fleet import Fleet
from barista_ui.schedule.board import ScheduleBoard
from components.access.user_menu import page_allowed, user_menu
from components.activity.tab import build_activity_tab
from components.cluster.badge import cluster_badge
from components.cluster.overview import build_cluster_tab
from components.cost.tab import build_cost_tab
from components.models.banner import banner
from components.models.panel import open_panel
from components.models.table import build_models_tab
from components.schedules.tab import build_schedules_tab
from components.theme import Resolver, apply_theme, use_identity
from components.url_state import UrlState, listen_to_back_button
from components.viewer_zone import learn_browser_zone, zone_picker
from components.warmup import warm_up

TABS = ("models", "activity", "cluster", "schedules", "cost")


@dataclass(frozen=True)
class PageServices:
    """The typed service of each tab (the page hands each view only its own)."""

    fleet: Fleet  # Models and Cluster tabs
    schedules: ScheduleBoard
    cost: CostBoard
    access: AccessService | None = None  # the Access dialog (bindings, API tokens)
    resolve: Resolver | None = None  # proxy mode: request -> Actor; None: the typed name


def mount(services: PageServices) -> None:
    warm_up()
    services.fleet.index.warm()  # the Models table's record index, read before the first page
    use_identity(services.resolve)

    @ui.page("/", title="Barista")
    def index(request: Request, tab: str = "models") -> None:
        apply_theme()
        if not page_allowed():
            return
        url = UrlState(dict(request.query_params))  # the view in the address bar
        listen_to_back_button()
        tab = tab if tab in TABS else "models"
        tabs = _header(services.fleet, tab, services.access)
        tabs.on_value_change(lambda e: url.update(tab=None if e.value == "models" else e.value))
        ui.timer(0.1, learn_browser_zone, once=True)
        banner(services.fleet)
        builders: dict[str, Callable[[], None]] = {
            "models": lambda: build_models_tab(services.fleet, url),
            "activity": lambda: build_activity_tab(services.fleet.activity),
            "cluster": lambda: build_cluster_tab(
                services.fleet, lambda record, done: open_panel(services.fleet, record, done)
            ),
            "schedules": lambda: build_schedules_tab(services.schedules),
            "cost": lambda: build_cost_tab(services.cost),
        }
        _panels(tabs, tab, builders)


def _header(fleet: Fleet, tab: str, access: AccessService | None = None) -> ui.tabs:
    with ui.header().classes("items-center px-4 py-1 gap-3 bg-primary no-wrap"):
        ui.icon("local_cafe").classes("text-2xl")
        ui.label("Barista").classes("text-xl font-semibold tracking-wide")
        with (
            ui.tabs(value=tab)
            .props("inline-label no-caps dense shrink outside-arrows mobile-arrows")
            .classes("min-w-0") as tabs
        ):
            ui.tab("models", "Models", icon="view_list").mark("tab-models")
            ui.tab("activity", "Activity", icon="history").mark("tab-activity")
            ui.tab("cluster", "Cluster", icon="hub").mark("tab-cluster")
            ui.tab("schedules", "Schedules", icon="schedule").mark("tab-schedules")
            ui.tab("cost", "Cost", icon="payments").mark("tab-cost")
        ui.space()
        zone_picker()
        cluster_badge(fleet)
        user_menu(access)
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
