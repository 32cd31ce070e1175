"""The single page: a header with tabs (Models, Cluster, Schedules, Cost) composed from views."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from barista_ui.app import Services
from components.models.table import ModelsTable
from components.theme import apply_theme, current_user, set_current_user

TABS = ("models", "cluster", "schedules", "cost")
TabBuilder = Callable[[Services], None]


def _coming_soon(what: str) -> TabBuilder:
    def build(_services: Services) -> None:
        with ui.column().classes("w-full items-center py-16 text-grey-7"):
            ui.icon("construction").classes("text-4xl")
            ui.label(f"{what} arrives in a later release.")

    return build


def mount(services: Services, tab_builders: dict[str, TabBuilder] | None = None) -> None:
    builders: dict[str, TabBuilder] = {
        "cluster": _coming_soon("The cluster view"),
        "schedules": _coming_soon("Off-hours schedules"),
        "cost": _coming_soon("Cost"),
    }
    builders.update(tab_builders or {})

    @ui.page("/", title="Barista")
    def index(tab: str = "models") -> None:
        apply_theme()
        models = ModelsTable(services)
        tab = tab if tab in TABS else "models"
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
            badge = services.extras.get("cluster_badge")
            if badge is not None:
                badge()
            with ui.button(icon="person").props("flat round dense color=white").mark("user-button"):
                with ui.menu(), ui.column().classes("p-3"):
                    ui.label("Your name (recorded with your changes)").classes(
                        "text-xs text-grey-7"
                    )
                    ui.input(
                        value=current_user(), on_change=lambda e: set_current_user(e.value)
                    ).props("dense outlined").mark("user-name")
        banner = services.extras.get("banner")
        if banner is not None:
            banner()

        def build_models() -> None:
            models.build()
            extend = services.extras.get("extend_models_table")
            if extend is not None:
                extend(models)

        build = {"models": build_models}
        build.update({name: (lambda n=name: builders[n](services)) for name in TABS[1:]})
        panels: dict[str, ui.tab_panel] = {}
        built: set[str] = set()

        def ensure(name: str) -> None:
            """Tabs are built the first time they are shown: opening the Cost tab does not pay
            for a 2,000-row models table it does not show."""
            if name in built or name not in panels:
                return
            built.add(name)
            with panels[name]:
                build[name]()

        with ui.tab_panels(tabs, value=tab).classes("w-full bg-transparent").props("keep-alive"):
            for name in TABS:
                panels[name] = ui.tab_panel(name).classes("p-2 sm:p-4")
        ensure(tab)
        tabs.on_value_change(lambda e: ensure(e.value))
