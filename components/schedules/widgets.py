"""Schedule state per model in the table, and "keep up / scale down now" actions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from nicegui import run, ui

from barista_ui.app import Services
from barista_ui.records.registry import ModelRecord
from barista_ui.records.spec import ModelSpec
from barista_ui.schedule.language import ScheduleError, wall_to_instant, zone
from components.models.table import ModelsTable
from components.theme import current_user

SCHEDULE_SLOT = r"""
<q-td :props="props">
  <span class="text-xs">{{ props.row.sched }}</span>
  <q-btn flat dense round size="xs" icon="more_time" class="q-ml-xs">
    <q-menu auto-close>
      <q-list dense style="min-width: 190px">
        <q-item clickable @click="$parent.$emit('keep', {key: props.row.key, choice: 'up1'})">
          <q-item-section>Keep up for 1 hour</q-item-section></q-item>
        <q-item clickable @click="$parent.$emit('keep', {key: props.row.key, choice: 'up3'})">
          <q-item-section>Keep up for 3 hours</q-item-section></q-item>
        <q-item clickable @click="$parent.$emit('keep', {key: props.row.key, choice: 'tomorrow'})">
          <q-item-section>Keep up until tomorrow 09:00</q-item-section></q-item>
        <q-item clickable @click="$parent.$emit('keep', {key: props.row.key, choice: 'down'})">
          <q-item-section>Scale down now</q-item-section></q-item>
        <q-item clickable @click="$parent.$emit('keep', {key: props.row.key, choice: 'clear'})">
          <q-item-section>Back to the schedule</q-item-section></q-item>
      </q-list>
    </q-menu>
  </q-btn>
</q-td>
"""


def _tz(services: Services, spec: ModelSpec) -> str:
    sc = spec.schedule
    return (sc.timezone if sc and sc.timezone else None) or services.settings.default_timezone


def extend_with_schedules(services: Services, models: ModelsTable) -> None:
    cols = models.table.columns
    at = next(i for i, c in enumerate(cols) if c["name"] == "resources")
    cols.insert(
        at,
        {
            "name": "sched",
            "label": "Schedule",
            "field": "sched",
            "align": "left",
            "classes": "gt-sm",
            "headerClasses": "gt-sm",
        },
    )
    models.table.add_slot("body-cell-sched", SCHEDULE_SLOT)
    engine = services.scheduler_engine()

    def extend(rec: ModelRecord, row: dict[str, Any]) -> None:
        now = datetime.now(UTC)
        decision = engine.decide_for(
            rec, now, policies=cache["policies"], overrides=cache["overrides"]
        )
        from barista_ui.schedule.decide import explain

        head = explain(decision, _tz(services, rec.spec), now).split(" (")[0]
        if decision.rule == "grace":
            head = head.replace("up until", "grace until")
        elif decision.rule == "override":
            who = decision.detail.removeprefix("override by ").split(":")[0]
            head = head.replace("until", "override until", 1) + f" by {who}"
        elif decision.rule == "holiday":
            head += " · holiday"
        row["sched"] = head

    cache: dict[str, Any] = {}

    def refresh_cache() -> None:
        now = datetime.now(UTC)
        cache["policies"] = engine.policies()
        cache["overrides"] = engine.active_overrides(now)

    refresh_cache()
    models.row_extenders.insert(0, lambda rec, row: extend(rec, row))
    original_refresh = models.refresh

    def refresh(*args: Any) -> None:
        refresh_cache()
        original_refresh(*args)

    models.refresh = refresh  # type: ignore[method-assign]
    models.refresh()

    async def on_keep(e: Any) -> None:
        rec = models.records.get(e.args["key"])
        if rec is None:
            return
        choice = e.args["choice"]
        now = datetime.now(UTC)
        tz = zone(_tz(services, rec.spec))
        try:
            if choice == "clear":
                engine.clear_override(rec.key, current_user())
                message = "back to its schedule"
            else:
                if choice == "up1":
                    state, until = "up", now + timedelta(hours=1)
                elif choice == "up3":
                    state, until = "up", now + timedelta(hours=3)
                elif choice == "tomorrow":
                    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
                    state, until = "up", wall_to_instant(tomorrow, time(9), tz)
                else:
                    decision = engine.decide_for(rec, now)
                    nxt = decision.until if decision.state == "down" else None
                    state, until = "down", nxt or now + timedelta(hours=12)
                    if until - now > timedelta(days=7):
                        until = now + timedelta(days=7)
                engine.set_override(
                    rec.key, state, until, actor=current_user(), reason="from the dashboard"
                )
                message = f"kept {state} until {until.astimezone(tz):%a %H:%M}"
        except ScheduleError as exc:
            ui.notify(str(exc), type="negative")
            return
        if services.gateway is not None:
            await run.io_bound(engine.reconcile, reason="override", keys={rec.key})
        ui.notify(f"{rec.key[1]}: {message}", type="positive")
        models.refresh()

    models.table.on("keep", on_keep)


def upcoming_scale_downs(
    services: Services, owner: str, now: datetime, within: timedelta = timedelta(minutes=15)
) -> list[tuple[ModelRecord, datetime]]:
    """Models of ``owner`` (name or e-mail) that the schedule will scale down within ``within``."""
    engine = services.scheduler_engine()
    policies, overrides = engine.policies(), engine.active_overrides(now)
    who = owner.lower()
    out = []
    for rec in engine.records():
        o = (rec.spec.owner or "").lower()
        if not who or not (o == who or o.split("@")[0] == who):
            continue
        d = engine.decide_for(rec, now, policies=policies, overrides=overrides)
        if d.state == "up" and d.until is not None and d.until - now <= within:
            after = engine.decide_for(rec, d.until, policies=policies, overrides=overrides)
            if after.state == "down":
                out.append((rec, d.until))
    return out


def banner(services: Services) -> None:
    """Warns 15 minutes before the current user's models go down; snooze = keep up 1 hour."""
    box = ui.column().classes("w-full px-4 pt-2").mark("downscale-banner")

    def render() -> None:
        box.clear()
        now = datetime.now(UTC)
        soon = upcoming_scale_downs(services, current_user(), now)
        if not soon:
            return
        names = ", ".join(
            f"{r.name} at {t.astimezone(zone(_tz(services, r.spec))):%H:%M}" for r, t in soon
        )

        def snooze() -> None:
            for rec, _ in soon:
                services.scheduler_engine().set_override(
                    rec.key,
                    "up",
                    datetime.now(UTC) + timedelta(hours=1),
                    actor=current_user(),
                    reason="snoozed from the banner",
                )
            ui.notify(f"Kept {len(soon)} model(s) up for another hour", type="positive")
            render()

        with (
            box,
            ui.row().classes("w-full items-center gap-3 bg-amber-2 text-brown-10 rounded p-2"),
        ):
            ui.icon("bedtime")
            ui.label(f"Going to sleep soon: {names}").classes("text-sm grow")
            ui.button("Snooze 1 h", on_click=snooze).props("flat dense").mark("banner-snooze")

    render()
    ui.timer(30.0, render)
