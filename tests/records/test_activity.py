"""The fleet's activity feed and its deleted models, read from revisions and the scheduler's log."""

from __future__ import annotations

from barista_ui.access.actor import operator
from barista_ui.activity import ActivityFeed
from barista_ui.records.service import ModelService
from data.db import session_factory
from data.ops_tables import SchedulerAction
from tests.conftest import base_record


def test_feed_is_newest_first_filterable_by_team_with_sources(engine, registry) -> None:
    registry.create(base_record(), actor="ana", source="cli")
    registry.create(base_record(name="churn", team="growth"), actor="bo", source="api")
    registry.set_fields("ml-prod", "fraud-scorer", actor="cy", source="ui", replicas=5)
    new = session_factory(engine)
    with new() as s:
        s.add(SchedulerAction(namespace="ml-prod", name="churn", action="scale-down",
                              reason="schedule", before=2, after=0))  # fmt: skip
        s.commit()
    feed = ActivityFeed(new)
    entries = feed.entries()
    assert [e.source for e in entries][:1] == ["scheduler"]
    assert {e.source for e in entries} == {"cli", "api", "ui", "scheduler"}
    scale = next(e for e in entries if e.actor == "cy")
    assert scale.revision == 2 and "replicas 2 → 5" in scale.summary and scale.team == "payments"
    assert {e.name for e in feed.entries(team="growth")} == {"churn"}
    diff = feed.revision_diff("ml-prod", "fraud-scorer", 2)
    assert [(c["field"], c["old"], c["new"]) for c in diff.changes] == [("replicas", 2, 5)]


def test_deleted_models_are_listed_and_restored_by_rollback(engine, registry) -> None:
    service = ModelService(registry)
    registry.create(base_record(), actor="ana", source="cli")
    registry.set_fields("ml-prod", "fraud-scorer", actor="ana", source="cli", replicas=3)
    service.delete("ml-prod", "fraud-scorer", actor=operator("bo"), source="ui")
    feed = ActivityFeed(session_factory(engine))
    [gone] = feed.deleted()
    assert (gone.name, gone.team, gone.deleted_by, gone.restore_to) == (
        "fraud-scorer",
        "payments",
        "bo",
        2,
    )
    service.rollback(
        "fraud-scorer", gone.restore_to, namespace="ml-prod", actor=operator("bo"), source="ui"
    )
    assert feed.deleted() == []
    assert registry.get("fraud-scorer", "ml-prod").spec.replicas == 3
