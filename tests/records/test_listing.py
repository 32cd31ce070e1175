"""The record index behind the Models table's pages: its answers equal a plain scan of the
registry, and it follows changes by re-reading only the changed models."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col

from barista_ui.records.listing import Query, RecordIndex, search_text
from barista_ui.records.registry import RegistryService
from data.tables import ModelDeployment
from tests.conftest import base_record

TEAMS = ("payments", "vision", "search")


def fleet(registry: RegistryService, n: int = 30) -> None:
    records = [
        base_record(
            name=f"m{i:02d}-{'retriever' if i % 4 == 0 else 'scorer'}",
            namespace="ml-prod" if i % 3 else "ml-staging",
            team=TEAMS[i % 3],
            replicas=i % 5,
            enabled=i % 7 != 0,
        )
        for i in range(n)
    ]
    registry.apply_many(records, actor="ana", source="cli")


def scan(registry: RegistryService, q: Query) -> list[tuple[str, str]]:
    """The expected answer, from the registry directly."""
    good, bad = registry.read_models()
    items = [
        i
        for i in (*good, *bad)
        if (not q.team or i.key[0] and _team(i) == q.team)
        and (not q.namespace or i.key[0] == q.namespace)
    ]
    items = [i for i in items if q.search in search_text(i)]
    return sorted(i.key for i in items)


def _team(item) -> str:
    return item.spec.team if hasattr(item, "spec") else item.team


def test_answers_equal_a_scan_and_typing_on_narrows_correctly(registry: RegistryService) -> None:
    fleet(registry)
    index = RecordIndex(registry)
    index.sync()
    for q in (Query(), Query(team="vision"), Query(namespace="ml-staging", team="payments")):
        assert sorted(index.match(q).keys) == scan(registry, q)
    for typed in ("r", "re", "ret", "retr", "m0", "m04"):  # each holds the one before or not
        q = Query(search=typed)
        assert sorted(index.match(q).keys) == scan(registry, q), typed
    found = index.match(Query(team="vision", search="retriever"))
    assert found.total == len(scan(registry, Query(team="vision")))
    assert sorted(found.keys) == scan(registry, Query(team="vision", search="retriever"))


def test_sorted_like_the_table_sorted(registry: RegistryService) -> None:
    fleet(registry)
    index = RecordIndex(registry)
    index.sync()
    by_replicas = index.match(Query(sort="replicas", descending=True)).keys
    replicas = [index.get(k).spec.replicas for k in by_replicas]  # type: ignore[union-attr]
    assert replicas == sorted(replicas, reverse=True)
    ties = [k for k in by_replicas if index.get(k).spec.replicas == 4]  # type: ignore[union-attr]
    assert ties == sorted(ties)  # ties in (namespace, name) order, also descending
    off = index.match(Query(enabled=False)).keys
    assert off and all(not index.get(k).spec.enabled for k in off)  # type: ignore[union-attr]


def test_follows_changes_reading_only_the_changed_models(registry: RegistryService, engine) -> None:
    fleet(registry)
    index = RecordIndex(registry)
    assert index.sync() is None  # the first read: everything
    assert index.sync() == set()  # nothing changed
    registry.set_replicas("ml-prod", "m01-scorer", 9, actor="bo", source="cli")
    registry.delete("ml-prod", "m02-scorer", actor="bo", source="cli")
    assert index.sync() == {("ml-prod", "m01-scorer"), ("ml-prod", "m02-scorer")}
    assert index.get(("ml-prod", "m01-scorer")).spec.replicas == 9  # type: ignore[union-attr]
    assert index.get(("ml-prod", "m02-scorer")) is None
    assert ("ml-prod", "m02-scorer") not in index.match(Query(search="m02")).keys
    # a row removed around the registry (no revision): the count differs, all is read again
    with engine.begin() as conn:
        conn.execute(delete(ModelDeployment).where(col(ModelDeployment.name) == "m04-retriever"))
    registry.set_replicas("ml-prod", "m05-scorer", 1, actor="bo", source="cli")
    assert index.sync() is None
    assert index.get(("ml-prod", "m04-retriever")) is None
