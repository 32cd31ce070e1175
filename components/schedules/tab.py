"""The Schedules tab: global and team schedules with instant validation, a week grid, the next
transitions, the weekly replica-hours saved, and what the scheduler did recently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nicegui import ui

from barista_ui.app import Services
from barista_ui.cost.overview import month_start
from barista_ui.schedule.language import (
    ScheduleError,
    holiday_name,
    next_transitions,
    parse_schedule,
    up_hours_per_week,
    week_grid,
    zone,
)
from components.theme import current_user

DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


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


def schedule_card(
    services: Services,
    scope: str,
    team: str,
    running_replicas: int,
    hourly_usd: float = 0.0,
    saved_mtd: float = 0.0,
) -> None:
    """One level's schedule; ``hourly_usd`` is what its running replicas cost per hour when up,
    ``saved_mtd`` what scheduled downtime saved this month."""
    engine = services.scheduler_engine()
    policy = engine.policies().get((scope, team))
    default_tz = services.settings.default_timezone
    kind0 = "downtime" if policy and policy.downtime else "uptime"
    text0 = (policy.downtime if kind0 == "downtime" else policy.uptime) if policy else ""
    title = "Global default" if scope == "global" else f"Team {team}"
    with ui.card().classes("w-full barista-card gap-1").mark(f"schedule-card-{scope}-{team}"):
        with ui.row().classes("w-full items-center justify-between"):
            ui.label(title).classes("text-base font-semibold")
            saved = ui.label("").classes("text-xs text-grey-7")
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
                .mark(f"schedule-spec-{scope}-{team}")
            )
        with ui.row().classes("w-full gap-2"):
            tz = (
                ui.input(
                    "Default timezone", value=(policy.timezone if policy else None) or default_tz
                )
                .props("dense outlined")
                .classes("w-48")
            )
            cal0 = ""
            if policy and policy.holiday_country:
                cal0 = policy.holiday_country + (
                    f"-{policy.holiday_subdiv}" if policy.holiday_subdiv else ""
                )
            cal = (
                ui.input("Holidays (e.g. DE-BY)", value=cal0)
                .props("dense outlined")
                .classes("w-40")
            )
        error = ui.label("").classes("field-error").mark(f"schedule-error-{scope}-{team}")
        preview = ui.column().classes("w-full gap-1")

        def parse():
            text = (spec.value or "").strip()
            if not text:
                return None, None
            calendar = None
            if (cal.value or "").strip():
                country, _, subdiv = cal.value.strip().upper().partition("-")
                calendar = (country, subdiv or None)
                holiday_name(datetime.now(UTC), country, subdiv or None, tz.value or "UTC")
            zone(tz.value or "UTC")
            up, down = (text, None) if kind.value == "uptime" else (None, text)
            return parse_schedule(up, down, tz.value or None), calendar

        def refresh() -> None:
            preview.clear()
            try:
                sched, _ = parse()
            except ScheduleError as exc:
                error.text = str(exc)
                return
            error.text = ""
            if sched is None:
                with preview:
                    ui.label(
                        "No schedule at this level: always up unless a wider level says otherwise."
                    ).classes("text-xs text-grey-7")
                return
            tzinfo = zone(tz.value or "UTC")
            today = datetime.now(tzinfo).date()
            monday = today - timedelta(days=today.weekday())
            now = datetime.now(UTC)
            hours = up_hours_per_week(sched, datetime.combine(monday, datetime.min.time(), tzinfo))
            with preview:
                ui.html(_grid_html(week_grid(sched, monday, tzinfo))).classes("w-full")
                trans = next_transitions(sched, now, 3)
                text = (
                    " · ".join(f"{s} at {i.astimezone(tzinfo):%a %H:%M}" for i, s in trans)
                    or "no change ahead"
                )
                ui.label(f"Next: {text} ({tzinfo.key})").classes("text-xs")
                saved_hours = running_replicas * (168 - hours)
                ui.label(
                    f"Up {hours:.0f} h/week · saves about {saved_hours:,.0f} replica-hours "
                    f"(${hourly_usd * (168 - hours):,.2f}) over the next 7 days on "
                    f"{running_replicas} running replicas · saved ${saved_mtd:,.2f} this month"
                ).classes("text-xs text-grey-8").mark(f"schedule-saving-{scope}-{team}")

        def save() -> None:
            try:
                sched, calendar = parse()
                text = (spec.value or "").strip() or None
                engine.set_policy(
                    scope,
                    team,
                    uptime=text if kind.value == "uptime" else None,
                    downtime=text if kind.value == "downtime" else None,
                    timezone=(tz.value or "").strip() or None,
                    holidays=calendar,
                    actor=current_user(),
                )
            except ScheduleError as exc:
                error.text = str(exc)
                ui.notify(f"Not saved: {exc}", type="negative")
                return
            saved.text = f"saved by {current_user()}"
            ui.notify(f"{title} schedule saved", type="positive")

        for el in (kind, spec, tz, cal):
            el.on_value_change(lambda _e: refresh())
        ui.button("Save", on_click=save).props("unelevated dense").classes("self-end").mark(
            f"schedule-save-{scope}-{team}"
        )
        refresh()


def build_schedules_tab(services: Services) -> None:
    registry = services.registry
    records = registry.list_models(enabled=True)
    by_team: dict[str, int] = {}
    usd: dict[str, float] = {}
    cost = services.cost_service()
    for r in records:
        by_team[r.spec.team] = by_team.get(r.spec.team, 0) + r.spec.replicas
        try:
            usd[r.spec.team] = usd.get(r.spec.team, 0.0) + cost.rate_for(r.spec) * r.spec.replicas
        except ValueError:
            pass
    now = datetime.now(UTC)
    saved = cost.totals(month_start(cost.tz, now), now, ["team"]).set_index("team")["saved_usd"]
    if services.gateway is None:
        ui.label("No cluster is connected: schedules are saved but nothing is scaled.").classes(
            "text-sm text-grey-7"
        )
    elif services.settings.scheduler_dry_run:
        ui.label(
            "Dry-run mode: the scheduler records what it would do and writes nothing."
        ).classes("text-sm text-orange-9")
    with ui.grid(columns="repeat(auto-fit, minmax(min(380px, 100%), 1fr))").classes("w-full gap-3"):
        schedule_card(
            services, "global", "", sum(by_team.values()), sum(usd.values()), float(saved.sum())
        )
        for team in sorted(by_team):
            schedule_card(
                services,
                "team",
                team,
                by_team[team],
                usd.get(team, 0.0),
                float(saved.get(team, 0.0)),
            )
    ui.label("Recent scheduler actions").classes("text-base font-semibold mt-4")
    rows = [
        {
            "id": a.id,
            "at": a.at.strftime("%Y-%m-%d %H:%M:%S"),
            "model": f"{a.namespace}/{a.name}",
            "action": a.action + (" (dry run)" if a.dry_run else ""),
            "reason": a.reason,
            "change": f"{a.before if a.before is not None else '—'} → {a.after if a.after is not None else '—'}",
            "detail": a.detail,
        }
        for a in services.scheduler_engine().actions(100)
    ]
    cols = [
        {"name": k, "label": k.capitalize(), "field": k, "align": "left"}
        for k in ("at", "model", "action", "reason", "change", "detail")
    ]
    ui.table(columns=cols, rows=rows, row_key="id", pagination=20).props(
        "dense flat bordered"
    ).classes("w-full").mark("scheduler-actions")
