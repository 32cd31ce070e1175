"""The single page: header with tabs, composed from the view pieces."""

from __future__ import annotations

from nicegui import ui

from barista_ui.services import Services


def mount(services: Services) -> None:
    @ui.page("/")
    def index() -> None:
        ui.label("Barista")
        ui.label(f"{len(services.registry.list_models())} models")
