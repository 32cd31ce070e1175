"""Bad input through the CLI, on SQLite and PostgreSQL: every case is refused with one ``error:``
line naming the field, a non-zero exit code, and the database exactly as it was."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import MetaData, select

from data.db import make_engine
from tests.conftest import base_record


def _record(**changes: Any) -> dict:
    """The base record with dotted-path changes, e.g. ``{"resources.requests.cpu": "1e9"}``."""
    rec = base_record()
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = rec
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return rec


def _requests(cpu: str = "1", memory: str = "2Gi") -> dict:
    return {
        "requests": {"cpu": cpu, "memory": memory},
        "limits": {"cpu": None, "memory": None},
        "gpu": {"count": 0, "type": None},
    }


LONG_TEAM = "t" * 70

# (case id, record (applied with `models apply`) or CLI arguments, text the error must hold)
RECORD_CASES: list[tuple[str, dict, str]] = [
    ("schedule-spec", _record(schedule={"uptime": "whenever"}), "schedule.uptime:"),
    (
        "schedule-downtime",
        _record(schedule={"downtime": "Mon-Fri 25:00-26:00 UTC"}),
        "schedule.downtime:",
    ),
    ("schedule-empty-spec", _record(schedule={"uptime": ""}), "schedule.uptime:"),
    (
        "schedule-timezone",
        _record(schedule={"uptime": "Mon-Fri 08:00-18:00", "timezone": "Mars/Olympus_Mons"}),
        "schedule.timezone:",
    ),
    (
        "holiday-country",
        _record(schedule={"uptime": "always", "holidays": {"country": "XX"}}),
        "schedule.holidays.country:",
    ),
    (
        "holiday-subdivision",
        _record(schedule={"uptime": "always", "holidays": {"country": "DE", "subdiv": "ZZ"}}),
        "schedule.holidays.subdiv:",
    ),
    (
        "downtime-replicas",
        _record(schedule={"uptime": "always", "downtime_replicas": 10**12}),
        "schedule.downtime_replicas:",
    ),
    ("name-70", _record(name="n" * 70), "name:"),
    ("namespace-70", _record(namespace="n" * 70), "namespace:"),
    ("team-70", _record(team=LONG_TEAM), "team:"),
    ("owner-300", _record(owner="o" * 290 + "@example.com"), "owner:"),
    ("description-long", _record(description="d" * 5000), "description:"),
    ("image-600", _record(image="registry.example.com/" + "a" * 600 + ":1.0"), "image:"),
    ("model-uri-1100", _record(model_uri="gs://models/" + "u" * 1100), "model_uri:"),
    ("model-version-200", _record(model_version="v" * 200), "model_version:"),
    ("env-name-long", _record(env={"X" * 300: "1"}), "env:"),
    ("env-value-long", _record(env={"BIG": "v" * 40_000}), "env:"),
    ("label-value-64", _record(labels={"tier": "x" * 64}), "labels:"),
    ("label-key-prefix-254", _record(labels={"a" * 254 + "/tier": "x"}), "labels:"),
    ("cpu-40-digits", _record(resources=_requests(cpu="9" * 40)), "resources.requests.cpu:"),
    ("cpu-1e9", _record(resources=_requests(cpu="1e9")), "resources.requests.cpu:"),
    ("cpu-0.0001m", _record(resources=_requests(cpu="0.0001m")), "resources.requests.cpu:"),
    ("cpu-0.0001", _record(resources=_requests(cpu="0.0001")), "resources.requests.cpu:"),
    ("cpu-1Ki", _record(resources=_requests(cpu="1Ki")), "resources.requests.cpu:"),
    ("cpu-limit-1e9", _record(**{"resources.limits.cpu": "1e9"}), "resources.limits.cpu:"),
    ("memory-1Pi", _record(resources=_requests(memory="1Pi")), "resources.requests.memory:"),
    (
        "memory-fractional-bytes",
        _record(resources=_requests(memory="1.0000000001Gi")),
        "resources.requests.memory:",
    ),
    (
        "memory-40-digits",
        _record(resources=_requests(memory="9" * 40)),
        "resources.requests.memory:",
    ),
    (
        "gpu-count-9",
        _record(**{"resources.gpu": {"count": 9, "type": "nvidia-l4"}}),
        "resources.gpu.count:",
    ),
]

COMMAND_CASES: list[tuple[str, list[str], str]] = [
    ("check-empty-spec", ["schedule", "check", "", "--at", "2026-11-24T08:00:00Z"], "empty"),
    (
        "check-empty-downtime-spec",
        ["schedule", "check", " ", "--downtime", "--at", "2026-11-24T08:00:00Z"],
        "empty",
    ),
    ("schedule-team-70", ["schedule", "set", "--team", LONG_TEAM, "--uptime", "always"], "team:"),
    (
        "schedule-team-bad",
        ["schedule", "set", "--team", "Bad Team!", "--uptime", "always"],
        "team:",
    ),
    (
        "schedule-team-timezone",
        ["schedule", "set", "--team", "nlp", "--uptime", "always", "--timezone", "Mars/Olympus"],
        "timezone",
    ),
    (
        "schedule-team-holidays",
        ["schedule", "set", "--team", "nlp", "--uptime", "always", "--holidays", "XX"],
        "country",
    ),
    (
        "schedule-model-spec",
        ["schedule", "set", "--model", "fraud-scorer", "--uptime", "whenever"],
        "schedule.uptime:",
    ),
    (
        "schedule-model-holidays",
        ["schedule", "set", "--model", "fraud-scorer", "--uptime", "always", "--holidays", "DE-ZZ"],
        "schedule.holidays.subdiv:",
    ),
    (
        "schedule-team-spec-long",
        ["schedule", "set", "--team", "nlp", "--downtime", "Sat-Sun 00:00-24:00 UTC," * 100],
        "at most 1,024",
    ),
    ("budget-team-70", ["cost", "budget", LONG_TEAM, "100"], "team:"),
    ("budget-team-bad", ["cost", "budget", "nlp/../x", "100"], "team:"),
]


def _database_state(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order (what 'unchanged' compares)."""
    engine = make_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {
                name: sorted(tuple(map(repr, row)) for row in conn.execute(select(table)))
                for name, table in meta.tables.items()
            }
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'bad-input.db'}"


