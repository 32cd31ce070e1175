"""A simulator per test module and helpers, for tests that go through the official client."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from k8s.simulator import Simulator, SimulatorConfig, start_simulator

FAST = SimulatorConfig(
    speed=20.0,
    pod_schedule_delay_s=0.05,
    pod_start_delay_s=0.1,
    hpa_interval_s=2.0,
    bookmark_interval_s=0.5,
)


def fast_simulator(**overrides) -> Simulator:
    cfg = SimulatorConfig(**{**FAST.__dict__, **overrides})
    return start_simulator(cfg)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    s = fast_simulator()
    yield s
    s.stop()


def eventually(check: Callable[[], object], timeout: float = 10.0, what: str = "condition"):
    """Poll until ``check()`` is truthy (returns it) or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.02)
    raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")
