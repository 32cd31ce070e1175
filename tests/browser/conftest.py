"""Browser tests: the dashboard as a real process, driven in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apprunner import ROOT, AppProcess

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("browser-app")
    app = AppProcess(
        {
            "BARISTA_DATABASE_URL": f"sqlite:///{tmp / 'app.db'}",
            "BARISTA_CLUSTER": "none",
            "BARISTA_SCHEDULER_ENABLED": "false",
        },
        cwd=tmp,
    )
    try:
        app.wait_ready()
        yield app.url
    finally:
        app.stop()


@pytest.fixture
def shot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.wait_for_timeout(500)  # let dialog transitions finish
        page.screenshot(path=str(path), full_page=False)
        return path

    return take


@pytest.fixture(scope="module")
def live_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard with its embedded simulated cluster, sped up."""
    tmp = tmp_path_factory.mktemp("browser-live-app")
    app = AppProcess(
        {
            "BARISTA_DATABASE_URL": f"sqlite:///{tmp / 'app.db'}",
            "BARISTA_CLUSTER": "auto",
            "BARISTA_SIMULATOR_SPEED": "20",
            "BARISTA_SCHEDULER_ENABLED": "false",
        },
        cwd=tmp,
    )
    try:
        app.wait_ready()
        yield app.url
    finally:
        app.stop()
