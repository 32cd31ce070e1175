"""Page tests fail when a handler blocks the event loop (see tests/loop_guard.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from tests.loop_guard import HANDLER_LOG, blocked_loop_report, blocking_detector, slow_callbacks


@pytest.fixture(autouse=True)
async def fail_on_blocked_loop(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[None]:
    """asyncio debug mode with a 0.1 s slow-callback threshold; a slow callback fails the test.

    Only the test body counts: app start-up and shutdown run in set-up and teardown, before
    and after any page is served.
    """
    caplog.set_level(logging.WARNING, logger="asyncio")
    caplog.set_level(logging.WARNING, logger=HANDLER_LOG.name)
    with blocking_detector(asyncio.get_running_loop()):
        yield
    slow = slow_callbacks(caplog.get_records("call"), own_task=request.node.originalname)
    if slow:
        pytest.fail(blocked_loop_report(slow), pytrace=False)
