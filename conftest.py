"""Root pytest configuration: NiceGUI's user fixture, real Chromium for Playwright."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["nicegui.testing.user_plugin"]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive the system's Chromium: Playwright cannot download its own browser here."""
    path = os.environ.get("BARISTA_CHROMIUM", "/usr/bin/chromium")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


def pytest_configure(config):
    """Under pytest-xdist (``make test`` runs ``-n``), each worker keeps NiceGUI's storage files
    apart; the rest is apart already (tmp_path databases, ports from the kernel)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        os.environ["NICEGUI_STORAGE_PATH"] = os.path.join(".nicegui", worker)


def pytest_collection_modifyitems(config, items):
    """Browser tests last: sync Playwright breaks asyncio tests that run after it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
