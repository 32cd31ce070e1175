"""Times the schedule explains name their zone: the page's in the viewer's zone with its
abbreviation, ``barista schedule explain`` in --tz (default: this machine's) with the offset."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from barista_ui.schedule.decide import Decision, explain, local_zone_name, zone_label
from tests.conftest import base_record

AT = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)


def test_labels_name_the_zone_and_offset() -> None:
    when = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    d = Decision("down", "team", "team uptime 'x'", until=when)
    assert explain(d, "America/New_York", AT, label="abbr").startswith("down until 09:00 EST ")
    text = explain(d, "Asia/Kolkata", AT, label="offset")
    assert "19:30 IST, UTC+05:30" in text
    assert zone_label(when.astimezone(), "offset").count("UTC") >= 1


def test_local_zone_comes_from_tz(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert local_zone_name() == "Europe/Berlin"
    monkeypatch.setenv("TZ", "Nowhere/Special")
    assert local_zone_name() == "UTC"


def test_cli_explain_prints_the_zone_it_was_asked_for(cli_run, tmp_path: Path) -> None:
    f = tmp_path / "one.yaml"
    f.write_text(yaml.safe_dump_all([base_record()], sort_keys=False))
    assert cli_run("models", "create", "-f", str(f)).exit_code == 0
    res = cli_run(
        "schedule", "set", "--team", "payments", "--uptime", "Mon-Fri 09:00-17:00 America/New_York"
    )
    assert res.exit_code == 0, res.output
    at = "2026-11-24T23:00:00Z"  # 18:00 in New York: down until Wed 09:00 there
    res = cli_run("schedule", "explain", "fraud-scorer", "--at", at, "--tz", "America/New_York")
    assert "down until Wed 09:00 EST, UTC-05:00" in res.stdout, res.output
    res = cli_run("schedule", "explain", "fraud-scorer", "--at", at, "--tz", "Europe/Berlin")
    assert "down until 15:00 CET, UTC+01:00" in res.stdout, res.output
    res = cli_run("schedule", "explain", "fraud-scorer", "--at", at, "--tz", "Mars/Base")
    assert res.exit_code == 1 and "unknown timezone 'Mars/Base'" in res.stderr
