"""One-click actions on a model (the table's and the panel's switch and stepper, the table's
keep-up menu): run in a worker thread, then say what happened. A refused change opens a dialog
with the reason and a retry; a change the cluster could not check yet (Pending) shows its
notice as a warning."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from nicegui import run, ui

from barista_ui.access.roles import AccessDenied
from barista_ui.fleet import Fleet, ReplicaChange
from barista_ui.records.registry import ModelRecord, RegistryError
from barista_ui.records.spec import RecordInvalid
from components.theme import current_user

Key = tuple[str, str]
OnDone = Callable[[], None | Awaitable[None]]


async def run_done(on_done: OnDone) -> None:
    """Call a "changed" callback, awaiting it when it is async."""
    result = on_done()
    if inspect.isawaitable(result):
        await result


def _refused_dialog(describe: str, error: Exception, retry: Callable[[], Awaitable[None]]) -> None:
    with ui.dialog() as d, ui.card().classes("max-w-lg"):
        d.mark("cluster-error-dialog")
        ui.label(f"Could not {describe}").classes("text-lg font-semibold")
        ui.label(str(error)).classes("text-sm")
        ui.label("The record was not changed.").classes("text-sm text-grey-7")

        async def again() -> None:
            d.close()
            await retry()

        with ui.row().classes("justify-end w-full"):
            ui.button("Close", on_click=d.close).props("flat")
            ui.button("Retry", on_click=again).props("unelevated").mark("cluster-retry")
    d.open()


async def change_replicas(
    key: Key, action: Callable[[], ReplicaChange], describe: str, on_done: OnDone
) -> None:
    """Run a switch or step in a worker thread; report the result, or the error with a retry."""
    try:
        change = await run.io_bound(action)
    except (RegistryError, RecordInvalid, AccessDenied) as exc:  # refused: nothing saved
        _refused_dialog(describe, exc, lambda: change_replicas(key, action, describe, on_done))
        return
    if change is None:  # the app is stopping
        return
    name = f"{key[0]}/{key[1]}"
    if change.saved.pending:
        ui.notify(f"{name}: {describe} — {change.saved.notice}", type="warning", multi_line=True)
    else:
        ui.notify(
            f"{name}: {describe} — cluster now asked for {change.runs} replica(s)",
            type="positive",
        )
    await run_done(on_done)


def _no_cluster(fleet: Fleet) -> bool:
    if not fleet.connected:
        ui.notify("No cluster is connected; edit the record instead", type="warning")
    return not fleet.connected


async def switch(fleet: Fleet, key: Key, enabled: bool, on_done: OnDone) -> None:
    """Switch a model on or off."""
    if _no_cluster(fleet):
        return
    user = current_user()
    await change_replicas(
        key,
        lambda: fleet.switch(key[0], key[1], enabled, actor=user),
        "switch on" if enabled else "switch off",
        on_done,
    )


async def step(fleet: Fleet, key: Key, delta: int, on_done: OnDone) -> None:
    """One replica more or fewer than the record has now (read in the worker thread)."""
    if _no_cluster(fleet):
        return
    user = current_user()
    try:
        record = await run.io_bound(fleet.get, key[0], key[1])
    except RegistryError as exc:  # deleted meanwhile
        ui.notify(str(exc), type="warning")
        return
    if record is None:
        return
    target = max(0, record.spec.replicas + delta)
    await change_replicas(
        key,
        lambda: fleet.scale(key[0], key[1], target, actor=user),
        f"set replicas to {target}",
        on_done,
    )


async def keep(fleet: Fleet, record: ModelRecord, choice: str, on_done: OnDone) -> None:
    """The schedule menu: keep up 1 h / 3 h / until tomorrow, scale down now, or back to the
    schedule; the scheduler acts at once (in the worker thread)."""
    user = current_user()
    try:
        message = await run.io_bound(
            lambda: fleet.keep(record, choice, actor=user, now=datetime.now(UTC))
        )
    except (ValueError, AccessDenied) as exc:  # a ScheduleError, a bad choice, a refusal
        ui.notify(str(exc), type="negative")
        return
    if message is None:
        return
    ui.notify(f"{record.name}: {message}", type="positive")
    await run_done(on_done)
