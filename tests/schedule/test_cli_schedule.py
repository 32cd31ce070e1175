"""``barista schedule set/show/explain`` and ``barista override`` on a records-only database."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import base_record


def test_set_show_and_explain_each_level(cli_run, tmp_path: Path) -> None:
    f = tmp_path / "one.yaml"
    f.write_text(yaml.safe_dump_all([base_record()], sort_keys=False))
    assert cli_run("models", "create", "-f", str(f)).exit_code == 0
    res = cli_run("schedule", "set", "--team", "payments", "--uptime", "Mon-Fri 08:00-18:00 UTC")
    assert res.exit_code == 0, res.output
    res = cli_run(
        "schedule", "set", "--global", "--downtime", "Sat-Sun 00:00-24:00", "--holidays", "de-by"
    )
    assert res.exit_code == 0, res.output
    shown = cli_run("schedule", "show").stdout.splitlines()
    assert shown == [
        "global: downtime 'Sat-Sun 00:00-24:00', holidays DE-BY (by ana)",
        "team payments: uptime 'Mon-Fri 08:00-18:00 UTC' (by ana)",
    ]
    res = cli_run("schedule", "explain", "fraud-scorer", "--at", "2026-11-24T19:00:00Z")
    assert res.stdout.startswith("down — rule: team"), res.output
    res = cli_run(
        "schedule", "set", "--model", "fraud-scorer", "--uptime", "Mon-Sun 00:00-24:00 UTC"
    )
    assert res.exit_code == 0, res.output
    res = cli_run("schedule", "explain", "fraud-scorer", "--at", "2026-11-24T19:00:00Z")
    assert res.stdout.startswith("up — rule: model"), res.output
    assert cli_run("schedule", "set", "--model", "fraud-scorer", "--clear").exit_code == 0
    res = cli_run("schedule", "explain", "fraud-scorer", "--at", "2026-11-24T19:00:00Z")
    assert res.stdout.startswith("down — rule: team"), res.output


def test_set_refuses_bad_input_naming_it(cli_run) -> None:
    res = cli_run("schedule", "set", "--team", "payments", "--uptime", "Mon-Thur 08:00-18:00")
    assert res.exit_code == 2 and "invalid day 'Thur'" in res.output
    res = cli_run("schedule", "set", "--team", "payments", "--global", "--uptime", "always")
    assert res.exit_code == 2 and "exactly one of" in res.output
    res = cli_run("schedule", "set", "--model", "nope", "--uptime", "always")
    assert res.exit_code == 1 and "nope" in res.output
