"""Change fan-out from worker threads to the event loop."""

from __future__ import annotations

import asyncio
import threading
import time

from barista_ui.cluster.hub import ChangeHub, KeyWorker


async def test_publish_from_thread_runs_listener_on_loop() -> None:
    hub = ChangeHub()
    loop = asyncio.get_running_loop()
    hub.bind_loop(loop)
    got: asyncio.Future = loop.create_future()
    seen_threads = []

    def listener(keys):
        seen_threads.append(threading.get_ident())
        if not got.done():
            got.set_result(keys)

    unsubscribe = hub.subscribe(listener)
    threading.Thread(target=hub.publish, args=({("ml-prod", "a")},)).start()
    assert await asyncio.wait_for(got, 5) == {("ml-prod", "a")}
    assert seen_threads == [threading.get_ident()]
    unsubscribe()
    hub.publish({("ml-prod", "b")})
    await asyncio.sleep(0)
    assert len(seen_threads) == 1


def test_a_failing_listener_does_not_stop_others() -> None:
    hub = ChangeHub()
    calls = []
    hub.subscribe(lambda keys: 1 / 0)
    hub.subscribe(calls.append)
    hub.publish([("ns", "m")])
    assert calls == [{("ns", "m")}]


def test_key_worker_runs_a_slow_listener_apart_with_each_burst_merged() -> None:
    done: list[set] = []
    gate = threading.Event()

    def slow(keys: set) -> None:
        gate.wait(5)
        done.append(keys)

    worker = KeyWorker(slow, "slow-listener")
    t0 = time.monotonic()
    for i in range(50):
        worker.put({("ns", f"m{i % 10}")})
    assert time.monotonic() - t0 < 1.0  # the caller never waits for the listener
    gate.set()
    deadline = time.monotonic() + 5
    while sum(len(k) for k in done) < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert set().union(*done) == {("ns", f"m{i}") for i in range(10)}
    assert len(done) <= 2  # the first key, then the rest of the burst at once
