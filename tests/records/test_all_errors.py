"""Validation names every problem at once, each at its field, as ``(field, message)`` pairs;
the CLI prints one line per error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from barista_ui.records.spec import RecordInvalid, validate_record
from tests.conftest import base_record

BROKEN = {
    "requests": {"cpu": "2 cores", "memory": "2Gi"},
    "limits": {"cpu": "lots", "memory": "1Gi"},
}


def test_every_error_is_reported_at_once_with_its_field() -> None:
    rec = base_record(resources=BROKEN, autoscaling={"enabled": True, "min": 5, "max": 2})
    with pytest.raises(RecordInvalid) as caught:
        validate_record(rec)
    fields = {field for field, _message in caught.value.errors}  # (field, message) pairs
    assert fields == {
        "resources.requests.cpu",
        "resources.limits.cpu",
        "resources.limits.memory",  # reported although the CPU fields are invalid
        "autoscaling.min",
    }
    messages = dict(caught.value.errors)
    assert messages["resources.limits.memory"].startswith("1Gi is below requests.memory (2Gi)")
    assert messages["autoscaling.min"] == "5 is greater than max (2)"


def test_both_limits_below_their_requests_are_both_named() -> None:
    rec = base_record(
        resources={
            "requests": {"cpu": "2", "memory": "2Gi"},
            "limits": {"cpu": "1", "memory": "1Gi"},
        }
    )
    with pytest.raises(RecordInvalid) as caught:
        validate_record(rec)
    assert [f for f, _ in caught.value.errors] == [
        "resources.limits.cpu",
        "resources.limits.memory",
    ]


def test_cli_prints_one_line_per_error(cli_run, tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(base_record(resources=BROKEN)))
    res = cli_run("models", "create", "-f", str(f))
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 3, res.stderr
    assert all(line.startswith("error: invalid record fraud-scorer: resources.") for line in lines)
    assert any("resources.limits.memory: 1Gi is below" in line for line in lines)
    assert cli_run("models", "list", "--format", "json").stdout.strip() == "[]"
