"""Catch page handlers that block NiceGUI's event loop.

NiceGUI's simulated user runs the app in the test's own event loop. Every callback the loop runs
is timed, and one that holds it longer than the limit is logged as ``Executing <handle> took N
seconds`` (logger ``tests.loop_guard``, WARNING): one such callback freezes every open page.

The time counted is the wall time minus the time the loop thread spent waiting for a CPU (the
kernel's run-queue wait, ``/proc/self/task/ID/schedstat``) and minus garbage collections (see
``_Clock``): a busy machine stretches a quick callback's wall time, but a callback that sleeps,
waits on a socket or a disk, or computes, is counted in full. asyncio's debug mode stays on for
its other checks (a loop called from another thread, unawaited coroutines), but its own
slow-callback report, on wall time, is off.

Two details of the simulation: page builds and async handlers run in tasks of their own, but a
click or a typed value runs the element's synchronous handler inside the *test's* task (in a
browser it would run in the socket handler's task). So the test's own task is left out of the
asyncio reports (it also runs the test's own database checks), and synchronous handlers are
timed one by one instead (``timed_handlers``, logger ``tests.loop_guard``).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from nicegui import events
from nicegui.elements.mixins import selectable_element, value_element

SLOW_CALLBACK_SECONDS = 0.1

HANDLER_LOG = logging.getLogger("tests.loop_guard")

_SLOW_CALLBACK = re.compile(r"^Executing (.*) took \d+(?:\.\d+)? seconds", re.DOTALL)
# modules whose ``handle_event`` global runs a handler on a simulated click, trigger or value
_HANDLER_CALLERS = (events, value_element, selectable_element)


def slow_callbacks(records: Iterable[logging.LogRecord], own_task: str | None = None) -> list[str]:
    """The slow-callback and slow-handler reports among ``records``, in order.

    ``own_task``: the test function's name; asyncio's reports about the test's own task are left
    out (its handlers are timed by ``timed_handlers``).
    """
    own = f"coro=<{own_task}()" if own_task else None
    found = []
    for record in records:
        if record.levelno != logging.WARNING:
            continue
        if record.name not in (HANDLER_LOG.name, "asyncio"):
            continue
        message = record.getMessage()
        match = _SLOW_CALLBACK.match(message)
        if record.name == "asyncio" and not match:
            continue  # debug mode's other reports
        if match and own is not None and own in match.group(1):
            continue
        found.append(message)
    return found


_schedstat_files: dict[int, int] = {}  # thread's native id -> its open schedstat file


def _schedstat_reader() -> Callable[[], float]:
    """A function giving the calling thread's run-queue wait in seconds (0.0 if unknown)."""
    tid = threading.get_native_id()
    try:
        if tid not in _schedstat_files:
            _schedstat_files[tid] = os.open(f"/proc/self/task/{tid}/schedstat", os.O_RDONLY)
        fd = _schedstat_files[tid]
        os.pread(fd, 64, 0)
    except OSError:  # not Linux, or no scheduler statistics: plain wall time
        return lambda: 0.0
    return lambda: int(os.pread(fd, 64, 0).split()[1]) / 1e9


_collecting: dict[str, float] = {"seconds": 0.0, "since": 0.0, "waited": 0.0}


def _on_collection(phase: str, info: dict) -> None:
    """``gc.callbacks``: total time spent on full collections (the only long ones), whichever
    thread collects, less that thread's waits for a CPU meanwhile."""
    if info.get("generation") != 2:
        return
    waited = _schedstat_reader()()
    if phase == "start":
        _collecting.update(since=time.perf_counter(), waited=waited)
    else:
        took = time.perf_counter() - _collecting["since"] - (waited - _collecting["waited"])
        _collecting["seconds"] += max(took, 0.0)


gc.callbacks.append(_on_collection)

Mark = tuple[float, float, float, float]


class _Clock:
    """Blocking time of the loop thread (the thread that made the clock).

    Wall time, less the time the loop thread spent waiting for a CPU (its run-queue wait), and
    less the full garbage collections meanwhile (their time off the run queue), in any thread (the GIL stops the loop thread during
    each): their length depends on everything the test process holds, all earlier tests
    included, not on the callback. It never counts less than the loop thread's own CPU time
    outside collections. (Other threads' waits for a CPU are not subtracted: they also pile up
    while the loop thread sleeps in a blocking call and would hide it.)
    """

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.cpu_wait = _schedstat_reader()

    def now(self) -> Mark:
        return time.perf_counter(), time.thread_time(), _collecting["seconds"], self.cpu_wait()

    def since(self, start: Mark) -> tuple[float, float, float]:
        """(blocking seconds, seconds spent waiting for a CPU, seconds collecting garbage)."""
        wall, cpu = time.perf_counter() - start[0], time.thread_time() - start[1]
        collected = _collecting["seconds"] - start[2]
        waited = self.cpu_wait() - start[3]
        return max(wall - waited - collected, cpu - collected, 0.0), waited, collected


