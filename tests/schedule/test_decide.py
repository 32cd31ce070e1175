"""The precedence resolver: each rule wins in turn, with its explanation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from barista_ui.schedule.decide import Layer, Override, decide, explain, validate_override
from barista_ui.schedule.language import ScheduleError, parse_schedule, parse_time

NOW = parse_time("2026-11-24T21:00:00Z")  # Tuesday 22:00 in Berlin
TEAM = Layer(parse_schedule("Mon-Fri 07:30-20:30 Europe/Berlin", None), tz="Europe/Berlin")
GLOBAL = Layer(parse_schedule(None, "never"), tz="UTC")
MODEL_ALWAYS = Layer(parse_schedule("always", None), tz="UTC")


def test_team_schedule_decides_when_the_model_has_none() -> None:
    d = decide(NOW, team=TEAM, global_=GLOBAL)
    assert (d.state, d.rule) == ("down", "team")
    assert d.until == parse_time("2026-11-25T06:30:00Z")
    assert explain(d, "Europe/Berlin", NOW) == (
        "down until Wed 07:30 (team uptime 'Mon-Fri 07:30-20:30 Europe/Berlin')"
    )


def test_model_schedule_beats_team_and_global() -> None:
    d = decide(NOW, model=MODEL_ALWAYS, team=TEAM, global_=GLOBAL)
    assert (d.state, d.rule) == ("up", "model")


def test_global_then_default() -> None:
    assert (
        decide(NOW, global_=Layer(parse_schedule("Mon-Fri 08:00-18:00 UTC", None))).rule == "global"
    )
    d = decide(NOW)
    assert (d.state, d.rule) == ("up", "default") and explain(
        d
    ) == "always up (no schedule applies)"


def test_override_wins_until_it_expires() -> None:
    o = Override("up", NOW + timedelta(hours=1), "ana", "demo for customer")
    d = decide(NOW, team=TEAM, override=o)
    assert (d.state, d.rule, d.until) == ("up", "override", o.until)
    assert explain(d, "Europe/Berlin", NOW) == "up until 23:00 (override by ana: demo for customer)"
    assert decide(NOW + timedelta(hours=1), team=TEAM, override=o).rule == "team"


def test_exclusion_beats_holiday_and_schedules() -> None:
    holiday_team = Layer(TEAM.schedule, ("DE", None), "Europe/Berlin")
    christmas = parse_time("2026-12-25T10:00:00Z")
    assert decide(christmas, team=holiday_team, excluded=True).rule == "exclusion"
    d = decide(christmas, team=holiday_team)
    assert (d.state, d.rule) == ("down", "holiday") and "Christmas Day" in d.detail
    assert d.until == parse_time("2026-12-25T23:00:00Z")  # next local midnight


def test_model_calendar_is_used_before_the_teams() -> None:
    epiphany = parse_time("2026-01-06T10:00:00Z")
    model = Layer(None, ("DE", "BY"), "Europe/Berlin")
    team = Layer(TEAM.schedule, ("DE", None), "Europe/Berlin")
    assert decide(epiphany, model=model, team=team).rule == "holiday"
    assert decide(epiphany, team=team).state == "up"  # not a holiday outside Bavaria


def test_grace_period_delays_only_scale_down() -> None:
    created = NOW - timedelta(minutes=5)
    d = decide(NOW, team=TEAM, created_at=created)
    assert (d.state, d.rule, d.until) == ("up", "grace", created + timedelta(minutes=15))
    assert decide(NOW + timedelta(minutes=11), team=TEAM, created_at=created).rule == "team"
    up_now = decide(parse_time("2026-11-24T10:00:00Z"), team=TEAM, created_at=created)
    assert up_now.rule == "team"


def test_override_validation() -> None:
    validate_override("up", NOW + timedelta(days=7), NOW)
    with pytest.raises(ScheduleError, match="more than 7 days"):
        validate_override("up", NOW + timedelta(days=7, minutes=1), NOW)
    with pytest.raises(ScheduleError, match="in the past"):
        validate_override("down", NOW - timedelta(minutes=1), NOW)
    with pytest.raises(ScheduleError, match="'sideways'"):
        validate_override("sideways", NOW + timedelta(hours=1), NOW)
