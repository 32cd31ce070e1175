"""Cost of replica history, by hand: day and period boundaries, DST days, savings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from barista_ui.cost.model import Segment, daily_costs, group_costs, segments_frame


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def seg(start, end, replicas=1, rate=1.0, **kw) -> Segment:
    return Segment(
        "ml",
        kw.pop("name", "m"),
        kw.pop("team", "t"),
        at(start),
        at(end) if end else None,
        replicas,
        rate,
        **kw,
    )


def test_segment_across_days_and_period_edges() -> None:
    frame = segments_frame(
        [seg("2026-11-01T20:00:00Z", "2026-11-03T02:00:00Z", replicas=2, rate=0.5)]
    )
    daily = daily_costs(
        frame,
        at("2026-11-02T00:00:00Z"),
        at("2026-11-04T00:00:00Z"),
        now=at("2026-11-30T00:00:00Z"),
    )
    by_day = {str(r.day): (r.hours, r.cost_usd) for r in daily.itertuples()}
    # Nov 1 is outside the period; Nov 2 has 24 h, Nov 3 has 2 h; 2 replicas x $0.50
    assert by_day == {"2026-11-02": (24.0, 24.0), "2026-11-03": (2.0, 2.0)}


def test_open_segment_is_cut_at_now_and_to_is_excluded() -> None:
    frame = segments_frame([seg("2026-11-10T00:00:00Z", None, replicas=3, rate=0.1)])
    daily = daily_costs(
        frame,
        at("2026-11-10T00:00:00Z"),
        at("2026-11-11T00:00:00Z"),
        now=at("2026-11-10T06:00:00Z"),
    )
    assert daily["cost_usd"].sum() == pytest.approx(6 * 3 * 0.1)


def test_days_are_cut_in_the_dashboard_timezone_and_dst_days_have_23_hours() -> None:
    frame = segments_frame([seg("2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z", rate=1.0)])
    daily = daily_costs(
        frame,
        at("2026-03-28T00:00:00Z"),
        at("2026-03-31T00:00:00Z"),
        now=at("2026-04-30T00:00:00Z"),
        tz="Europe/Berlin",
    )
    hours = {str(r.day): r.hours for r in daily.itertuples()}
    assert hours["2026-03-29"] == 23.0  # spring forward in Berlin
    assert hours["2026-03-28"] == 23.0  # starts at 01:00 local (00:00Z)
    assert sum(hours.values()) == 72.0


def test_savings_count_only_scheduled_downtime() -> None:
    frame = segments_frame(
        [
            seg(
                "2026-11-02T00:00:00Z",
                "2026-11-02T08:00:00Z",
                replicas=0,
                rate=1.0,
                scheduled_down=True,
                baseline_replicas=3,
            ),  # the scheduler held it at 0 instead of 3: saved 8 x 3
            seg(
                "2026-11-02T08:00:00Z",
                "2026-11-02T10:00:00Z",
                replicas=2,
                rate=1.0,
                reason="manual",
            ),
            seg(
                "2026-11-02T10:00:00Z",
                "2026-11-02T12:00:00Z",
                replicas=0,
                rate=1.0,
                reason="override",
            ),
            seg("2026-11-02T12:00:00Z", "2026-11-02T14:00:00Z", replicas=3, rate=1.0),
        ]
    )
    daily = daily_costs(
        frame,
        at("2026-11-02T00:00:00Z"),
        at("2026-11-03T00:00:00Z"),
        now=at("2026-11-05T00:00:00Z"),
    )
    assert daily["cost_usd"].sum() == pytest.approx(2 * 2 + 2 * 3)
    assert daily["saved_usd"].sum() == pytest.approx(8 * 3)


def test_grouping() -> None:
    frame = segments_frame(
        [
            seg("2026-11-02T00:00:00Z", "2026-11-02T10:00:00Z", name="a", team="x"),
            seg("2026-11-02T00:00:00Z", "2026-11-02T05:00:00Z", name="b", team="x", replicas=2),
            seg("2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z", name="c", team="y", rate=0.5),
        ]
    )
    daily = daily_costs(
        frame,
        at("2026-11-02T00:00:00Z"),
        at("2026-11-03T00:00:00Z"),
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    teams = dict(
        zip(group_costs(daily, "team")["team"], group_costs(daily, "team")["cost_usd"], strict=True)
    )
    assert teams == {"x": pytest.approx(20.0), "y": pytest.approx(12.0)}
    assert list(group_costs(daily, "model")["model"]) == ["a", "b", "c"]


def test_service_records_only_changes_and_reports(engine) -> None:
    from barista_ui.cost.service import CostService
    from data.db import session_factory

    svc = CostService(session_factory(engine), clock=lambda: at("2026-11-03T00:00:00Z"))
    assert svc.record_replicas("ml", "m", "t", 2, at("2026-11-01T00:00:00Z"), "apply", rate=0.5)
    assert not svc.record_replicas("ml", "m", "t", 2, at("2026-11-01T01:00:00Z"), "watch", rate=0.5)
    svc.record_replicas(
        "ml",
        "m",
        "t",
        0,
        at("2026-11-01T12:00:00Z"),
        "schedule",
        rate=0.5,
        scheduled_down=True,
        baseline=2,
    )
    svc.record_replicas("ml", "m", "t", 2, at("2026-11-02T00:00:00Z"), "schedule", rate=0.5)
    rows = svc.report(at("2026-11-01T00:00:00Z"), at("2026-11-03T00:00:00Z"), "day")
    assert rows == [
        {"day": "2026-11-01", "cost_usd": 12 * 2 * 0.5, "saved_usd": 12 * 2 * 0.5},
        {"day": "2026-11-02", "cost_usd": 24 * 2 * 0.5, "saved_usd": 0.0},
    ]
    (team,) = svc.report(at("2026-11-01T00:00:00Z"), at("2026-11-02T00:00:00Z"), "team")
    assert team == {"team": "t", "cost_usd": 12.0, "saved_usd": 12.0}
