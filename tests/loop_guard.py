"""Catch page handlers that block NiceGUI's event loop.

NiceGUI's simulated user runs the app in the test's own event loop. Every callback the loop runs
is timed, and one that holds it longer than the limit is logged as ``Executing <handle> took N
seconds`` (logger ``tests.loop_guard``, WARNING): one such callback freezes every open page.

The time counted is the wall time minus the time the process's threads spent waiting for a CPU
(the kernel's run-queue wait, ``/proc/self/task/*/schedstat``; see ``_Clock``): a busy machine
stretches a quick callback's wall time, but a callback that sleeps, waits on a socket or a
disk, or computes, is counted in full. asyncio's debug mode stays on for its other checks (a loop called from
another thread, unawaited coroutines), but its own slow-callback report, on wall time, is off.

Two details of the simulation: page builds and async handlers run in tasks of their own, but a
click or a typed value runs the element's synchronous handler inside the *test's* task (in a
browser it would run in the socket handler's task). So the test's own task is left out of the
asyncio reports (it also runs the test's own database checks), and synchronous handlers are
timed one by one instead (``timed_handlers``, logger ``tests.loop_guard``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
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


_schedstat_fds: dict[int, int] = {}  # thread's native id -> its open schedstat file


def _cpu_waits() -> dict[int, int]:
    """Each Python thread of this process (a thread that can hold the GIL): nanoseconds it has
    waited for a CPU (run-queue wait)."""
    alive = {t.native_id for t in threading.enumerate() if t.native_id is not None}
    for gone in set(_schedstat_fds) - alive:
        os.close(_schedstat_fds.pop(gone))
    waits = {}
    for tid in alive:
        try:
            if tid not in _schedstat_fds:
                _schedstat_fds[tid] = os.open(f"/proc/self/task/{tid}/schedstat", os.O_RDONLY)
            waits[tid] = int(os.pread(_schedstat_fds[tid], 64, 0).split()[1])
        except (OSError, IndexError, ValueError):  # the thread ended meanwhile
            continue
    return waits


def _schedstat_works() -> bool:
    return os.path.exists(f"/proc/self/task/{threading.get_native_id()}/schedstat")


class _Clock:
    """Blocking time of the loop thread (the thread that made the clock).

    Wall time, less the time this process's threads spent waiting for a CPU: the loop thread
    itself, and the thread holding the GIL while the loop thread waits for it. It never counts
    less than the loop thread's own CPU time. A thread running without the GIL (C code) and
    waiting for a CPU at the same time is subtracted too: a loaded machine may hide part of a
    blocking call, never add one.
    """

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.schedstat = _schedstat_works()

    def now(self) -> tuple[float, float, dict[int, int]]:
        return time.perf_counter(), time.thread_time(), _cpu_waits() if self.schedstat else {}

    def since(self, start: tuple[float, float, dict[int, int]]) -> tuple[float, float]:
        """(blocking seconds, seconds spent waiting for a CPU) since ``start``."""
        wall, cpu = time.perf_counter() - start[0], time.thread_time() - start[1]
        before = start[2]
        after = _cpu_waits() if self.schedstat else {}
        waited = sum(n - before.get(tid, 0) for tid, n in after.items() if tid in before) / 1e9
        return max(wall - waited, cpu, 0.0), waited


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
        took, waited = clock.since(start)
        if _timing["depth"] == 0 and took >= _timing["limit"]:
            HANDLER_LOG.warning(
                "Handler %s of %s took %.3f seconds (and %.3f s waiting for a CPU)",
                handler,
                _describe(arguments),
                took,
                waited,
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
        took, waited = clock.since(start)
        if took >= _callbacks["limit"]:
            HANDLER_LOG.warning(
                "Executing %s took %.3f seconds (and %.3f s waiting for a CPU)",
                _format_handle(self),
                took,
                waited,
            )


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
