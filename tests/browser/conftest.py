"""Browser tests: the dashboard as a real process, driven in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.apprunner import ROOT, AppProcess

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@contextmanager
def running_app(tmp: Path, **env: str) -> Iterator[str]:
    app = AppProcess(
        {
            "BARISTA_DATABASE_URL": f"sqlite:///{tmp / 'app.db'}",
            "BARISTA_SCHEDULER_ENABLED": "false",
            **env,
        },
        cwd=tmp,
    )
    try:
        app.wait_ready()
        yield app.url
    finally:
        app.stop()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on records alone (no cluster)."""
    with running_app(tmp_path_factory.mktemp("browser-app"), BARISTA_CLUSTER="none") as url:
        yield url


@pytest.fixture(scope="module")
def live_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard with its embedded simulated cluster, sped up."""
    with running_app(
        tmp_path_factory.mktemp("browser-live-app"),
        BARISTA_CLUSTER="auto",
        BARISTA_SIMULATOR_SPEED="20",
    ) as url:
        yield url


@pytest.fixture
def shot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.wait_for_timeout(500)  # let dialog transitions finish
        page.screenshot(path=str(path), full_page=False)
        return path

    return take
