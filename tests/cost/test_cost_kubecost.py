"""Cost as Kubecost users read it: billed ÷ modeled over the days billing covers, the billed
per-model table, efficiency and idle cost, sums by label, budget alerts, the heatmap's scale
and the date range on exports."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from barista_ui.cost.billing_imports import UNALLOCATED
from barista_ui.cost.board import CostBoard
from barista_ui.cost.coverage import coverage, describe_days, per_team
from barista_ui.cost.grouping import NO_LABEL, check_group, group_options, regroup
from barista_ui.cost.overview import last_days, overview
from barista_ui.cost.reports import modeled_vs_billed
from barista_ui.cost.service import CostService
from barista_ui.cost.usage import fleet_efficiency, idle_cost, unused_cost, with_demo_usage
from data.db import session_factory
from tests.actors import ANA
from tests.conftest import base_record

NOW = datetime(2026, 11, 11, 12, tzinfo=UTC)
D = [date(2026, 11, d) for d in range(1, 12)]


def _board(engine, records) -> tuple[CostBoard, CostService]:
    svc = CostService(session_factory(engine), clock=lambda: NOW)
    board = CostBoard(
        svc,
        records=lambda: records,
        teams=lambda: sorted({r.spec.team for r in records}),
        up_fraction=lambda spec, at: 1.0,
        clock=lambda: NOW,
    )
    return board, svc


def _gcp(day: date, cost: float, **labels: str) -> str:
    return json.dumps(
        {
            "usage_start_time": f"{day}T10:00:00Z",
            "cost": cost,
            "labels": [{"key": f"k8s-label/{k}", "value": v} for k, v in labels.items()],
        }
    )


# ---------------------------------------------------------------- billed ÷ modeled (defect 5)


def test_ratio_compares_only_the_days_the_billing_covers() -> None:
    modeled = pd.DataFrame(
        {"day": D[:10], "team": ["nlp"] * 10, "cost_usd": [10.0] * 10}  # 10 days modeled
    )
    billed = pd.DataFrame(  # two days billed, one of them for another team only
        {"day": [D[3], D[4]], "team": ["nlp", "vision"], "billed_usd": [11.0, 5.0]}
    )
    both = modeled_vs_billed(modeled, billed)
    cover = coverage(both)
    assert cover.days == [D[3], D[4]]
    assert (cover.modeled, cover.billed) == (20.0, 16.0)  # not 100 modeled over 10 days
    assert cover.ratio == pytest.approx(0.8)
    assert cover.describe() == "2026-11-04 – 2026-11-05 (2 days)"
    teams = per_team(both).set_index("team")
    assert teams.loc["nlp", "modeled_usd"] == 20.0 and teams.loc["nlp", "ratio"] == 0.55
    assert teams.loc["vision", "ratio"] is None  # nothing modeled to compare with
    day1 = both[both["day"] == D[0]].iloc[0]
    assert not day1["covered"] and day1["ratio"] is None


def test_describe_days_names_runs_of_days() -> None:
    assert describe_days([D[0], D[1], D[2], D[6]]) == "2026-11-01 – 2026-11-03, 2026-11-07 (4 days)"
    assert describe_days([D[5]]) == "2026-11-06 (1 day)"
    assert describe_days([]) == "no days"
    many = [D[i] for i in range(0, 11, 2)]
    assert describe_days(many, most=2).endswith("… 4 more (6 days)")


def test_billed_kpi_ratio_is_over_billed_days_through_the_board(engine, registry) -> None:
    rec = registry.create(base_record(name="a", team="nlp"), actor="t", source="cli")
    board, svc = _board(engine, [rec])
    rate = 1.0
    svc.record_replicas(
        rec.namespace, "a", "nlp", 1, datetime(2026, 10, 13, tzinfo=UTC), "apply", rate=rate
    )
    export = "\n".join(_gcp(d, 24.0 * 1.1, team="nlp", model="a") for d in (D[2], D[3]))
    board.import_billing(export.encode(), "gcp", actor=ANA)
    fig = board.figures(last_days("UTC", 30, NOW), "modeled", [], False)
    cover = coverage(fig.overview.compare)
    assert cover.days == [D[2], D[3]]
    assert cover.ratio == pytest.approx(1.1)  # 2 billed days against 2 modeled days, not 30


def test_billed_source_has_one_row_per_team_and_model_with_its_month_to_date(
    engine, registry
) -> None:
    rec = registry.create(base_record(name="a", team="nlp"), actor="t", source="cli")
    board, _svc = _board(engine, [rec])
    lines = [
        _gcp(D[1], 1.0),  # no tags at all
        _gcp(D[1], 2.0, team="nlp"),  # a team, no model
        _gcp(D[2], 4.0, team="vision"),  # another team, no model
        _gcp(D[2], 8.0, model="a"),  # a model, no team
        _gcp(D[3], 16.0, team="nlp", model="a"),
        _gcp(date(2026, 10, 30), 32.0, team="nlp"),  # last month: in the period, not the month
    ]
    board.import_billing("\n".join(lines).encode(), "gcp", actor=ANA)
    ov = board.figures(last_days("UTC", 30, NOW), "billing", [], False).overview
    t = ov.models
    assert not t.duplicated(["namespace", "model", "team"]).any()
    got = {(r.team, r.model): (r.cost_usd, r.mtd_usd) for r in t.itertuples()}
    assert got == {
        (UNALLOCATED, UNALLOCATED): (1.0, 1.0),
        ("nlp", UNALLOCATED): (34.0, 2.0),
        ("vision", UNALLOCATED): (4.0, 4.0),
        (UNALLOCATED, "a"): (8.0, 8.0),
        ("nlp", "a"): (16.0, 16.0),
    }


# ---------------------------------------------------------------- efficiency and idle cost


def test_efficiency_and_idle_cost_from_usage() -> None:
    table = pd.DataFrame(
        {
            "namespace": ["ml", "ml", ""],
            "model": ["a", "b", "(idle)"],
            "cost_usd": [100.0, 300.0, 50.0],
            "efficiency": [50.0, 20.0, None],
        }
    )
    assert unused_cost(table) == pytest.approx(50.0 + 240.0)
    assert fleet_efficiency(table) == pytest.approx((50 + 60) / 400 * 100)
    assert idle_cost(table) == 50.0
    assert unused_cost(table.drop(columns="efficiency")) == 0.0
    assert fleet_efficiency(table.drop(columns="efficiency")) is None


def test_demo_usage_signal_is_stable_and_plausible() -> None:
    t = pd.DataFrame({"namespace": ["ml"] * 50, "model": [f"m{i}" for i in range(50)]})
    eff = with_demo_usage(t)["efficiency"]
    assert eff.between(20, 90).all() and eff.nunique() > 25
    assert with_demo_usage(t)["efficiency"].tolist() == eff.tolist()


def test_modeled_overview_on_demo_history_knows_usage(engine, registry) -> None:
    rec = registry.create(base_record(name="a", team="nlp"), actor="t", source="cli")
    _board_, svc = _board(engine, [rec])
    assert svc.seed_demo_history([rec], NOW, days=5) > 0
    ov = overview(svc, [rec], last_days("UTC", 7, NOW), heatmap=False)
    assert ov.usage == "demo" and 20 <= ov.models["efficiency"].iloc[0] <= 90
    eff = ov.models["efficiency"].iloc[0] / 100
    assert ov.idle_usd == pytest.approx(ov.total * (1 - eff), rel=1e-3)
    assert ov.labels == {("ml-prod", "a"): {"tier": "critical"}}


# ---------------------------------------------------------------- sums by namespace and label


def test_regroup_by_label_and_namespace() -> None:
    models = pd.DataFrame(
        {
            "namespace": ["ml-prod", "ml-prod", "ml-dev"],
            "model": ["a", "b", "c"],
            "team": ["nlp", "nlp", "vision"],
            "cost_usd": [10.0, 30.0, 5.0],
            "mtd_usd": [1.0, 2.0, 3.0],
            "efficiency": [50.0, 10.0, None],
        }
    )
    labels = {("ml-prod", "a"): {"tier": "critical"}, ("ml-prod", "b"): {"tier": "standard"}}
    by_tier = regroup(models, "label:tier", labels).set_index("tier")
    assert by_tier["cost_usd"].to_dict() == {"standard": 30.0, "critical": 10.0, NO_LABEL: 5.0}
    assert by_tier.loc[NO_LABEL, "models"] == 1
    by_ns = regroup(models, "namespace", labels).set_index("namespace")
    assert by_ns.loc["ml-prod", "cost_usd"] == 40.0 and by_ns.loc["ml-prod", "mtd_usd"] == 3.0
    assert by_ns.loc["ml-prod", "efficiency"] == pytest.approx((5 + 3) / 40 * 100, abs=0.05)
    assert pd.isna(by_ns.loc["ml-dev", "efficiency"])  # usage unknown, not 0 %
    assert group_options(labels) == {
        "model": "Model",
        "namespace": "Namespace",
        "team": "Team",
        "label:tier": "Label tier",
    }
    with pytest.raises(ValueError, match="label:KEY"):
        check_group("label:")


def test_cli_report_by_label_with_the_days_in_csv_and_table(cli_run) -> None:
    from barista_ui.cli import context as cli

    assert cli_run("models", "list").exit_code == 0
    svc = cli.services()
    svc.registry.create(base_record(name="a", team="nlp"), actor="t", source="cli")
    svc.registry.create(
        base_record(name="b", team="nlp", labels={"tier": "standard"}), actor="t", source="cli"
    )
    for name in ("a", "b"):
        svc.cost.record_replicas(
            "ml-prod", name, "nlp", 1, datetime(2026, 10, 3, tzinfo=UTC), "apply", rate=0.1
        )
    args = ("cost", "report", "--from", "2026-10-03", "--to", "2026-10-05", "--by", "label:tier")
    res = cli_run(*args, "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == [
        {
            "first_day": "2026-10-03",
            "last_day": "2026-10-04",
            "tier": tier,
            "models": 1,
            "cost_usd": 4.8,
            "saved_usd": 0.0,
        }
        for tier in ("critical", "standard")
    ]
    res = cli_run(*args, "--format", "csv")
    assert res.stdout.splitlines()[0] == "first_day,last_day,tier,models,cost_usd,saved_usd"
    res = cli_run(*args)
    assert res.stdout.splitlines()[0] == "2026-10-03 – 2026-10-04 (2 days), days in UTC"
    res = cli_run(*args[:-1], "label:")
    assert res.exit_code == 2 and "label:KEY" in res.stderr


# ---------------------------------------------------------------- budget alerts


def test_teams_over_budget_for_the_models_tab(engine, registry) -> None:
    a = registry.create(base_record(name="a", team="nlp"), actor="t", source="cli")
    b = registry.create(base_record(name="b", team="vision"), actor="t", source="cli")
    c = registry.create(base_record(name="c", team="payments"), actor="t", source="cli")
    board, svc = _board(engine, [a, b, c])
    for rec in (a, b, c):
        svc.record_replicas(
            rec.namespace,
            rec.name,
            rec.spec.team,
            1,
            datetime(2026, 11, 1, tzinfo=UTC),
            "apply",
            rate=1.0,
        )
    # 10.5 days at $24 a day so far, $720 by the end of November
    board.set_budget("nlp", 100.0, actor=ANA)  # over budget
    board.set_budget("vision", 500.0, actor=ANA)  # projected over
    board.set_budget("payments", 1000.0, actor=ANA)  # on track
    alerts = board.teams_over_budget()
    assert {t: line.status for t, line in alerts.items()} == {
        "nlp": "over budget",
        "vision": "projected over",
    }
    assert alerts["nlp"].describe() == ("nlp is over budget: $252.00 month to date of $100.00")
    assert "projected over budget: $720.00 by month end of $500.00" in alerts["vision"].describe()
    board.set_budget("vision", None, actor=ANA)  # no budget: never an alert
    assert set(board.teams_over_budget()) == {"nlp"}


# ---------------------------------------------------------------- heatmap (defect 9)


def _rgb(c: str) -> tuple[int, int, int]:
    c = c.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _colour_at(scale: list, pos: float) -> tuple[float, ...]:
    """The colour Plotly interpolates at ``pos`` (0..1) of a colour scale."""
    for (p0, c0), (p1, c1) in zip(scale, scale[1:], strict=False):
        if p0 <= pos <= p1:
            f = 0 if p1 == p0 else (pos - p0) / (p1 - p0)
            return tuple(a + (b - a) * f for a, b in zip(_rgb(c0), _rgb(c1), strict=True))
    return _rgb(scale[-1][1])


def _shown(fig, value: float) -> tuple[float, ...]:
    """The colour a heatmap figure gives ``value`` (Plotly's auto range: the data's min/max)."""
    trace = fig.data[0]
    z = [v for row in trace.z for v in row]
    lo = trace.zmin if trace.zmin is not None else min(z)
    hi = trace.zmax if trace.zmax is not None else max(z)
    return _colour_at([list(s) for s in trace.colorscale], (value - lo) / (hi - lo))


def _visible(colour: tuple[float, ...]) -> bool:
    """Clearly apart from the white plot background: 60 of 255 on some channel."""
    return max(255 - c for c in colour) >= 60


def test_heatmap_lowest_values_stand_out_from_the_background_with_a_legend() -> None:
    from components.cost.charts import heatmap

    span = "2026-10-13 – 2026-11-11 (30 days)"
    grid = pd.DataFrame(60.0, index=range(7), columns=range(24))
    grid.loc[6, :] = 48.0  # a quiet Sunday: the lowest values, not zero
    fig = heatmap(grid, span)
    assert _visible(_shown(fig, 48.0))
    trace = fig.data[0]
    assert trace.showscale is not False and "replicas" in trace.colorbar.title.text
    assert "30 days" in fig.layout.title.subtitle.text
    grid.loc[0, 3], grid.loc[0, 4] = 0.0, 0.5  # nothing at all, and very little
    fig = heatmap(grid, span)
    assert _visible(_shown(fig, 0.5)) and _shown(fig, 0.0) != _shown(fig, 0.5)


# ---------------------------------------------------------------- the date range on exports


def test_model_table_csv_carries_its_days(engine, registry) -> None:
    from components.cost.tables import csv_text, table_data

    rec = registry.create(base_record(name="a", team="nlp"), actor="t", source="cli")
    _b, svc = _board(engine, [rec])
    svc.record_replicas(
        "ml-prod", "a", "nlp", 1, datetime(2026, 11, 1, tzinfo=UTC), "apply", rate=1.0
    )
    ov = overview(svc, [rec], last_days("UTC", 7, NOW), heatmap=False)
    data, cols = table_data(ov, "label:tier")
    text = csv_text(data, [k for k, _ in cols], ov)
    head, row = text.splitlines()[:2]
    assert head.startswith("first_day,last_day,source,tier,models,")
    assert row.startswith("2026-11-05,2026-11-11,modeled,critical,1,")
