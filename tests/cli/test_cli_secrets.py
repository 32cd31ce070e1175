"""Secret-looking env values never reach CLI output (get, list, history, render, export) unless
``export --show-secrets``; a masked export cannot be imported over the real value."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import base_record

SECRET = "sk-live-5f2c9a"
REF = {"secretKeyRef": {"name": "model-secrets", "key": "api-key"}}


def _apply(run, tmp_path: Path, records: list[dict]) -> None:
    path = tmp_path / "records.yaml"
    path.write_text(yaml.safe_dump_all(records, sort_keys=False))
    res = run("models", "apply", "-f", str(path))
    assert res.exit_code == 0, res.output


def test_cli_outputs_never_show_a_secret_looking_value(cli_run, tmp_path: Path) -> None:
    _apply(cli_run, tmp_path, [base_record()])
    env = {"MODEL_THREADS": "4", "OPENAI_API_KEY": SECRET, "DB_URL": REF}
    _apply(cli_run, tmp_path, [base_record(env=env)])
    outputs = {
        "get": cli_run("models", "get", "fraud-scorer"),
        "get json": cli_run("models", "get", "fraud-scorer", "-o", "json"),
        "list json": cli_run("models", "list", "-o", "json"),
        "history": cli_run("models", "history", "fraud-scorer"),
        "history json": cli_run("models", "history", "fraud-scorer", "-o", "json"),
        "render": cli_run("models", "render", "fraud-scorer"),
        "export": cli_run("export"),
    }
    for what, res in outputs.items():
        assert res.exit_code == 0, (what, res.output)
        assert SECRET not in res.output, what
    assert "OPENAI_API_KEY" in outputs["history"].output
    assert (
        "secretKeyRef" in outputs["render"].output and "model-secrets" in outputs["render"].output
    )
    assert "MODEL_THREADS: '4'" in outputs["get"].output

    shown = cli_run("export", "--show-secrets")
    assert shown.exit_code == 0 and SECRET in shown.output
    (record,) = yaml.safe_load_all(shown.output)
    assert record["env"] == env


def test_a_masked_export_is_refused_on_import(cli_run, tmp_path: Path) -> None:
    _apply(cli_run, tmp_path, [base_record(env={"HF_TOKEN": SECRET})])
    out = tmp_path / "fleet.yaml"
    assert cli_run("export", "-o", str(out)).exit_code == 0
    res = cli_run("import", str(out))
    assert res.exit_code == 1
    assert "HF_TOKEN" in res.stderr and "--show-secrets" in res.stderr
    assert SECRET in cli_run("export", "--show-secrets").output
