"""Builds the application's services from settings (the composition root below main.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from barista_ui.registry import RegistryService
from barista_ui.settings import Settings
from data.db import make_engine, migrate, session_factory
from data.seed import demo_records

log = logging.getLogger("barista")


@dataclass
class Services:
    settings: Settings
    engine: Engine
    registry: RegistryService
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.engine.dispose()


def build_services(settings: Settings, *, seed: bool | None = None) -> Services:
    """Connect, migrate to the newest schema and, on an empty database, seed the demo fleet."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    registry = RegistryService(session_factory(engine), max_replicas=settings.max_replicas)
    services = Services(settings=settings, engine=engine, registry=registry)
    if (settings.seed_demo if seed is None else seed) and registry.fleet_stamp() == (0, 0):
        registry.apply_many(demo_records(), actor="barista-demo", source="cli", reason="demo data")
        log.info("seeded the demo fleet into an empty database")
    return services
