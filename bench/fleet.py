"""A fleet of ``n`` models for the benches: the demo fleet's records, renamed
``<demo name>-NNNNN``, applied through the registry as ``barista models apply`` does."""

from __future__ import annotations

from barista_ui.records.registry import RegistryService
from data.db import make_engine, migrate, session_factory
from data.seed import demo_records


def fleet_records(n: int) -> list[dict]:
    base = demo_records()
    records = []
    for i in range(n):
        rec = dict(base[i % len(base)])
        rec["name"] = f"{rec['name'][:50]}-{i:05d}"
        records.append(rec)
    return records


def seed_models(url: str, n: int) -> None:
    """Migrate the database at ``url`` and apply ``n`` models, a thousand per transaction."""
    engine = make_engine(url)
    migrate(engine)
    records = fleet_records(n)
    registry = RegistryService(session_factory(engine), max_replicas=50)
    for start in range(0, n, 1000):
        registry.apply_many(records[start : start + 1000], actor="bench", source="cli")
    engine.dispose()
