"""The schedule language: table-driven cases with an explicit clock (never the wall clock)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from barista_ui.cli.schedule import schedule_app
from barista_ui.schedule.language import (
    ScheduleError,
    format_utc,
    holiday_name,
    next_transitions,
    parse_schedule,
    parse_spec,
    parse_time,
    state_at,
    up_hours_per_week,
    week_grid,
)


def t(text: str) -> datetime:
    return parse_time(text)


def up(spec: str, at: str, tz: str | None = None) -> str:
    return state_at(parse_schedule(spec, None, tz), t(at))


def down(spec: str, at: str) -> str:
    return state_at(parse_schedule(None, spec), t(at))


def nxt(spec: str, after: str, count: int = 2, downtime: bool = False) -> list[str]:
    sched = parse_schedule(None, spec) if downtime else parse_schedule(spec, None)
    return [f"{format_utc(i)} {s}" for i, s in next_transitions(sched, t(after), count)]


@pytest.mark.parametrize(
    ("spec", "at", "expected"),
    [
        # 2026-11-23 is a Monday. Europe/Berlin is UTC+1 in winter.
        ("Mon-Fri 07:30-20:30 Europe/Berlin", "2026-11-23T06:29:59Z", "down"),
        ("Mon-Fri 07:30-20:30 Europe/Berlin", "2026-11-23T06:30:00Z", "up"),  # start included
        ("Mon-Fri 07:30-20:30 Europe/Berlin", "2026-11-23T19:30:00Z", "down"),  # end excluded
        ("Mon-Fri 07:30-20:30 Europe/Berlin", "2026-11-28T10:00:00Z", "down"),  # Saturday
        # the weekday is the local one: Monday 00:30 in Berlin is Sunday 23:30 UTC
        ("Mon-Mon 00:00-01:00 Europe/Berlin", "2026-11-22T23:30:00Z", "up"),
        # overnight windows belong to their start day
        ("Fri-Fri 22:00-06:00 UTC", "2026-11-28T03:00:00Z", "up"),  # Saturday early
        ("Fri-Fri 22:00-06:00 UTC", "2026-11-27T03:00:00Z", "down"),  # Friday early
        ("Sun-Thu 22:00-06:00 UTC", "2026-11-23T05:59:00Z", "up"),  # Monday early (from Sunday)
        ("Sun-Thu 22:00-06:00 UTC", "2026-11-28T05:00:00Z", "down"),  # Saturday early (from Friday)
        # wrap-around day ranges
        ("Sat-Mon 10:00-12:00 UTC", "2026-11-23T11:00:00Z", "up"),
        ("Sat-Mon 10:00-12:00 UTC", "2026-11-24T11:00:00Z", "down"),
        ("sun-fri 09:00-17:00 UTC", "2026-11-22T10:00:00Z", "up"),
        ("Sun-Fri 09:00-17:00 UTC", "2026-11-28T10:00:00Z", "down"),
        # 24:00 as an end
        ("Mon-Mon 20:00-24:00 UTC", "2026-11-23T23:59:59Z", "up"),
        ("Mon-Mon 20:00-24:00 UTC", "2026-11-24T00:00:00Z", "down"),
        # absolute windows: start in, end out, any offset
        ("2026-12-24T00:00:00Z-2026-12-27T00:00:00+01:00", "2026-12-24T00:00:00Z", "up"),
        ("2026-12-24T00:00:00Z-2026-12-27T00:00:00+01:00", "2026-12-26T22:59:59Z", "up"),
        ("2026-12-24T00:00:00Z-2026-12-27T00:00:00+01:00", "2026-12-26T23:00:00Z", "down"),
        # several windows are ORed
        ("Mon-Fri 08:00-12:00 UTC, Mon-Fri 13:00-17:00 UTC", "2026-11-23T12:30:00Z", "down"),
        ("Mon-Fri 08:00-12:00 UTC, Mon-Fri 13:00-17:00 UTC", "2026-11-23T13:30:00Z", "up"),
        ("always", "2026-11-23T00:00:00Z", "up"),
        ("never", "2026-11-23T00:00:00Z", "down"),
    ],
)
def test_uptime_state(spec: str, at: str, expected: str) -> None:
    assert up(spec, at) == expected


def test_downtime_inverts() -> None:
    assert down("Sat-Sun 00:00-24:00 UTC", "2026-11-28T12:00:00Z") == "down"
    assert down("Sat-Sun 00:00-24:00 UTC", "2026-11-27T12:00:00Z") == "up"
    assert down("never", "2026-11-27T12:00:00Z") == "up"
    assert state_at(parse_schedule(None, None), t("2026-11-27T12:00:00Z")) == "up"


def test_timezones_with_odd_names() -> None:
    # Etc/GMT+1 is UTC-1 (POSIX sign); Buenos Aires is UTC-3 without DST.
    assert up("Mon-Mon 00:00-01:00 Etc/GMT+1", "2026-11-23T01:30:00Z") == "up"
    assert up("Mon-Mon 09:00-10:00 America/Argentina/Buenos_Aires", "2026-11-23T12:30:00Z") == "up"
    assert up("Mon-Fri 09:00-17:00", "2026-11-23T09:30:00Z", tz="UTC") == "up"


@pytest.mark.parametrize(
    ("spec", "after", "expected"),
    [
        # Europe/Berlin spring forward 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z):
        # a start in the gap takes effect at the first instant after it.
        (
            "Sun-Sun 02:30-03:30 Europe/Berlin",
            "2026-03-28T00:00:00Z",
            ["2026-03-29T01:00:00Z up", "2026-03-29T01:30:00Z down"],
        ),
        # fall back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 means its first occurrence.
        (
            "Sun-Sun 02:30-04:00 Europe/Berlin",
            "2026-10-24T00:00:00Z",
            ["2026-10-25T00:30:00Z up", "2026-10-25T03:00:00Z down"],
        ),
        # a daily window keeps its wall-clock time across the change
        (
            "Mon-Sun 08:00-09:00 Europe/Berlin",
            "2026-03-28T12:00:00Z",
            ["2026-03-29T06:00:00Z up", "2026-03-29T07:00:00Z down"],
        ),
        # America/New_York: spring forward 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z)
        (
            "Sun-Sun 02:15-05:00 America/New_York",
            "2026-03-07T00:00:00Z",
            ["2026-03-08T07:00:00Z up", "2026-03-08T09:00:00Z down"],
        ),
        # fall back 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 happens twice, the first counts
        (
            "Sun-Sun 01:30-03:00 America/New_York",
            "2026-10-31T12:00:00Z",
            ["2026-11-01T05:30:00Z up", "2026-11-01T08:00:00Z down"],
        ),
        # Pacific/Auckland: fall back 2026-04-05 03:00 NZDT -> 02:00 NZST (14:00Z on the 4th)
        (
            "Sun-Sun 02:30-04:00 Pacific/Auckland",
            "2026-04-04T00:00:00Z",
            ["2026-04-04T13:30:00Z up", "2026-04-04T16:00:00Z down"],
        ),
        # spring forward 2026-09-27 02:00 NZST -> 03:00 NZDT (14:00Z on the 26th)
        (
            "Sun-Sun 02:30-04:00 Pacific/Auckland",
            "2026-09-26T00:00:00Z",
            ["2026-09-26T14:00:00Z up", "2026-09-26T15:00:00Z down"],
        ),
        # adjacent windows merge: no spurious transition at 12:00
        (
            "Mon-Mon 08:00-12:00 UTC, Mon-Mon 12:00-17:00 UTC",
            "2026-11-23T00:00:00Z",
            ["2026-11-23T08:00:00Z up", "2026-11-23T17:00:00Z down"],
        ),
        # an overnight window across the weekend
        (
            "Fri-Fri 22:00-06:00 UTC",
            "2026-11-23T00:00:00Z",
            ["2026-11-27T22:00:00Z up", "2026-11-28T06:00:00Z down"],
        ),
        # absolute window edges
        (
            "2026-12-24T00:00:00Z-2026-12-27T00:00:00Z",
            "2026-12-01T00:00:00Z",
            ["2026-12-24T00:00:00Z up", "2026-12-27T00:00:00Z down"],
        ),
    ],
)
def test_next_transitions(spec: str, after: str, expected: list[str]) -> None:
    assert nxt(spec, after) == expected


def test_transitions_are_strictly_after_and_downtime_flips_states() -> None:
    assert nxt("Mon-Fri 08:00-18:00 UTC", "2026-11-23T08:00:00Z", 1) == [
        "2026-11-23T18:00:00Z down"
    ]
    assert nxt("Sat-Sun 00:00-24:00 UTC", "2026-11-23T00:00:00Z", 2, downtime=True) == [
        "2026-11-28T00:00:00Z down",
        "2026-11-30T00:00:00Z up",
    ]
    assert nxt("always", "2026-11-23T00:00:00Z") == []


@pytest.mark.parametrize(
    ("spec", "quoted"),
    [
        ("Mon-Thur 08:00-18:00 UTC", "'Thur'"),
        ("Mon-Fri 26:00-18:00 UTC", "'26:00'"),
        ("Mon-Fri 08:00-18:60 UTC", "'18:60'"),
        ("Mon-Fri 24:00-18:00 UTC", "24:00 is allowed only as an end"),
        ("Mon-Fri 08:00-18:00 Europe/Berln", "'Europe/Berln'"),
        ("Mon-Fri 08:00-08:00 UTC", "start and end are equal"),
        ("Mon-Fri 08:00-18:00", "no timezone"),
        ("always, Mon-Fri 08:00-18:00 UTC", "cannot be combined"),
        ("Mon-Fri 08:00-18:00 UTC,", "extra comma"),
        ("", "empty schedule"),
        ("weekdays 9 to 5", "cannot read 'weekdays 9 to 5'"),
        ("2026-12-27T00:00:00Z-2026-12-24T00:00:00Z", "ends before it starts"),
    ],
)
def test_invalid_specs_quote_the_offending_part(spec: str, quoted: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse_spec(spec)
    assert quoted in str(info.value)


def test_both_uptime_and_downtime_is_an_error() -> None:
    with pytest.raises(ScheduleError, match="not both"):
        parse_schedule("always", "never")


def test_states_change_only_at_transitions() -> None:
    rng = random.Random(3)
    zones = ["Europe/Berlin", "America/New_York", "Pacific/Auckland", "UTC"]
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for _ in range(40):
        a, b = rng.choice(days), rng.choice(days)
        h1, h2 = rng.sample(range(24), 2)
        spec = f"{a}-{b} {h1:02d}:{rng.choice([0, 30]):02d}-{h2:02d}:00 {rng.choice(zones)}"
        sched = parse_schedule(spec, None)
        start = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=rng.randint(0, 24 * 250))
        trans = next_transitions(sched, start, 6)
        prev = start
        state = state_at(sched, start)
        for instant, new in trans:
            assert state_at(sched, instant) == new != state, spec
            assert state_at(sched, instant - timedelta(seconds=1)) == state, spec
            for k in range(1, 4):  # no change in between
                probe = prev + (instant - prev) * k / 4
                assert state_at(sched, probe) == state, (spec, probe)
            prev, state = instant, new


def test_up_hours_and_week_grid() -> None:
    sched = parse_schedule("Mon-Fri 08:00-18:00 UTC", None)
    assert up_hours_per_week(sched, t("2026-11-23T00:00:00Z")) == 50.0
    grid = week_grid(
        sched, datetime(2026, 11, 23).date(), parse_spec("Mon-Mon 00:00-01:00 UTC").windows[0].tz
    )
    assert grid[0][8] == "up" and grid[0][7] == "down" and grid[5][10] == "down"
    assert sum(row.count("up") for row in grid) == 50
    # the spring-forward week in Berlin has 167 hours; a daily 08-09 window is 7 hours up
    berlin = parse_schedule("Mon-Sun 08:00-09:00 Europe/Berlin", None)
    assert up_hours_per_week(berlin, t("2026-03-23T00:00:00Z")) == 7.0


def test_holidays() -> None:
    assert holiday_name(t("2026-12-25T10:00:00Z"), "DE", None, "Europe/Berlin") == "Christmas Day"
    assert holiday_name(t("2026-10-03T10:00:00Z"), "DE", None, "Europe/Berlin") is not None
    assert holiday_name(t("2026-01-06T10:00:00Z"), "DE", "BY", "Europe/Berlin") is not None
    assert holiday_name(t("2026-01-06T10:00:00Z"), "DE", None, "Europe/Berlin") is None
    # the local date counts: 23:30 UTC on the 24th is already the 25th in Berlin
    assert holiday_name(t("2026-12-24T23:30:00Z"), "DE", None, "Europe/Berlin") == "Christmas Day"
    with pytest.raises(ScheduleError, match="'XX'"):
        holiday_name(t("2026-12-25T10:00:00Z"), "XX", None, "UTC")


def test_cli_check_and_next() -> None:
    runner = CliRunner()
    res = runner.invoke(
        schedule_app, ["check", "Mon-Fri 07:30-20:30 Europe/Berlin", "--at", "2026-11-24T19:29:00Z"]
    )
    assert res.exit_code == 0 and res.stdout == "up\n"
    res = runner.invoke(
        schedule_app,
        [
            "check",
            "Sat-Sun 00:00-24:00",
            "--timezone",
            "UTC",
            "--downtime",
            "--at",
            "2026-11-28T12:00",
        ],
    )
    assert res.stdout == "down\n"
    res = runner.invoke(
        schedule_app,
        ["next", "Mon-Fri 08:00-18:00 UTC", "--from", "2026-11-27T12:00:00Z", "--count", "3"],
    )
    assert res.stdout.splitlines() == [
        "2026-11-27T18:00:00Z down",
        "2026-11-30T08:00:00Z up",
        "2026-11-30T18:00:00Z down",
    ]
    res = runner.invoke(
        schedule_app, ["check", "Mon-Thur 08:00-18:00 UTC", "--at", "2026-11-24T12:00:00Z"]
    )
    assert res.exit_code == 2 and "'Thur'" in res.stderr and res.stdout == ""
