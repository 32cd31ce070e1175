"""Alembic migrations: empty and older databases upgrade; tables match the migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import data.cost_tables  # noqa: F401
import data.ops_tables  # noqa: F401
import data.tables  # noqa: F401
from barista_ui.app import build_app
from barista_ui.settings import Settings
from data.db import alembic_config, current_revision, head_revision, make_engine, migrate


def revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def assert_schema_matches_tables(engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == [], f"tables and migrations disagree (write a migration): {diff}"


def test_empty_sqlite_upgrades_to_head(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    assert current_revision(engine) == head_revision()
    assert {"model_deployment", "revision"} <= set(inspect(engine).get_table_names())
    assert_schema_matches_tables(engine)


def test_each_older_sqlite_database_upgrades_on_start(tmp_path) -> None:
    for i, rev in enumerate(revisions_oldest_first()):
        url = f"sqlite:///{tmp_path / f'old{i}.db'}"
        migrate(make_engine(url), rev)
        assert current_revision(make_engine(url)) == rev
        services = build_app(Settings(database_url=url, cluster="none"), seed=True)
        assert current_revision(services.engine) == head_revision()
        assert len(services.registry.list_models()) == 40
        services.stop()


@pytest.mark.postgres
def test_postgres_upgrades_and_matches(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    revs = revisions_oldest_first()
    migrate(engine, revs[0])
    assert current_revision(engine) == revs[0]
    migrate(engine)
    assert current_revision(engine) == head_revision()
    assert_schema_matches_tables(engine)
    engine.dispose()
