"""Barista's entry point: wires settings and services, mounts the page, serves it.

    python main.py [--host 127.0.0.1] [--port 8080]

Configuration comes from BARISTA_* environment variables (see README).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from nicegui import app, ui
from starlette.responses import JSONResponse

from barista_ui.app import Services, build_services
from barista_ui.settings import Settings
from components.cluster.live_view import cluster_badge, extend_models_table, panel_live
from components.cluster.overview import build_cluster_tab
from components.cost.tab import build_cost_tab
from components.cost.widgets import edit_cost_text, panel_cost
from components.page import mount
from components.schedules.tab import build_schedules_tab
from components.schedules.widgets import banner, extend_with_schedules
from data.db import current_revision, ping


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="barista-dashboard", description=__doc__)
    parser.add_argument("--host", default=None, help="interface to listen on (BARISTA_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port to listen on (BARISTA_PORT)")
    return parser.parse_args(argv)


def create_app(settings: Settings) -> Services:
    services = build_services(settings)
    services.extras["cluster_badge"] = lambda: cluster_badge(services)
    cost_board = services.cost_board()

    def panel_extras(record) -> None:
        panel_cost(cost_board, record)
        panel_live(services, record)

    services.extras["panel_extras"] = panel_extras

    def extend(models) -> None:
        extend_with_schedules(services, models)
        if services.reconciler is not None:
            extend_models_table(services, models)

    services.extras["extend_models_table"] = extend
    services.extras["banner"] = lambda: banner(services)
    services.extras["estimate_edit_text"] = lambda old, new: edit_cost_text(cost_board, old, new)
    mount(
        services,
        {
            "schedules": build_schedules_tab,
            "cluster": build_cluster_tab,
            "cost": lambda _services: build_cost_tab(cost_board),
        },
    )

    async def start_runtime() -> None:
        services.hub.bind_loop(asyncio.get_running_loop())
        services.start_runtime()  # quick: connects and starts threads; the first apply runs behind
        services.start_scheduler()
        services.start_cost_rollups()

    app.on_startup(start_runtime)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        try:
            ping(services.engine)
            schema = current_revision(services.engine)
        except Exception as exc:  # the point of the endpoint is to say why
            return JSONResponse({"status": "error", "database": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "schema": schema})

    app.on_shutdown(services.close)
    return services


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    under_pytest = "PYTEST_CURRENT_TEST" in os.environ
    args = parse_args([] if under_pytest else sys.argv[1:])
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = Settings(**overrides)
    create_app(settings)
    ui.run(
        host=settings.host,
        port=settings.port,
        title="Barista",
        reload=False,
        show=False,
        favicon="☕",
        storage_secret=settings.storage_secret,
    )


if __name__ in {"__main__", "__mp_main__"}:
    main()
