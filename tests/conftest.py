"""Shared fixtures: a migrated database per test, the registry service, app settings.

Databases are copies of templates made once per session (tests/db_templates.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from barista_ui.records.registry import RegistryService
from data.db import make_engine, migrate, session_factory
from tests.db_templates import Templates, copy_database, sqlite_file

POSTGRES_URL = os.environ.get(
    "BARISTA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'barista.db'}"


@pytest.fixture(scope="session")
def db_templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(tmp_path_factory.mktemp("db-templates"))


@pytest.fixture
def engine(sqlite_url: str, db_templates: Templates):
    """A migrated database: a copy of the session's migrated template."""
    target = sqlite_file(sqlite_url)
    if target is not None and not target.exists():
        copy_database(db_templates.migrated(), target)
    eng = make_engine(sqlite_url)
    migrate(eng)  # at head already for a copy: a quick check
    yield eng
    eng.dispose()


@pytest.fixture
def registry(engine) -> RegistryService:
    return RegistryService(session_factory(engine), max_replicas=50)


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Environment for main.py under NiceGUI's user fixture: own database, no cluster."""
    db = tmp_path / "app.db"
    monkeypatch.setenv("BARISTA_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("BARISTA_CLUSTER", "none")
    monkeypatch.setenv("BARISTA_SCHEDULER_ENABLED", "false")
    monkeypatch.setenv("BARISTA_SEED_DEMO", "true")
    monkeypatch.setenv("BARISTA_ALLOWED_HOSTS", "test")  # NiceGUI's user fixture: http://test
    yield db


@pytest.fixture
def user(app_database: None, user):
    """NiceGUI's simulated user (its plugin's fixture), the app's database made beforehand."""
    return user


@pytest.fixture
def app_database(db_templates: Templates) -> None:
    """What the app's start-up makes in a new SQLite database (migrated, seeded as configured),
    copied from a template. Runs just before the app starts, after the fixtures that set its
    environment (``app_env`` and the like)."""
    db_templates.provide_app_database()


def base_record(**overrides) -> dict:
    rec = {
        "name": "fraud-scorer",
        "namespace": "ml-prod",
        "team": "payments",
        "owner": "ana@example.com",
        "description": "Scores card transactions",
        "image": "registry.example.com/fraud-scorer:1.4.2",
        "model_uri": "gs://models/fraud-scorer/1.4.2",
        "port": 8080,
        "replicas": 2,
        "resources": {
            "requests": {"cpu": "1", "memory": "2Gi"},
            "limits": {"cpu": "2", "memory": "4Gi"},
            "gpu": {"count": 0, "type": None},
        },
        "autoscaling": {"enabled": False, "min": 1, "max": 4, "target_cpu_percent": 70},
        "env": {"MODEL_THREADS": "4"},
        "labels": {"tier": "critical"},
        "enabled": True,
    }
    rec.update(overrides)
    return rec


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (skipped, with the reason, if no server)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(POSTGRES_URL)
    try:
        admin = create_engine(
            admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.skip(
            f"PostgreSQL not reachable at {admin_url.render_as_string()}: {exc}".splitlines()[0]
        )
    name = f"barista_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def cli_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Invoke the barista CLI on its own SQLite database, records only (no cluster)."""
    from typer.testing import CliRunner

    from barista_ui.cli import context as cli
    from barista_ui.cli.app import app as cli_app

    monkeypatch.setenv("BARISTA_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("BARISTA_SEED_DEMO", "false")
    monkeypatch.setenv("BARISTA_ACTOR", "ana")
    monkeypatch.setenv("BARISTA_CLUSTER", "none")
    monkeypatch.delenv("BARISTA_URL", raising=False)  # local mode, whatever the machine has
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    cli._services_cache.clear()
    runner = CliRunner()

    def _run(*args: str, input: str | None = None):
        return runner.invoke(cli_app, list(args), input=input)

    yield _run
    if "s" in cli._services_cache:
        cli._services_cache.pop("s").stop()
    if "engine" in cli._services_cache:  # of the read-only registry (`models get` and the like)
        cli._services_cache.pop("engine").dispose()
