"""``barista models get`` on SQLite reads the row with the standard library's sqlite3: the
output and errors of the registry's path (kept in ``models_get_expected.json``), a schema behind
the code still migrated first, and none of the heavy packages imported on the way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from barista_ui.cli import context as cli_context
from barista_ui.cli.local_read import DEFAULT_DATABASE_URL
from barista_ui.records.registry import RegistryService
from barista_ui.settings import Settings
from data.db import (
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    migrate,
    schema_is_current,
    schema_revision,
    session_factory,
)
from data.revision import HEAD_REVISION
from data.sqlite_read import connect, model_row
from data.tables import ModelDeployment
from tests.cli.models_get_expected import CASES, EXPECTED, RECORDS, key, seed
from tests.unreadable_rows import BAD_SCHEDULE, spoil

# what a local read must not import: the page, the cluster client, the cost frames, and (on
# SQLite) the SQL toolkit, the migrations and the settings loader
HEAVY = (
    "pandas",
    "plotly",
    "nicegui",
    "kubernetes",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "pydantic_settings",
)


@pytest.fixture
def seeded(cli_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """(run, db path): the CLI in this process on a database holding ``RECORDS``, started
    in a directory without a ``.env`` file (the quick read applies)."""
    db = tmp_path / "cli.db"
    seed(f"sqlite:///{db}")
    (tmp_path / "quick").mkdir()
    monkeypatch.chdir(tmp_path / "quick")
    return cli_run, db


def registry_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """From here on the command reads through the registry: a ``.env`` file may set the
    database, which only the settings read, so the quick read declines."""
    (tmp_path / "full").mkdir(exist_ok=True)
    (tmp_path / "full" / ".env").write_text("# read by the settings\n")
    monkeypatch.chdir(tmp_path / "full")


def took() -> str:
    """Which path the commands run so far in this test took (the registry is built once)."""
    return "registry" if "r" in cli_context._services_cache else "quick"


def subprocess_env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BARISTA_")}
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(BARISTA_DATABASE_URL=f"sqlite:///{db}", BARISTA_CLUSTER="none")
    return env


def test_head_revision_constant_is_alembics_head() -> None:
    head = head_revision()
    assert HEAD_REVISION == head, (
        f"data/revision.py says the schema's head is {HEAD_REVISION!r}, the migrations end at "
        f"{head!r}: set HEAD_REVISION = {head!r} there (read-only commands compare a database's "
        "revision with it, and would otherwise migrate on every run or read an old schema)"
    )


def test_default_database_is_the_settings_default() -> None:
    assert DEFAULT_DATABASE_URL == Settings.model_fields["database_url"].default


def test_output_is_the_registrys_in_every_format(
    seeded, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run, _ = seeded
    expected = json.loads(EXPECTED.read_text())
    assert sorted(expected) == sorted(key(*c) for c in CASES)
    quick = {key(*c): run("models", "get", c[0], "-n", c[1], "-o", c[2]) for c in CASES}
    assert took() == "quick"
    registry_path(monkeypatch, tmp_path)
    full = {key(*c): run("models", "get", c[0], "-n", c[1], "-o", c[2]) for c in CASES}
    assert took() == "registry"
    for res in [*quick.values(), *full.values()]:
        assert res.exit_code == 0, res.output
    assert {k: r.stdout for k, r in full.items()} == expected, (
        "the registry's output changed: if on purpose, regenerate the expectation with "
        "`.venv/bin/python -m tests.cli.models_get_expected`"
    )
    assert {k: r.stdout for k, r in quick.items()} == expected


def test_errors_are_the_registrys(seeded, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Not found, in several namespaces, stored with values no longer valid, and the namespace
    found when not given: the same exit code and lines on both paths."""
    run, db = seeded
    engine = make_engine(f"sqlite:///{db}")
    RegistryService(session_factory(engine)).apply_many(
        [{**RECORDS[2], "namespace": "ml-staging"}], actor="ana", source="cli"
    )
    engine.dispose()
    spoil(db, "ml-prod", "fraud-scorer", schedule=BAD_SCHEDULE)
    cases = [
        ("models", "get", "nobody"),
        ("models", "get", "ranker", "-n", "ml-prod"),
        ("models", "get", "vision"),
        ("models", "get", "fraud-scorer"),
        ("models", "get", "ranker", "-o", "json"),
    ]
    quick = [run(*args) for args in cases]
    assert took() == "quick"
    registry_path(monkeypatch, tmp_path)
    full = [run(*args) for args in cases]
    assert took() == "registry"
    got = [(r.exit_code, r.stdout, r.stderr) for r in quick]
    assert got == [(r.exit_code, r.stdout, r.stderr) for r in full]
    assert [code for code, _, _ in got] == [1, 1, 1, 1, 0]
    assert "several namespaces (ml-prod, ml-staging)" in got[2][2]
    assert "no longer valid" in got[3][2] and "Mars/Olympus" in got[3][2]


