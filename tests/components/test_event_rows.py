"""Events in the model panel: newest first, one line per event with its count and age."""

from __future__ import annotations

from datetime import UTC, datetime

from components.widgets.pods import event_rows
from k8s.live_model import EventLive

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_events_have_age_and_count_and_repeats_are_one_line() -> None:
    events = [
        EventLive("Normal", "Scheduled", "assigned to node-1", 1, "2026-03-02T08:50:00Z", "Pod/p1"),
        EventLive("Warning", "BackOff", "back-off pulling", 1, "2026-03-02T08:58:00Z", "Pod/p1"),
        EventLive("Warning", "BackOff", "back-off pulling", 5, "2026-03-02T08:59:30Z", "Pod/p1"),
    ]
    rows = event_rows(events, NOW)
    assert [(r["reason"], r["count"], r["age"]) for r in rows] == [
        ("BackOff", 5, "30s"),
        ("Scheduled", 1, "10m"),
    ]
