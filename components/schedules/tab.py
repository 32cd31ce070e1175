"""The Schedules tab: global and team schedules with instant validation, a week grid, the next
transitions, the weekly replica-hours saved, and what the scheduler did recently.

Everything that reads the database runs in a worker thread (``run.io_bound``); the page
shows a spinner until the figures arrive, and saving a schedule does not block the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nicegui import run, ui

from barista_ui.access import roles
from barista_ui.access.roles import AccessDenied
from barista_ui.schedule.board import Level, ScheduleBoard, SchedulesData
from barista_ui.schedule.language import (
    Schedule,
    ScheduleError,
    holiday_name,
    next_transitions,
    parse_schedule,
    up_hours_per_week,
    week_grid,
    zone,
)
from components.theme import current_user
from components.widgets.guard import guard

DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ACTION_COLUMNS = ("at", "model", "action", "reason", "change", "detail")
Calendar = tuple[str, str | None]


def _grid_html(grid: list[list[str]]) -> str:
    cells = []
    cells.append(
        "<div></div>"
        + "".join(
            f'<div class="text-[9px] text-grey-6 text-center">{h if h % 3 == 0 else ""}</div>'
            for h in range(24)
        )
    )
    for day, row in zip(DAY_LABELS, grid, strict=True):
        cells.append(f'<div class="text-[10px] text-grey-7 pr-1">{day}</div>')
        for h, state in enumerate(row):
            colour = "#7cb342" if state == "up" else "#cfd8dc"
            cells.append(
                f'<div title="{day} {h:02d}:00 {state}" style="background:{colour};'
                'height:12px;border-radius:2px"></div>'
            )
    return (
        '<div style="display:grid;grid-template-columns:28px repeat(24, minmax(6px, 1fr));'
        f'gap:2px;width:100%">{"".join(cells)}</div>'
    )


# ---------------------------------------------------------------- data (worker thread)


def _action_row(a: Any) -> dict[str, Any]:
    before = a.before if a.before is not None else "—"
    after = a.after if a.after is not None else "—"
    return {
        "id": a.id,
        "at": a.at.strftime("%Y-%m-%d %H:%M:%S"),
        "model": f"{a.namespace}/{a.name}",
        "action": a.action + (" (dry run)" if a.dry_run else ""),
        "reason": a.reason,
        "change": f"{before} → {after}",
        "detail": a.detail,
    }


# ---------------------------------------------------------------- one level's card


@dataclass
class CardInputs:
    kind: ui.select
    spec: ui.input
    tz: ui.input
    cal: ui.input

    def parse(self) -> tuple[Schedule | None, Calendar | None]:
        """The schedule and holiday calendar typed in (raises ScheduleError)."""
        text = (self.spec.value or "").strip()
        if not text:
            return None, None
        tz = self.tz.value or "UTC"
        calendar = None
        if (self.cal.value or "").strip():
            country, _, subdiv = self.cal.value.strip().upper().partition("-")
            calendar = (country, subdiv or None)
            holiday_name(datetime.now(UTC), country, subdiv or None, tz)
        zone(tz)
        up, down = (text, None) if self.kind.value == "uptime" else (None, text)
        return parse_schedule(up, down, self.tz.value or None), calendar


def _card_inputs(level: Level, default_tz: str) -> CardInputs:
    policy = level.policy
    kind0 = "downtime" if policy and policy.downtime else "uptime"
    text0 = (policy.downtime if kind0 == "downtime" else policy.uptime) if policy else ""
    with ui.row().classes("w-full items-start gap-2 no-wrap"):
        kind = (
            ui.select({"uptime": "Up during", "downtime": "Down during"}, value=kind0)
            .props("dense outlined")
            .classes("w-36")
        )
        spec = (
            ui.input(placeholder="e.g. Mon-Fri 07:30-20:30 Europe/Berlin", value=text0 or "")
            .props("dense outlined clearable")
            .classes("grow")
            .mark(f"schedule-spec-{level.mark}")
        )
    cal0 = ""
    if policy and policy.holiday_country:
        cal0 = policy.holiday_country + (
            f"-{policy.holiday_subdiv}" if policy.holiday_subdiv else ""
        )
    with ui.row().classes("w-full gap-2"):
        tz0 = (policy.timezone if policy else None) or default_tz
        tz = ui.input("Default timezone", value=tz0).props("dense outlined").classes("w-48")
        cal = ui.input("Holidays (e.g. DE-BY)", value=cal0).props("dense outlined").classes("w-40")
    return CardInputs(kind, spec, tz, cal)


def _preview(level: Level, sched: Schedule, tz_name: str) -> None:
    """Week grid, next transitions and what the schedule saves, for a valid schedule."""
    tzinfo = zone(tz_name)
    today = datetime.now(tzinfo).date()
    monday = today - timedelta(days=today.weekday())
    hours = up_hours_per_week(sched, datetime.combine(monday, datetime.min.time(), tzinfo))
    ui.html(_grid_html(week_grid(sched, monday, tzinfo))).classes("w-full")
    trans = next_transitions(sched, datetime.now(UTC), 3)
    text = (
        " · ".join(f"{s} at {i.astimezone(tzinfo):%a %H:%M}" for i, s in trans) or "no change ahead"
    )
    ui.label(f"Next: {text} ({tzinfo.key})").classes("text-xs")
    down_hours = 168 - hours
    ui.label(
        f"Up {hours:.0f} h/week · saves about {level.running_replicas * down_hours:,.0f} "
        f"replica-hours (${level.hourly_usd * down_hours:,.2f}) over the next 7 days on "
        f"{level.running_replicas} running replicas · saved ${level.saved_mtd:,.2f} this month"
    ).classes("text-xs text-grey-8").mark(f"schedule-saving-{level.mark}")


def schedule_card(board: ScheduleBoard, level: Level) -> None:
    """One level's schedule: edit, validate as you type, preview, save."""
    with ui.card().classes("w-full barista-card gap-1").mark(f"schedule-card-{level.mark}"):
        with ui.row().classes("w-full items-center justify-between"):
            ui.label(level.title).classes("text-base font-semibold")
            saved = ui.label("").classes("text-xs text-grey-7")
        inputs = _card_inputs(level, board.default_tz)
        error = ui.label("").classes("field-error").mark(f"schedule-error-{level.mark}")
        preview = ui.column().classes("w-full gap-1")

        def refresh() -> None:
            preview.clear()
            try:
                sched, _ = inputs.parse()
            except ScheduleError as exc:
                error.text = str(exc)
                return
            error.text = ""
            with preview:
                if sched is None:
                    ui.label(
                        "No schedule at this level: always up unless a wider level says otherwise."
                    ).classes("text-xs text-grey-7")
                else:
                    _preview(level, sched, inputs.tz.value or "UTC")

        async def save() -> None:
            user = current_user()
            try:
                _, calendar = inputs.parse()
                text = (inputs.spec.value or "").strip() or None
                await run.io_bound(
                    board.set_policy,
                    level,
                    uptime=text if inputs.kind.value == "uptime" else None,
                    downtime=text if inputs.kind.value == "downtime" else None,
                    timezone=(inputs.tz.value or "").strip() or None,
                    holidays=calendar,
                    actor=user,
                )
            except (ScheduleError, AccessDenied) as exc:
                error.text = str(exc)
                ui.notify(f"Not saved: {exc}", type="negative")
                return
            saved.text = f"saved by {user.name}"
            ui.notify(f"{level.title} schedule saved", type="positive")

        for el in (inputs.kind, inputs.spec, inputs.tz, inputs.cal):
            el.on_value_change(lambda _e: refresh())
        permission = roles.SCHEDULES_GLOBAL if level.scope == "global" else roles.SCHEDULES_TEAM
        guard(
            ui.button("Save", on_click=save)
            .props("unelevated dense")
            .classes("self-end")
            .mark(f"schedule-save-{level.mark}"),
            permission,
            level.team or None,
        )
        refresh()


