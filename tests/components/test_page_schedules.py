"""The Schedules tab and schedule actions, through NiceGUI's simulated user."""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui.testing import User

from barista_ui.records.registry import RegistryService
from barista_ui.schedule.engine import SchedulerEngine
from data.db import make_engine, session_factory
from tests.actors import T


def engine_for(app_env) -> SchedulerEngine:
    new = session_factory(make_engine(f"sqlite:///{app_env}"))
    return SchedulerEngine(new, RegistryService(new), None)


async def test_team_schedule_validates_as_you_type_and_saves(app_env, user: User) -> None:
    await user.open("/?tab=schedules")
    await user.should_see("Team payments", retries=100)  # read in a thread
    spec = user.find(marker="schedule-spec-team-payments")
    spec.type("Mon-Thur 08:00-18:00 UTC")
    await user.should_see("invalid day 'Thur'")
    user.find(marker="schedule-save-team-payments").click()
    await user.should_see("Not saved: invalid day 'Thur'", retries=100)
    assert ("team", "payments") not in engine_for(app_env).policies()
    spec.clear().type("Mon-Fri 08:00-18:00 UTC")
    await user.should_see("Up 50 h/week")
    user.find(marker="schedule-save-team-payments").click()
    await user.should_see("Team payments schedule saved", retries=100)  # saved in a thread
    policy = engine_for(app_env).policies()[("team", "payments")]
    assert policy.uptime == "Mon-Fri 08:00-18:00 UTC" and policy.updated_by == "ui-user"


async def test_demo_policies_show_week_grid_and_savings(app_env, user: User) -> None:
    await user.open("/?tab=schedules")
    await user.should_see("Team vision", retries=100)
    label = user.find(marker="schedule-saving-team-vision").elements.pop().text
    assert label.startswith("Up 65 h/week")
    from barista_ui.cost.rates import spec_rate

    vision = [r for r in engine_for(app_env).registry.list_models(team="vision", enabled=True)]
    per_hour = sum(spec_rate(r.spec) * r.spec.replicas for r in vision)
    replicas = sum(r.spec.replicas for r in vision)
    assert f"saves about {replicas * 103:,} replica-hours (${per_hour * 103:,.2f})" in label
    assert "over the next 7 days" in label and "this month" in label


async def test_keep_up_menu_creates_an_override(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)  # the table is filled in a worker thread
    user.find(marker="models-table").trigger("keep", {"key": "ml-prod/face-blur", "choice": "up3"})
    await user.should_see("face-blur: kept up until", retries=30)  # kept in a worker thread
    overrides = engine_for(app_env).active_overrides(datetime.now(UTC))
    assert overrides[("ml-prod", "face-blur")].state == "up"
    row = next(
        r for r in user.find(marker="models-table").elements.pop().rows if r["name"] == "face-blur"
    )
    assert row["sched"].startswith("up override until") and row["sched"].endswith("by ui-user")


def test_upcoming_scale_downs_for_an_owner(app_env) -> None:
    from barista_ui.app import build_app
    from barista_ui.settings import Settings

    services = build_app(Settings(database_url=f"sqlite:///{app_env}", cluster="none"), seed=True)
    engine = services.scheduler
    upcoming_scale_downs = services.fleet.upcoming_scale_downs
    # vision works Mon-Fri 07:00-20:00 Berlin; 18:50 UTC on a Tuesday is 19:50 in Berlin
    at = datetime(2026, 11, 24, 18, 50, tzinfo=UTC)
    engine.set_policy(
        "team",
        "vision",
        uptime="Mon-Fri 07:00-20:00",
        downtime=None,
        timezone="Europe/Berlin",
        holidays=None,
        actor=T,
    )
    priya = upcoming_scale_downs("priya", at)
    assert priya and all(r.spec.team == "vision" for r, _ in priya)
    assert all(t == datetime(2026, 11, 24, 19, 0, tzinfo=UTC) for _, t in priya)
    assert upcoming_scale_downs("ana", at) == []
    assert upcoming_scale_downs("priya", at.replace(hour=12)) == []
    services.stop()
