"""Billing exports by hand: FOCUS CSV and Google Cloud NDJSON, credits, bad rows, re-import."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from barista_ui.cost.billing import BillingFileError, parse_focus, parse_gcp
from barista_ui.cost.service import CostService
from data.cost_tables import BillingImport, BillingRowRecord
from data.db import session_factory
from tests.actors import ANA

FOCUS_HEADER = (
    "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,"
    "ServiceName,ResourceId,Tags\n"
)


def focus(*rows: str) -> str:
    return FOCUS_HEADER + "".join(r + "\n" for r in rows)


def tags(**kv: str) -> str:
    return '"' + json.dumps(kv).replace('"', '""') + '"'


ROW_A = "2.00,1.25,USD,2026-10-03T10:00:00Z,2026-10-03T11:00:00Z,Compute Engine,vm-1," + tags(
    team="vision", model="resnet"
)
ROW_B = "0.75,,USD,2026-10-03T11:00:00Z,2026-10-03T12:00:00Z,Compute Engine,vm-1," + tags(
    team="vision", model="resnet"
)
ROW_C = "3.00,3.00,USD,2026-10-04T00:00:00Z,2026-10-04T01:00:00Z,Cloud Storage,bucket,{}"


def gcp_line(start: str, cost: float, credits=(), **labels: str) -> str:
    return json.dumps(
        {
            "usage_start_time": start,
            "cost": cost,
            "currency": "USD",
            "credits": [{"name": "SUD", "amount": a} for a in credits],
            "labels": [{"key": f"k8s-label/{k}", "value": v} for k, v in labels.items()],
            "service": {"description": "Compute Engine"},
        }
    )


def test_focus_effective_cost_falls_back_to_billed_cost() -> None:
    rows = parse_focus(focus(ROW_A, ROW_B, ROW_C))
    assert [r.cost_usd for r in rows] == [1.25, 0.75, 3.0]
    assert [(r.team, r.model) for r in rows] == [
        ("vision", "resnet"),
        ("vision", "resnet"),
        (None, None),
    ]
    assert rows[0].time == datetime(2026, 10, 3, 10, tzinfo=UTC)
    assert [r.line for r in rows] == [2, 3, 4]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("abc,,USD,2026-10-03T10:00:00Z,,x,y,{}", "line 3: BilledCost 'abc' is not a number"),
        (",,USD,2026-10-03T10:00:00Z,,x,y,{}", "line 3: both EffectiveCost and BilledCost"),
        ("1,1,USD,yesterday,,x,y,{}", "line 3: ChargePeriodStart 'yesterday' is not a timestamp"),
        ('1,1,USD,2026-10-03T10:00:00Z,,x,y,"[1]"', "line 3: Tags must be a JSON object"),
        ("1,1,EUR,2026-10-03T10:00:00Z,,x,y,{}", "line 3: currency 'EUR'"),
    ],
)
def test_focus_bad_row_names_its_line(bad: str, message: str) -> None:
    with pytest.raises(BillingFileError) as err:
        parse_focus(focus(ROW_A, bad))
    assert message in str(err.value)


def test_gcp_cost_plus_credits_both_time_forms_and_labels() -> None:
    text = "\n".join(
        [
            gcp_line("2026-10-03 10:00:00 UTC", 1.5, (-0.25, -0.05), team="vision", model="r"),
            "",
            gcp_line("2026-10-03T23:30:00-02:00", 2.0, team="nlp"),
        ]
    )
    a, b = parse_gcp(text)
    assert a.cost_usd == pytest.approx(1.2)
    assert (a.team, a.model, a.line) == ("vision", "r", 1)
    assert a.time == datetime(2026, 10, 3, 10, tzinfo=UTC)
    assert b.time == datetime(2026, 10, 4, 1, 30, tzinfo=UTC)
    assert (b.team, b.model, b.line) == ("nlp", None, 3)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "line 2: not a JSON object"),
        ('{"usage_start_time": "2026-10-03 10:00:00 UTC"}', "line 2: 'cost' is missing"),
        (
            '{"usage_start_time": "2026-10-03 10:00:00 UTC", "cost": 1, "credits": [{}]}',
            "line 2: credits[0] has no amount",
        ),
        ('{"cost": 1}', "line 2: usage_start_time is missing"),
        (
            '{"usage_start_time": "2026-10-03 10:00:00", "cost": 1}',
            "line 2: usage_start_time '2026-10-03 10:00:00' has no timezone",
        ),
    ],
)
def test_gcp_bad_row_names_its_line(bad: str, message: str) -> None:
    with pytest.raises(BillingFileError) as err:
        parse_gcp(gcp_line("2026-10-03 10:00:00 UTC", 1.0) + "\n" + bad)
    assert message in str(err.value)


def _counts(new) -> tuple[int, int]:
    with new() as s:
        return len(s.exec(select(BillingImport)).all()), len(s.exec(select(BillingRowRecord)).all())


def test_import_is_all_or_nothing_and_reimport_does_not_double_count(engine) -> None:
    new = session_factory(engine)
    svc = CostService(new, clock=lambda: datetime(2026, 10, 10, tzinfo=UTC))
    with pytest.raises(BillingFileError, match="line 4"):
        svc.import_billing(focus(ROW_A, ROW_B, "x,,USD,bad,,a,b,{}").encode(), "focus", actor=ANA)
    assert _counts(new) == (0, 0)
    first = svc.import_billing(focus(ROW_A, ROW_B).encode(), "focus", filename="oct.csv", actor=ANA)
    assert first == {
        "file": "oct.csv",
        "rows": 2,
        "new_rows": 2,
        "already": False,
        "new_usd": 2.0,
    }
    again = svc.import_billing(focus(ROW_A, ROW_B).encode(), "focus", filename="oct.csv", actor=ANA)
    assert again["already"] and again["new_rows"] == 0
    # an export that overlaps the first one: only the new row counts
    overlap = svc.import_billing(
        focus(ROW_B, ROW_C).encode(), "focus", filename="oct2.csv", actor=ANA
    )
    assert overlap["new_rows"] == 1 and overlap["new_usd"] == 3.0
    assert _counts(new) == (2, 3)
    d0, d1 = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 10, tzinfo=UTC)
    by_team = svc.billed(d0, d1, ["team"]).set_index("team")["billed_usd"].to_dict()
    assert by_team == {"(unallocated)": 3.0, "vision": 2.0}


def test_two_identical_charges_in_one_file_are_two_charges(engine) -> None:
    svc = CostService(session_factory(engine))
    res = svc.import_billing(focus(ROW_A, ROW_A).encode(), "focus", actor=ANA)
    assert res["new_rows"] == 2 and res["new_usd"] == 2.5


def test_modeled_versus_billed_per_team_and_day(engine) -> None:
    new = session_factory(engine)
    now = datetime(2026, 10, 5, tzinfo=UTC)
    svc = CostService(new, clock=lambda: now)
    svc.record_replicas(
        "ml", "r", "vision", 1, datetime(2026, 10, 3, tzinfo=UTC), "apply", rate=0.1
    )
    text = gcp_line("2026-10-03 10:00:00 UTC", 1.5, (-0.3,), team="vision", model="r")
    svc.import_billing(text.encode(), "gcp", actor=ANA)
    d0, d1 = datetime(2026, 10, 3, tzinfo=UTC), datetime(2026, 10, 5, tzinfo=UTC)
    rows = svc.modeled_vs_billed(d0, d1).to_dict("records")
    day3 = next(r for r in rows if str(r["day"]) == "2026-10-03")
    assert day3["modeled_usd"] == pytest.approx(2.4)
    assert day3["billed_usd"] == pytest.approx(1.2)
    assert day3["ratio"] == pytest.approx(0.5)
    day4 = next(r for r in rows if str(r["day"]) == "2026-10-04")
    assert day4["billed_usd"] == 0 and day4["modeled_usd"] == pytest.approx(2.4)


def test_cli_import_and_billing_report(tmp_path: Path, cli_run) -> None:
    good = tmp_path / "export.csv"
    good.write_text(focus(ROW_A, ROW_B, ROW_C))
    bad = tmp_path / "broken.jsonl"
    bad.write_text(gcp_line("2026-10-03 10:00:00 UTC", 1.0) + "\n{oops\n")
    res = cli_run("cost", "import", str(bad), "--format", "gcp")
    assert res.exit_code == 1
    assert "broken.jsonl rejected, nothing imported: line 2" in res.stderr
    res = cli_run("cost", "import", str(good), "--format", "focus")
    assert res.exit_code == 0 and "imported 3 rows, $5.00" in res.stdout
    res = cli_run("cost", "import", str(good), "--format", "focus")
    assert "imported before: nothing added" in res.stdout
    args = ["cost", "report", "--from", "2026-10-01", "--to", "2026-10-04", "--by"]
    res = cli_run(*args, "team", "--source", "billing", "--format", "json")
    assert json.loads(res.stdout) == [{"team": "vision", "cost_usd": 2.0}]
    res = cli_run(*args, "day", "--source", "billing", "--format", "json")
    assert json.loads(res.stdout) == [{"day": "2026-10-03", "cost_usd": 2.0}]
    res = cli_run(*args, "namespace", "--source", "billing")
    assert res.exit_code == 2 and "not namespaces" in res.stderr


def test_cli_compare_modeled_and_billed_per_team_and_day(tmp_path: Path, cli_run) -> None:
    from barista_ui.cli import context as cli

    assert cli_run("models", "list").exit_code == 0  # builds the services on this database
    cli.services().cost.record_replicas(
        "ml", "resnet", "vision", 1, datetime(2026, 10, 3, tzinfo=UTC), "apply", rate=0.1
    )
    export = tmp_path / "export.csv"
    export.write_text(focus(ROW_A, ROW_B))
    assert cli_run("cost", "import", str(export), "--format", "focus").exit_code == 0
    args = ["cost", "report", "--from", "2026-10-03", "--to", "2026-10-05", "--source", "compare"]
    res = cli_run(*args, "--by", "day", "--format", "json")
    rows = json.loads(res.stdout)
    assert rows[0] == {
        "day": "2026-10-03",
        "team": "vision",
        "modeled_usd": 2.4,
        "billed_usd": 2.0,
        "ratio": pytest.approx(2.0 / 2.4, abs=1e-4),
    }
    assert rows[1]["day"] == "2026-10-04" and rows[1]["billed_usd"] == 0
    res = cli_run(*args, "--by", "team")
    assert "modeled $" in res.stdout and "billed / modeled 0.417" in res.stdout


def test_a_tag_that_no_label_could_hold_is_refused_with_its_line() -> None:
    from barista_ui.cost.billing import BillingFileError, parse_focus

    long_team = "t" * 70
    text = (
        "ChargePeriodStart,EffectiveCost,BilledCost,BillingCurrency,Tags\n"
        '2026-11-02T00:00:00Z,1.0,1.0,USD,"{""team"": ""nlp""}"\n'
        f'2026-11-02T01:00:00Z,1.0,1.0,USD,"{{""team"": ""{long_team}""}}"\n'
    )
    with pytest.raises(BillingFileError) as info:
        parse_focus(text)
    assert "line 3" in str(info.value) and "team" in str(info.value)
    bad_model = text.replace(long_team, "nlp").replace(
        '""team"": ""nlp""}"\n', '""team"": ""nlp"", ""model"": ""<a href=x>""}"\n', 1
    )
    with pytest.raises(BillingFileError) as info:
        parse_focus(bad_model)
    assert "line 2" in str(info.value) and "model" in str(info.value)