# ---------------------------------------------------------------- the tab


def _cluster_notice(board: ScheduleBoard) -> None:
    if not board.connected:
        ui.label("No cluster is connected: schedules are saved but nothing is scaled.").classes(
            "text-sm text-grey-7"
        )
    elif board.dry_run:
        ui.label(
            "Dry-run mode: the scheduler records what it would do and writes nothing."
        ).classes("text-sm text-orange-9")


def _actions_table(rows: list[dict[str, Any]]) -> None:
    ui.label("Recent scheduler actions").classes("text-base font-semibold mt-4")
    cols = [
        {"name": k, "label": k.capitalize(), "field": k, "align": "left"} for k in ACTION_COLUMNS
    ]
    ui.table(columns=cols, rows=rows, row_key="id", pagination=20).props(
        "dense flat bordered"
    ).classes("w-full").mark("scheduler-actions")


def _render(board: ScheduleBoard, data: SchedulesData) -> None:
    _cluster_notice(board)
    with ui.grid(columns="repeat(auto-fit, minmax(min(380px, 100%), 1fr))").classes("w-full gap-3"):
        for level in data.levels:
            schedule_card(board, level)
    _actions_table([_action_row(a) for a in data.actions])


def build_schedules_tab(board: ScheduleBoard) -> None:
    body = ui.column().classes("w-full gap-3")
    with body:
        ui.spinner(size="lg").classes("self-center")

    async def fill() -> None:
        data = await run.io_bound(board.load, datetime.now(UTC))
        if data is None or body.is_deleted:  # the app is stopping, or the page is gone
            return
        body.clear()
        with body:
            _render(board, data)

    ui.timer(0, fill, once=True)
