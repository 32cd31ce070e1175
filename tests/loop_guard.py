"""Catch page handlers that block NiceGUI's event loop.

NiceGUI's simulated user runs the app in the test's own event loop. With asyncio's debug mode on,
the loop logs ``Executing <handle> took N seconds`` (logger ``asyncio``, WARNING) for every
callback that holds it longer than ``slow_callback_duration``: one such callback freezes every
open page. Debug mode reports other things too (unawaited coroutines, slow selects); only the
slow-callback reports count here.

Two details of the simulation: page builds and async handlers run in tasks of their own, but a
click or a typed value runs the element's synchronous handler inside the *test's* task (in a
browser it would run in the socket handler's task). So the test's own task is left out of the
asyncio reports (it also runs the test's own database checks), and synchronous handlers are
timed one by one instead (``timed_handlers``, logger ``tests.loop_guard``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from nicegui import events
from nicegui.elements.mixins import selectable_element, value_element

SLOW_CALLBACK_SECONDS = 0.1

HANDLER_LOG = logging.getLogger("tests.loop_guard")

_SLOW_CALLBACK = re.compile(r"^Executing (.*) took \d+(?:\.\d+)? seconds$", re.DOTALL)
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
        message = record.getMessage()
        if record.name == HANDLER_LOG.name:
            found.append(message)
        elif record.name == "asyncio" and (match := _SLOW_CALLBACK.match(message)):
            if own is None or own not in match.group(1):
                found.append(message)
    return found


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
_timing: dict[str, float] = {"limit": 0.0, "depth": 0}


def _timed_handle_event(handler: Any, arguments: Any, **kwargs: Any) -> None:
    if not _timing["limit"]:
        _original_handle_event(handler, arguments, **kwargs)
        return
    _timing["depth"] += 1
    start = time.perf_counter()
    try:
        _original_handle_event(handler, arguments, **kwargs)
    finally:
        _timing["depth"] -= 1
        took = time.perf_counter() - start
        if _timing["depth"] == 0 and took >= _timing["limit"]:
            HANDLER_LOG.warning(
                "Handler %s of %s took %.3f seconds", handler, _describe(arguments), took
            )


@contextmanager
def timed_handlers(slow_callback_seconds: float = SLOW_CALLBACK_SECONDS) -> Iterator[None]:
    """Log (``tests.loop_guard``, WARNING) each synchronous handler call slower than the limit.

    Only the outermost call is timed: a click handler that sets a value runs the value's
    handlers inside its own time.
    """
    _timing.update(limit=slow_callback_seconds, depth=0)
    with ExitStack() as restore:
        restore.callback(_timing.update, limit=0.0, depth=0)
        for module in _HANDLER_CALLERS:
            restore.callback(setattr, module, "handle_event", module.handle_event)
            module.handle_event = _timed_handle_event  # type: ignore[assignment]
        yield


@contextmanager
def blocking_detector(
    loop: asyncio.AbstractEventLoop, slow_callback_seconds: float = SLOW_CALLBACK_SECONDS
) -> Iterator[None]:
    """``loop_debug`` and ``timed_handlers`` together."""
    with loop_debug(loop, slow_callback_seconds), timed_handlers(slow_callback_seconds):
        yield


def blocked_loop_report(messages: list[str]) -> str:
    lines = "\n".join(f"  {message}" for message in messages)
    return (
        f"The event loop was blocked for more than {SLOW_CALLBACK_SECONDS} s "
        f"(move the DB or cluster call behind `await run.io_bound(...)`):\n{lines}"
    )
