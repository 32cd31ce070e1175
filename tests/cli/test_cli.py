"""The barista CLI over the service layer: formats, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import base_record


@pytest.fixture
def run(cli_run):
    return cli_run


def write(tmp_path: Path, name: str, records: list[dict]) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(records, sort_keys=False))
    return str(path)


def test_create_get_list_json_uses_file_keys(run, tmp_path: Path) -> None:
    f = write(tmp_path, "one.yaml", [base_record()])
    res = run("models", "create", "-f", f)
    assert res.exit_code == 0, res.output
    assert "ml-prod/fraud-scorer created" in res.stdout
    got = json.loads(run("models", "get", "fraud-scorer", "--format", "json").stdout)
    assert set(base_record()) <= set(got) and got["replicas"] == 2
    listed = json.loads(run("models", "list", "--format", "json").stdout)
    assert [r["name"] for r in listed] == ["fraud-scorer"]
    table = run("models", "list").stdout
    assert table.splitlines()[0].split()[:3] == ["NAME", "NAMESPACE", "TEAM"]
    assert "fraud-scorer" in table and "1.4.2" in table


def test_create_existing_fails_apply_updates(run, tmp_path: Path) -> None:
    f = write(tmp_path, "one.yaml", [base_record()])
    run("models", "create", "-f", f)
    res = run("models", "create", "-f", f)
    assert res.exit_code == 1
    assert "already exists" in res.stderr and "Traceback" not in res.output
    f2 = write(tmp_path, "two.yaml", [base_record(replicas=4), base_record(name="second")])
    res = run("models", "apply", "-f", f2)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["ml-prod/fraud-scorer updated", "ml-prod/second created"]


def test_unknown_key_is_an_error_and_nothing_saved(run, tmp_path: Path) -> None:
    f = write(
        tmp_path, "bad.yaml", [base_record(name="ok-one"), {**base_record(), "colour": "red"}]
    )
    res = run("models", "apply", "-f", f)
    assert res.exit_code == 1
    assert res.stderr.count("\n") == 1
    assert "colour: unknown key" in res.stderr
    assert json.loads(run("models", "list", "-o", "json").stdout) == []


def test_bad_quantity_names_the_field(run, tmp_path: Path) -> None:
    rec = base_record(resources={"requests": {"cpu": "2 cores", "memory": "1Gi"}})
    res = run("models", "create", "-f", write(tmp_path, "bad.yaml", [rec]))
    assert res.exit_code == 1
    assert "resources.requests.cpu" in res.stderr and "'2 cores'" in res.stderr


def test_history_rollback_delete(run, tmp_path: Path) -> None:
    run("models", "create", "-f", write(tmp_path, "a.yaml", [base_record()]))
    run(
        "models",
        "apply",
        "-f",
        write(tmp_path, "b.yaml", [base_record(replicas=5)]),
        "--reason",
        "peak",
    )
    hist = json.loads(run("models", "history", "fraud-scorer", "-o", "json").stdout)
    assert [h["revision"] for h in hist] == [2, 1]
    assert hist[0]["actor"] == "ana" and hist[0]["source"] == "cli" and hist[0]["reason"] == "peak"
    assert hist[0]["changes"] == [{"field": "replicas", "old": 2, "new": 5}]
    res = run("models", "rollback", "fraud-scorer", "--to", "1")
    assert res.exit_code == 0 and "rolled back to revision 1" in res.stdout
    assert json.loads(run("models", "get", "fraud-scorer", "-o", "json").stdout)["replicas"] == 2
    assert run("models", "delete", "fraud-scorer").exit_code == 0
    res = run("models", "get", "fraud-scorer")
    assert res.exit_code == 1 and "no model named 'fraud-scorer'" in res.stderr


def test_ambiguous_name_lists_namespaces(run, tmp_path: Path) -> None:
    recs = [base_record(), base_record(namespace="ml-staging")]
    run("models", "apply", "-f", write(tmp_path, "a.yaml", recs))
    res = run("models", "get", "fraud-scorer")
    assert res.exit_code == 1 and "ml-prod, ml-staging" in res.stderr
    res = run("models", "get", "fraud-scorer", "--namespace", "ml-staging", "-o", "json")
    assert json.loads(res.stdout)["namespace"] == "ml-staging"


def test_export_import_round_trip(run, tmp_path: Path) -> None:
    recs = [base_record(), base_record(name="second", replicas=1)]
    run("models", "apply", "-f", write(tmp_path, "a.yaml", recs))
    out = tmp_path / "fleet.yaml"
    assert run("export", "-o", str(out)).exit_code == 0
    exported = list(yaml.safe_load_all(out.read_text()))
    assert [r["name"] for r in exported] == ["fraud-scorer", "second"]
    res = run("import", str(out))
    assert res.exit_code == 0 and res.stdout.strip() == "2 unchanged"
    exported[0]["replicas"] = 9
    out.write_text(yaml.safe_dump_all(exported))
    assert run("import", str(out)).stdout.strip() == "1 unchanged, 1 updated"


def test_missing_file_is_one_line(run) -> None:
    res = run("models", "apply", "-f", "/nonexistent/x.yaml")
    assert res.exit_code == 1
    assert res.stderr.startswith("error: ") and "/nonexistent/x.yaml" in res.stderr
