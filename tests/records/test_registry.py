"""The registry service: revisions, optimistic concurrency, atomic multi-record writes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from barista_ui.records.registry import (
    Ambiguous,
    Conflict,
    NotFound,
    RegistryError,
    RegistryService,
)
from barista_ui.records.spec import RecordInvalid
from data.db import make_engine, migrate, session_factory
from data.tables import ModelDeployment, Revision
from tests.conftest import base_record


def count_rows(registry: RegistryService, table) -> int:
    from sqlmodel import func, select

    with registry._new_session() as s:
        return s.exec(select(func.count()).select_from(table)).one()


def test_create_writes_record_and_revision(registry: RegistryService) -> None:
    rec = registry.create(base_record(), actor="ana", source="ui", reason="first deploy")
    assert rec.version == 1 and rec.spec.replicas == 2
    (rev,) = registry.history("fraud-scorer")
    assert (rev.number, rev.action, rev.actor, rev.source, rev.reason) == (
        1,
        "create",
        "ana",
        "ui",
        "first deploy",
    )
    assert rev.snapshot == rec.to_file_dict()


def test_invalid_create_saves_nothing(registry: RegistryService) -> None:
    with pytest.raises(RecordInvalid):
        registry.create(base_record(replicas=999), actor="ana", source="ui")
    assert count_rows(registry, ModelDeployment) == 0
    assert count_rows(registry, Revision) == 0


def test_duplicate_name_in_namespace_is_rejected(registry: RegistryService) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    with pytest.raises(RecordInvalid) as info:
        registry.create(base_record(), actor="bob", source="cli")
    assert "already exists in namespace 'ml-prod'" in info.value.by_field()["name"]
    registry.create(base_record(namespace="ml-staging"), actor="bob", source="cli")
    with pytest.raises(Ambiguous, match="ml-prod, ml-staging"):
        registry.get("fraud-scorer")
    assert registry.get("fraud-scorer", "ml-staging").namespace == "ml-staging"


def test_update_bumps_version_and_keeps_history(registry: RegistryService) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    rec = registry.update(
        "ml-prod",
        "fraud-scorer",
        base_record(replicas=3),
        expected_version=1,
        actor="bob",
        source="cli",
        reason="traffic",
    )
    assert rec.version == 2
    newest = registry.history("fraud-scorer")[0]
    assert newest.changes == [{"field": "replicas", "old": 2, "new": 3}]
    assert (newest.actor, newest.source, newest.reason) == ("bob", "cli", "traffic")


def test_stale_update_is_a_conflict_and_loses_nothing(registry: RegistryService) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    registry.update(
        "ml-prod",
        "fraud-scorer",
        base_record(replicas=3),
        expected_version=1,
        actor="bob",
        source="ui",
    )
    with pytest.raises(Conflict) as info:
        registry.update(
            "ml-prod",
            "fraud-scorer",
            base_record(image="r.example.com/x:2"),
            expected_version=1,
            actor="ana",
            source="ui",
        )
    assert info.value.current.version == 2
    assert "changed by someone else" in str(info.value)
    kept = registry.get("fraud-scorer")
    assert (kept.spec.replicas, kept.spec.image, kept.version) == (
        3,
        "registry.example.com/fraud-scorer:1.4.2",
        2,
    )
    assert len(registry.history("fraud-scorer")) == 2


def _race(registry: RegistryService, n: int = 2) -> list[object]:
    """n writers start from version 1 at the same moment; returns each one's outcome."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def writer(i: int) -> None:
        barrier.wait()
        try:
            results[i] = registry.update(
                "ml-prod",
                "fraud-scorer",
                base_record(replicas=3 + i),
                expected_version=1,
                actor=f"user{i}",
                source="api",
            )
        except Conflict as exc:
            results[i] = exc

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_edits_sqlite_one_wins(registry: RegistryService) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    results = _race(registry, 4)
    winners = [r for r in results if not isinstance(r, Conflict)]
    assert len(winners) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 3
    final = registry.get("fraud-scorer")
    assert final.version == 2 and final.spec.replicas == winners[0].spec.replicas
    assert len(registry.history("fraud-scorer")) == 2


