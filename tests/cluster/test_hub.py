"""Change fan-out from worker threads to the event loop."""

from __future__ import annotations

import asyncio
import threading

from barista_ui.cluster.hub import ChangeHub


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
