"""The API on its own database (records only, no cluster), through Starlette's test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.routing import Mount

from barista_ui.api.server import create_api
from barista_ui.app import App, build_app
from barista_ui.settings import Settings
from tests.conftest import base_record


@pytest.fixture
def barista(tmp_path: Path) -> Iterator[App]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        cluster="none",
        seed_demo=False,
        scheduler_enabled=False,
    )
    app = build_app(settings, embedded=False)
    yield app
    app.stop()


@pytest.fixture
def api(barista: App) -> Iterator[TestClient]:
    server = Starlette(routes=[Mount("/api", app=create_api(barista))])  # as main.py mounts it
    with TestClient(server, base_url="http://testserver/api") as client:
        yield client


def create(api: TestClient, **overrides) -> dict:
    res = api.post("/v1/models", json=base_record(**overrides))
    assert res.status_code == 201, res.text
    return res.json()["model"]