@pytest.mark.postgres
def test_concurrent_edits_postgres_one_wins(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    migrate(engine)
    registry = RegistryService(session_factory(engine))
    registry.create(base_record(), actor="ana", source="ui")
    results = _race(registry, 4)
    assert sum(not isinstance(r, Conflict) for r in results) == 1
    assert registry.get("fraud-scorer").version == 2
    assert len(registry.history("fraud-scorer")) == 2
    registry.delete("ml-prod", "fraud-scorer", actor="t", source="cli")
    engine.dispose()


def test_name_cannot_change_on_update(registry: RegistryService) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    with pytest.raises(RecordInvalid, match="cannot be changed"):
        registry.update(
            "ml-prod",
            "fraud-scorer",
            base_record(name="other"),
            expected_version=1,
            actor="ana",
            source="ui",
        )


def test_toggle_and_scale_are_revisions(registry: RegistryService) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    off = registry.set_enabled("ml-prod", "fraud-scorer", False, actor="oncall", source="ui")
    assert off.spec.enabled is False and off.version == 2
    up = registry.set_replicas("ml-prod", "fraud-scorer", 5, actor="oncall", source="cli")
    assert up.spec.replicas == 5
    actions = [r.action for r in registry.history("fraud-scorer")]
    assert actions == ["scale", "toggle", "create"]
    # A no-op toggle writes nothing.
    registry.set_enabled("ml-prod", "fraud-scorer", False, actor="oncall", source="ui")
    assert len(registry.history("fraud-scorer")) == 3
    with pytest.raises(RecordInvalid, match="above the limit"):
        registry.set_replicas("ml-prod", "fraud-scorer", 51, actor="oncall", source="ui")


def test_rollback_creates_a_new_revision(registry: RegistryService) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    registry.update(
        "ml-prod",
        "fraud-scorer",
        base_record(image="registry.example.com/f:2.0"),
        expected_version=1,
        actor="bob",
        source="ui",
    )
    rec = registry.rollback("fraud-scorer", 1, actor="ana", source="ui")
    assert rec.spec.image == "registry.example.com/fraud-scorer:1.4.2" and rec.version == 3
    hist = registry.history("fraud-scorer")
    assert [h.number for h in hist] == [3, 2, 1]
    assert hist[0].action == "rollback" and hist[0].reason == "rollback to revision 1"
    assert hist[0].snapshot == hist[2].snapshot


def test_delete_keeps_history_and_rollback_recreates(registry: RegistryService) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    registry.delete("ml-prod", "fraud-scorer", actor="bob", source="cli", reason="retired")
    with pytest.raises(NotFound):
        registry.get("fraud-scorer")
    hist = registry.history("fraud-scorer")
    assert hist[0].action == "delete" and hist[0].snapshot is None
    with pytest.raises(RegistryError, match="is a deletion"):
        registry.rollback("fraud-scorer", 2, actor="ana", source="ui")
    back = registry.rollback("fraud-scorer", 1, actor="ana", source="ui")
    assert back.version == 1 and registry.get("fraud-scorer").spec.replicas == 2
    assert [h.action for h in registry.history("fraud-scorer")] == ["rollback", "delete", "create"]


def test_stale_delete_is_a_conflict(registry: RegistryService) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    registry.set_replicas("ml-prod", "fraud-scorer", 4, actor="bob", source="ui")
    with pytest.raises(Conflict):
        registry.delete("ml-prod", "fraud-scorer", actor="ana", source="ui", expected_version=1)
    assert registry.get("fraud-scorer").spec.replicas == 4


def test_apply_many_is_all_or_nothing(registry: RegistryService) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    batch = [
        base_record(replicas=4),
        base_record(name="new-model"),
        base_record(name="broken", resources={"requests": {"cpu": "2 cores", "memory": "1Gi"}}),
    ]
    with pytest.raises(RegistryError, match=r"nothing was saved: broken \(record 3\)"):
        registry.apply_many(batch, actor="ana", source="cli")
    assert registry.get("fraud-scorer").spec.replicas == 2
    assert registry.find("new-model") is None
    outcomes = registry.apply_many(
        batch[:2] + [base_record(name="same")], actor="ana", source="cli"
    )
    assert [o.action for o in outcomes] == ["updated", "created", "created"]
    again = registry.apply_many(batch[:2], actor="ana", source="cli")
    assert [o.action for o in again] == ["unchanged", "unchanged"]


def test_apply_many_rejects_duplicates_in_input(registry: RegistryService) -> None:
    with pytest.raises(RegistryError, match="appears twice"):
        registry.apply_many([base_record(), base_record()], actor="a", source="cli")


def test_failure_while_writing_the_revision_saves_nothing(engine) -> None:
    """Record and revision are one transaction: if the revision cannot be written, the record
    keeps its old values and version."""
    calls = {"n": 0, "fail_at": None}

    def clock():
        calls["n"] += 1
        if calls["fail_at"] is not None and calls["n"] >= calls["fail_at"]:
            raise RuntimeError("clock broke while writing the revision")
        return datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    registry = RegistryService(session_factory(engine), clock=clock)
    registry.create(base_record(), actor="ana", source="ui")
    calls["fail_at"] = calls["n"] + 2  # the record's update time passes, the revision's fails
    with pytest.raises(RuntimeError, match="clock broke"):
        registry.set_replicas("ml-prod", "fraud-scorer", 7, actor="ana", source="ui")
    calls["fail_at"] = None
    rec = registry.get("fraud-scorer")
    assert rec.spec.replicas == 2 and rec.version == 1
    assert len(registry.history("fraud-scorer")) == 1


def test_source_must_be_known(registry: RegistryService) -> None:
    with pytest.raises(ValueError, match="source must be one of"):
        registry.create(base_record(), actor="ana", source="web")  # type: ignore[arg-type]