@contextmanager
def loop_debug(
    loop: asyncio.AbstractEventLoop, slow_callback_seconds: float = SLOW_CALLBACK_SECONDS
) -> Iterator[None]:
    """Debug mode on ``loop`` with the given slow-callback threshold; restored on exit."""
    debug, duration = loop.get_debug(), loop.slow_callback_duration
    loop.set_debug(True)
    loop.slow_callback_duration = slow_callback_seconds
    try:
        yield
    finally:
        loop.set_debug(debug)
        loop.slow_callback_duration = duration


def _describe(arguments: Any) -> str:
    sender = getattr(arguments, "sender", None)
    if sender is None:
        return type(arguments).__name__
    markers = ",".join(getattr(sender, "_markers", []))
    return f"{type(sender).__name__}" + (f" marker={markers}" if markers else "")


_original_handle_event = events.handle_event
# shared by every copy of the wrapper: nicegui imports element modules lazily, so a module first
# imported while the wrapper is installed keeps it for good (it then just passes calls through)
_timing: dict[str, Any] = {"limit": 0.0, "depth": 0, "clock": None}


def _timed_handle_event(handler: Any, arguments: Any, **kwargs: Any) -> None:
    if not _timing["limit"]:
        _original_handle_event(handler, arguments, **kwargs)
        return
    clock = _timing["clock"]
    _timing["depth"] += 1
    start = clock.now()
    try:
        _original_handle_event(handler, arguments, **kwargs)
    finally:
        _timing["depth"] -= 1
        took, waited, collected = clock.since(start)
        if _timing["depth"] == 0 and took >= _timing["limit"]:
            HANDLER_LOG.warning(
                "Handler %s of %s took %.3f seconds%s",
                handler,
                _describe(arguments),
                took,
                _besides(waited, collected),
            )


@contextmanager
def timed_handlers(slow_callback_seconds: float = SLOW_CALLBACK_SECONDS) -> Iterator[None]:
    """Log (``tests.loop_guard``, WARNING) each synchronous handler call slower than the limit.

    Only the outermost call is timed: a click handler that sets a value runs the value's
    handlers inside its own time.
    """
    _timing.update(limit=slow_callback_seconds, depth=0, clock=_Clock())
    with ExitStack() as restore:
        restore.callback(_timing.update, limit=0.0, depth=0, clock=None)
        for module in _HANDLER_CALLERS:
            restore.callback(setattr, module, "handle_event", module.handle_event)
            module.handle_event = _timed_handle_event  # type: ignore[assignment]
        yield


_original_handle_run = asyncio.Handle._run
_callbacks: dict[str, Any] = {"limit": 0.0, "clock": None}


def _timed_handle_run(self: asyncio.Handle) -> None:
    clock = _callbacks["clock"]
    if clock is None or clock.thread != threading.get_ident():
        _original_handle_run(self)
        return
    start = clock.now()
    try:
        _original_handle_run(self)
    finally:
        took, waited, collected = clock.since(start)
        if took >= _callbacks["limit"]:
            HANDLER_LOG.warning(
                "Executing %s took %.3f seconds%s",
                _format_handle(self),
                took,
                _besides(waited, collected),
            )


def _besides(waited: float, collected: float) -> str:
    return f" (besides {waited:.3f} s waiting for a CPU and {collected:.3f} s collecting garbage)"


def _format_handle(handle: asyncio.Handle) -> str:
    """As asyncio names a handle in its reports: the task for a task's step."""
    owner = getattr(getattr(handle, "_callback", None), "__self__", None)
    return repr(owner) if isinstance(owner, asyncio.Task) else str(handle)


@contextmanager
def timed_callbacks(slow_callback_seconds: float = SLOW_CALLBACK_SECONDS) -> Iterator[None]:
    """Log (``tests.loop_guard``, WARNING) each callback of this thread's loop over the limit."""
    _callbacks.update(limit=slow_callback_seconds, clock=_Clock())
    asyncio.Handle._run = _timed_handle_run  # type: ignore[method-assign]
    try:
        yield
    finally:
        asyncio.Handle._run = _original_handle_run  # type: ignore[method-assign]
        _callbacks.update(limit=0.0, clock=None)


@contextmanager
def blocking_detector(
    loop: asyncio.AbstractEventLoop, slow_callback_seconds: float = SLOW_CALLBACK_SECONDS
) -> Iterator[None]:
    """Callbacks and synchronous handlers timed on the load-corrected clock, and debug mode."""
    with loop_debug(loop, math.inf), timed_callbacks(slow_callback_seconds):
        with timed_handlers(slow_callback_seconds):
            yield


def blocked_loop_report(messages: list[str]) -> str:
    lines = "\n".join(f"  {message}" for message in messages)
    return (
        f"The event loop was blocked for more than {SLOW_CALLBACK_SECONDS} s "
        f"(move the DB or cluster call behind `await run.io_bound(...)`):\n{lines}"
    )