@pytest.fixture
def run(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    """The CLI on ``database_url`` with one valid record saved and a budget and team policy set."""
    from typer.testing import CliRunner

    from barista_ui.cli import context as cli
    from barista_ui.cli.app import app as cli_app

    monkeypatch.setenv("BARISTA_DATABASE_URL", database_url)
    monkeypatch.setenv("BARISTA_SEED_DEMO", "false")
    monkeypatch.setenv("BARISTA_ACTOR", "ana")
    monkeypatch.setenv("BARISTA_CLUSTER", "none")
    cli._services_cache.clear()
    runner = CliRunner()

    def _run(*args: str) -> Any:
        return runner.invoke(cli_app, list(args))

    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(base_record(), sort_keys=False))
    for args in (
        ("models", "apply", "-f", str(good)),
        ("schedule", "set", "--team", "payments", "--uptime", "Mon-Fri 08:00-18:00 UTC"),
        ("cost", "budget", "payments", "1000"),
    ):
        res = _run(*args)
        assert res.exit_code == 0, res.output
    yield _run
    if "s" in cli._services_cache:
        cli._services_cache.pop("s").stop()


def _assert_refused(res: Any, expected: str, before: dict, after: dict) -> None:
    lines = res.stderr.strip().splitlines()
    assert res.exit_code != 0, res.output
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr[:2000]
    assert expected in lines[0], lines[0][:2000]
    assert len(lines[0]) < 2000, "an error quotes a value in full"
    assert "Traceback" not in res.output
    assert after == before


@pytest.mark.parametrize(
    ("record", "expected"), [c[1:] for c in RECORD_CASES], ids=[c[0] for c in RECORD_CASES]
)
def test_bad_record_is_refused_and_nothing_changes(
    run, database_url: str, tmp_path: Path, record: dict, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(record, sort_keys=False))
    before = _database_state(database_url)
    for command in (("models", "apply", "-f", str(path)), ("import", str(path))):
        res = run(*command)
        _assert_refused(res, expected, before, _database_state(database_url))


@pytest.mark.parametrize(
    ("args", "expected"), [c[1:] for c in COMMAND_CASES], ids=[c[0] for c in COMMAND_CASES]
)
def test_bad_command_argument_is_refused_and_nothing_changes(
    run, database_url: str, args: list[str], expected: str
) -> None:
    before = _database_state(database_url)
    res = run(*args)
    _assert_refused(res, expected, before, _database_state(database_url))


def test_a_new_bad_record_is_refused_too(run, database_url: str, tmp_path: Path) -> None:
    """Create (not update) path: a second record with an absurd CPU saves nothing."""
    path = tmp_path / "new.yaml"
    path.write_text(yaml.safe_dump(_record(name="other", resources=_requests(cpu="1e9"))))
    before = _database_state(database_url)
    res = run("models", "create", "-f", str(path))
    _assert_refused(res, "resources.requests.cpu:", before, _database_state(database_url))
