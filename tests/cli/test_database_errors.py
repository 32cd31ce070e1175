"""A database that refuses a write is one ``error:`` line: never the SQL statement or its
parameters, which hold env values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from barista_ui.records.registry import RegistryService
from barista_ui.records.spec import ModelSpec
from tests.conftest import base_record

SECRET = "sk-live-0123456789abcdef"


def _unchecked(changes: dict[str, Any]):
    """A registry validation that lets through what the database will refuse (as a bug or an
    older version would): rows the rules do not judge, plus ``changes`` set without checks."""

    def validate(self: RegistryService, data: Any) -> ModelSpec:
        if isinstance(data, ModelSpec):
            return data
        spec = ModelSpec.model_validate(data, context={"stored": True})
        return spec.model_copy(update=changes)

    return validate


@pytest.mark.parametrize(
    ("database", "changes", "record", "driver_says"),
    [
        ("sqlite", {"team": None}, {}, "NOT NULL constraint failed"),
        ("postgres", {"team": None}, {}, "null value in column"),
        ("postgres", {}, {"owner": "o" * 300}, "value too long"),
    ],
    ids=["sqlite-not-null", "postgres-not-null", "postgres-too-long"],
)
def test_a_refused_write_prints_no_sql_parameters(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database: str,
    changes: dict,
    record: dict,
    driver_says: str,
) -> None:
    from typer.testing import CliRunner

    from barista_ui.cli import context as cli
    from barista_ui.cli.app import app as cli_app

    url = (
        request.getfixturevalue("postgres_url")
        if database == "postgres"
        else f"sqlite:///{tmp_path / 'db.sqlite'}"
    )
    for key, value in {
        "BARISTA_DATABASE_URL": url,
        "BARISTA_SEED_DEMO": "false",
        "BARISTA_CLUSTER": "none",
        "BARISTA_ACTOR": "ana",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(RegistryService, "validate", _unchecked(changes))
    cli._services_cache.clear()
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(base_record(env={"API_KEY": SECRET}, **record)))
    try:
        res = CliRunner().invoke(cli_app, ["models", "create", "-f", str(path)])
    finally:
        if "s" in cli._services_cache:
            cli._services_cache.pop("s").stop()
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: the database refused the change: ")
    assert driver_says in lines[0]
    for leak in (SECRET, "INSERT", "[SQL", "parameters", "ana@example.com"):
        assert leak not in res.output


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("BARISTA_MAX_CPU", "lots", "invalid setting BARISTA_MAX_CPU: 'lots' is not a positive"),
        ("BARISTA_MAX_MEMORY", "0", "invalid setting BARISTA_MAX_MEMORY"),
        (
            "BARISTA_ACTOR",
            "a" * 300,
            "invalid setting BARISTA_ACTOR: String should have at most 254",
        ),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    cli_run, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    for args in (["models", "list"], ["schedule", "show"]):
        res = cli_run(*args)
        lines = res.stderr.strip().splitlines()
        assert res.exit_code == 1 and len(lines) == 1, res.output
        assert lines[0].startswith(f"error: {says}")