def test_rows_read_as_the_orm_reads_them(tmp_path: Path) -> None:
    """Every column, decoded as its type does (a column added to the table and not to the
    quick read fails here)."""
    url = f"sqlite:///{tmp_path / 'rows.db'}"
    seed(url)
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(select(ModelDeployment)).all()
        want = [{c: getattr(r, c) for c in ModelDeployment.__table__.columns.keys()} for r in rows]
    engine.dispose()
    conn = connect(tmp_path / "rows.db")
    try:
        got = [model_row(conn, w["namespace"], w["name"]) for w in want]
    finally:
        conn.close()
    assert [typed(r) for r in got if r is not None] == [typed(w) for w in want]


def typed(row: dict) -> dict:
    """Values with their types (1 == True, but a boolean column reads as a bool)."""
    return {k: (type(v).__name__, v) for k, v in row.items()}


def test_a_schema_behind_the_code_is_migrated_first(tmp_path: Path) -> None:
    """A database left at an older revision (its model table already as today): the command
    upgrades it, as before the quick read, then prints the record."""
    from alembic import command

    db = tmp_path / "old.db"
    seed(f"sqlite:///{db}")
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert current_revision(engine) == "0001"
    name, namespace, fmt = CASES[0]
    res = subprocess.run(
        [sys.executable, "-m", "barista_ui.cli", "models", "get", name, "-n", namespace],
        env=subprocess_env(db),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == json.loads(EXPECTED.read_text())[key(name, namespace, "yaml")]
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_a_database_not_created_yet_is_created(cli_run, tmp_path: Path) -> None:
    res = cli_run("models", "get", "nobody")
    assert (res.exit_code, res.stderr) == (1, "error: no model named 'nobody'\n")
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    assert current_revision(engine) == head_revision()
    engine.dispose()
    migrate(engine)  # nothing left to do


def modules_after(args: list[str], env: dict[str, str], cwd: Path) -> tuple[str, list[str]]:
    """(stdout, loaded) of the command run in a fresh process: which modules it imported."""
    code = (
        "import sys, runpy, io, contextlib\n"
        f"sys.argv = ['barista', *{args!r}]\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n        runpy.run_module('barista_ui.cli', run_name='__main__')\n"
        "    except SystemExit as exc:\n        assert not exc.code, exc.code\n"
        "import json\n"
        "print(json.dumps([out.getvalue(), sorted(m for m in sys.modules if '.' not in m)]))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    out, loaded = json.loads(res.stdout.strip().splitlines()[-1])
    return out, loaded


def test_local_get_imports_no_heavy_module(tmp_path: Path) -> None:
    db = tmp_path / "light.db"
    seed(f"sqlite:///{db}")
    name, namespace, _ = CASES[0]
    out, loaded = modules_after(["models", "get", name], subprocess_env(db), tmp_path)
    assert out == json.loads(EXPECTED.read_text())[key(name, namespace, "yaml")]
    assert [m for m in HEAVY if m in loaded] == []


def test_help_is_plain_text_without_the_services(tmp_path: Path) -> None:
    out, loaded = modules_after(["--help"], subprocess_env(tmp_path / "none.db"), tmp_path)
    assert "models" in out and "Usage:" in out
    assert [m for m in (*HEAVY, "rich", "pydantic", "yaml") if m in loaded] == []


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_schema_revision_is_what_alembic_reads(
    request: pytest.FixtureRequest, tmp_path: Path, database: str
) -> None:
    """One SELECT, none on a database never migrated (no version table), then each revision."""
    url = (
        request.getfixturevalue("postgres_url")
        if database == "postgres"
        else f"sqlite:///{tmp_path / 'rev.db'}"
    )
    engine = make_engine(url)
    try:
        assert schema_revision(engine) is None and not schema_is_current(engine)
        migrate(engine, "0002")
        assert schema_revision(engine) == current_revision(engine) == "0002"
        assert not schema_is_current(engine)
        migrate(engine)
        assert schema_revision(engine) == current_revision(engine) == HEAD_REVISION
        assert schema_is_current(engine)
    finally:
        engine.dispose()
