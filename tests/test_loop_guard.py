"""The blocked-loop detector used by the page tests (tests/components/conftest.py) can fail."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from nicegui import events, ui
from nicegui.testing import user_simulation

from tests.loop_guard import (
    HANDLER_LOG,
    SLOW_CALLBACK_SECONDS,
    blocking_detector,
    slow_callbacks,
    timed_handlers,
)

SLOW = "Executing %s took %.3f seconds"


def record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def seconds(reports: list[str]) -> list[float]:
    return [float(re.search(r"took (\S+) seconds", r).group(1)) for r in reports]


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="asyncio")
    caplog.set_level(logging.WARNING, logger=HANDLER_LOG.name)
    return caplog


def test_only_slow_callback_warnings_count() -> None:
    slow = record("asyncio", logging.WARNING, SLOW, "<Task pending coro=<page()>>", 0.25)
    handler = record(HANDLER_LOG.name, logging.WARNING, "Handler %s took %.3f seconds", "h", 0.3)
    others = [
        record("asyncio", logging.INFO, "poll took %.3f ms: %s events", 120.0, 1),
        record("asyncio", logging.ERROR, "Task was destroyed but it is pending!"),
        record("asyncio", logging.WARNING, "socket.send() raised exception."),
        record("barista", logging.WARNING, SLOW, "x", 1.0),
    ]
    assert slow_callbacks([*others, slow, handler]) == [
        "Executing <Task pending coro=<page()>> took 0.250 seconds",
        "Handler h took 0.300 seconds",
    ]
    assert slow_callbacks(others) == []


def test_the_test_task_itself_is_left_out() -> None:
    own = record("asyncio", logging.WARNING, SLOW, "<Task finished coro=<test_x() done>>", 1.0)
    other = record("asyncio", logging.WARNING, SLOW, "<Task finished coro=<test_xy() done>>", 1.0)
    assert slow_callbacks([own, other], own_task="test_x") == [other.getMessage()]
    assert slow_callbacks([own], own_task=None) == [own.getMessage()]


def test_a_handler_is_timed_once_and_only_while_active(captured: pytest.LogCaptureFixture) -> None:
    def inner() -> None:
        time.sleep(0.15)

    def outer() -> None:
        events.handle_event(inner, None)  # a click handler that sets a value, say

    with timed_handlers():
        events.handle_event(outer, None)
        kept = events.handle_event  # what an element module imported meanwhile keeps
    kept(outer, None)  # after the test: passes through, reports nothing
    reported = slow_callbacks(captured.records)
    assert len(reported) == 1 and "outer" in reported[0]


async def test_a_page_build_that_sleeps_is_reported(captured: pytest.LogCaptureFixture) -> None:
    def blocking_page() -> None:
        time.sleep(0.2)  # what a synchronous DB or cluster call does to the loop
        ui.label("slow page")

    with blocking_detector(asyncio.get_running_loop()):
        async with user_simulation(blocking_page) as user:
            captured.clear()
            await user.open("/")
            await user.should_see("slow page")
            reported = slow_callbacks(captured.records, own_task="unused")
    assert reported, "a 0.2 s sleep while building a page went unnoticed"
    assert max(seconds(reported)) >= 0.19  # the scheduler's accounting is good to a few ms


async def test_a_click_handler_that_sleeps_is_reported(captured: pytest.LogCaptureFixture) -> None:
    def page() -> None:
        ui.button("save", on_click=lambda: time.sleep(0.2)).mark("save")
        ui.button("fine", on_click=lambda: None).mark("fine")

    with blocking_detector(asyncio.get_running_loop()):
        async with user_simulation(page) as user:
            await user.open("/")
            captured.clear()
            user.find(marker="fine").click()
            assert slow_callbacks(captured.records) == []
            user.find(marker="save").click()
            reported = slow_callbacks(captured.records)
    assert len(reported) == 1 and "marker=save" in reported[0]
    assert seconds(reported)[0] >= 0.19


async def test_a_page_that_awaits_is_not_reported(captured: pytest.LogCaptureFixture) -> None:
    async def waiting_page() -> None:
        await asyncio.sleep(0.2)  # waiting without holding the loop
        ui.label("patient page")

    with blocking_detector(asyncio.get_running_loop(), slow_callback_seconds=0.15):
        async with user_simulation(waiting_page) as user:
            captured.clear()
            await user.open("/")
            await user.should_see("patient page")
            reported = slow_callbacks(captured.records)
    assert reported == []


@contextmanager
def crowded_cpu(hogs: int = 3) -> Iterator[None]:
    """This thread and ``hogs`` busy processes share one CPU: a machine under load."""
    cpu = min(os.sched_getaffinity(0))
    before = os.sched_getaffinity(0)
    busy = [
        subprocess.Popen(
            [sys.executable, "-c", f"import os; os.sched_setaffinity(0, {{{cpu}}})\nwhile 1: pass"]
        )
        for _ in range(hogs)
    ]
    os.sched_setaffinity(0, {cpu})
    try:
        time.sleep(0.2)  # the hogs are spinning
        yield
    finally:
        os.sched_setaffinity(0, before)
        for proc in busy:
            proc.kill()
            proc.wait()


def compute(cpu_seconds: float, then_sleep: float = 0.0) -> float:
    """Keep the CPU busy for ``cpu_seconds`` of this thread's CPU time (then sleep, a blocking
    call); the wall time it took."""
    start, cpu = time.perf_counter(), time.thread_time()
    while time.thread_time() - cpu < cpu_seconds:
        pass
    time.sleep(then_sleep)
    return time.perf_counter() - start


@pytest.mark.skipif(not os.path.exists("/proc/thread-self/schedstat"), reason="Linux schedstat")
async def test_a_quick_callback_on_a_crowded_cpu_is_not_reported(
    captured: pytest.LogCaptureFixture,
) -> None:
    walls: list[float] = []
    with crowded_cpu(), blocking_detector(asyncio.get_running_loop()):
        captured.clear()
        asyncio.get_running_loop().call_soon(lambda: walls.append(compute(0.03)))
        await asyncio.sleep(0.01)
        quick = slow_callbacks(captured.records)
        captured.clear()
        asyncio.get_running_loop().call_soon(lambda: walls.append(compute(0.03, then_sleep=0.3)))
        await asyncio.sleep(0.01)
        blocking = slow_callbacks(captured.records)
    assert walls[0] > SLOW_CALLBACK_SECONDS, "the CPU was not crowded: the test proves nothing"
    assert quick == [], "a 0.03 s callback stretched by waiting for a CPU was reported"
    assert len(blocking) == 1 and 0.29 <= seconds(blocking)[0] < walls[1] + 0.01


async def test_a_garbage_collection_is_not_the_callbacks_time(
    captured: pytest.LogCaptureFixture,
) -> None:
    heap = [[] for _ in range(2_000_000)]  # what a long test process holds
    cpu: list[float] = []

    def collect_then(sleep: float) -> None:
        start = time.thread_time()
        gc.collect()
        cpu.append(time.thread_time() - start)
        time.sleep(sleep)

    with blocking_detector(asyncio.get_running_loop()):
        captured.clear()
        asyncio.get_running_loop().call_soon(collect_then, 0.0)
        await asyncio.sleep(0.01)
        collecting = slow_callbacks(captured.records)
        captured.clear()
        asyncio.get_running_loop().call_soon(collect_then, 0.3)
        await asyncio.sleep(0.01)
        blocking = slow_callbacks(captured.records)
    del heap
    assert cpu[0] > SLOW_CALLBACK_SECONDS, "the collection was quick: the test proves nothing"
    assert collecting == [], "a garbage collection was counted as the callback's own time"
    assert len(blocking) == 1 and seconds(blocking)[0] >= 0.29
