"""What the Cost tab and a model's panel show, computed from the services for an explicit
period and ``now`` (no UI here, so it is tested without a browser).

Sources: ``modeled`` (replica history x prices, with savings), ``billing`` (imported exports)
and ``opencost`` (its /allocation API). Every source yields cost per day and team; the model
table and the month-to-date-versus-budget figures are built the same way for all three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from barista_ui.cost.billing_imports import UNALLOCATED
from barista_ui.cost.model import weekday_hour_grid
from barista_ui.cost.opencost import OpenCostClient, OpenCostError
from barista_ui.cost.periods import (
    MAX_CUSTOM_DAYS,
    Period,
    chosen_period,
    last_days,
    local_period,
    month_start,
)
from barista_ui.cost.rates import PricingError
from barista_ui.cost.service import CostService
from barista_ui.cost.usage import IDLE, idle_cost, unused_cost, with_demo_usage

# (spec, at) -> the share of a week the spec's schedule keeps it up (the scheduler's rule)
UpFraction = Callable[[Any, datetime], float]
SOURCES = ("modeled", "billing", "opencost")
__all__ = [
    "MAX_CUSTOM_DAYS",
    "Overview",
    "Period",
    "chosen_period",
    "last_days",
    "local_period",
    "month_start",
    "overview",
]


@dataclass
class Overview:
    source: str
    period: Period
    by_day_team: pd.DataFrame  # day, team, cost_usd
    models: pd.DataFrame  # namespace, model, team, gpu, avg_replicas, per_day, cost_usd, ...
    savings: pd.DataFrame | None = None  # day, cost_usd, would_have_usd, saved_usd (modeled)
    by_day_model: pd.DataFrame | None = None  # day, model, cost_usd (stack by model)
    compare: pd.DataFrame | None = None  # day, team, modeled_usd, billed_usd, ratio
    heatmap: pd.DataFrame | None = None  # 7 x 24 average running replicas
    month: pd.DataFrame | None = None  # day, team, cost_usd for this month so far
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    teams: list[str] | None = None  # the filter the figures were computed with
    usage: str | None = None  # where efficiency comes from: "opencost", "demo" or unknown
    idle_usd: float | None = None  # idle cost (see ``usage``), when usage is known
    labels: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return float(self.by_day_team["cost_usd"].sum()) if not self.by_day_team.empty else 0.0

    @property
    def saved(self) -> float:
        if self.savings is None or self.savings.empty:
            return 0.0
        return float(self.savings["saved_usd"].sum())


def _records_by_key(records: list[Any]) -> dict[tuple[str, str], Any]:
    return {(r.namespace, r.name): r for r in records}


def _team_filter(df: pd.DataFrame, teams: list[str] | None) -> pd.DataFrame:
    return df if not teams or df.empty else df[df["team"].isin(teams)]


def overview(*args: Any, teams: list[str] | None = None, **kwargs: Any) -> Overview:
    """What the Cost tab shows for a period, source and team filter (see ``_overview``)."""
    ov = _overview(*args, teams=teams, **kwargs)
    ov.teams = teams or None
    return ov


def _overview(
    cost: CostService,
    records: list[Any],
    period: Period,
    *,
    source: str = "modeled",
    teams: list[str] | None = None,
    stack_by_model: bool = False,
    opencost: Any | None = None,
    heatmap: bool = True,
) -> Overview:
    if source not in SOURCES:
        raise ValueError(f"source '{source}': use one of {', '.join(SOURCES)}")
    by_key = _records_by_key(records)
    if source == "modeled":
        ov = _modeled(cost, by_key, period, teams or None, stack_by_model, heatmap)
    elif source == "billing":
        ov = _billed(cost, by_key, period, teams or None)
    else:
        ov = _from_opencost(cost, by_key, period, teams or None, opencost)
    ov.labels = {key: dict(r.spec.labels) for key, r in by_key.items()}  # for sums by label
    return ov


def _modeled(
    cost: CostService,
    records: dict[tuple[str, str], Any],
    period: Period,
    teams: list[str] | None,
    stack_by_model: bool,
    heatmap: bool,
) -> Overview:
    """Replica history x prices: cost, savings, the heatmap and, with billing, the comparison."""
    mtd_lo = month_start(cost.tz, period.now)
    # one scope: every sum below shares the raw stretches (today) it reads from segments;
    # one (day, team) query serves the daily chart, the savings per day and, when the period
    # reaches back to the 1st, the month to date
    scope = cost.scope(period.now)
    covers_month = period.start <= mtd_lo and period.end >= period.now
    day_team = scope.totals(period.start, period.end, ["day", "team"], teams)
    per_model = scope.totals(period.start, period.end, ["namespace", "model", "team"], teams)
    mtd = scope.totals(mtd_lo, period.now, ["namespace", "model"], teams)
    sums = ["cost_usd", "would_have_usd", "saved_usd"]
    ov = Overview(
        "modeled",
        period,
        day_team[["day", "team", "cost_usd"]],
        _model_table(per_model, mtd, records, period),
        savings=day_team.groupby("day", as_index=False)[sums].sum()
        if not day_team.empty
        else pd.DataFrame(columns=["day", *sums]),
    )
    ov.month = (
        day_team[day_team["day"] >= mtd_lo.date()][["day", "team", "cost_usd"]]
        if covers_month
        else scope.totals(mtd_lo, period.now, ["day", "team"], teams)[["day", "team", "cost_usd"]]
    )
    if stack_by_model:
        by_model = scope.totals(period.start, period.end, ["day", "model"], teams)
        ov.by_day_model = by_model[["day", "model", "cost_usd"]]
    if heatmap:
        hourly = scope.hourly(period.start, period.end)
        ov.heatmap = weekday_hour_grid(_team_filter(hourly, teams))
    if cost.has_billing():
        ov.compare = _team_filter(cost.modeled_vs_billed(period.start, period.end), teams)
    if cost.has_demo_history():
        ov.models = with_demo_usage(ov.models)
        ov.usage, ov.idle_usd = "demo", unused_cost(ov.models)
    return ov


def _billed(
    cost: CostService, records: dict[tuple[str, str], Any], period: Period, teams: list[str] | None
) -> Overview:
    """Imported billing exports; namespaces looked up from the model names."""
    ns_of = {name: ns for (ns, name) in records}
    keys = ["day", "team", "model"]
    billed = _team_filter(cost.billed(period.start, period.end, keys), teams)
    billed = billed.rename(columns={"billed_usd": "cost_usd"})
    month = _team_filter(cost.billed(month_start(cost.tz, period.now), period.now, keys), teams)
    month = month.rename(columns={"billed_usd": "cost_usd"})
    per_model = billed.groupby(["team", "model"], as_index=False)["cost_usd"].sum()
    per_model["namespace"] = [ns_of.get(m, "") for m in per_model["model"]]
    # a model tag without a team, or a team without a model tag: several "(unallocated)"
    # rows, one per team; month to date is matched per team too
    mtd = month.groupby(["team", "model"], as_index=False)["cost_usd"].sum()
    mtd["namespace"] = [ns_of.get(m, "") for m in mtd["model"]]
    ov = Overview(
        "billing",
        period,
        billed.groupby(["day", "team"], as_index=False)["cost_usd"].sum(),
        _model_table(per_model, mtd, records, period),
        by_day_model=billed.groupby(["day", "model"], as_index=False)["cost_usd"].sum(),
        compare=_team_filter(cost.modeled_vs_billed(period.start, period.end), teams),
    )
    ov.month = month.groupby(["day", "team"], as_index=False)["cost_usd"].sum()
    if billed.empty:
        ov.notes.append("No billing rows in this period: import an export first.")
    return ov


def _from_opencost(
    cost: CostService,
    records: dict[tuple[str, str], Any],
    period: Period,
    teams: list[str] | None,
    opencost: OpenCostClient | None,
) -> Overview:
    """OpenCost's allocation per model label; teams and namespaces from the records."""
    empty = pd.DataFrame(columns=["day", "team", "cost_usd"])
    if opencost is None:
        return Overview(
            "opencost", period, empty, pd.DataFrame(), error="BARISTA_OPENCOST_URL is not set"
        )
    try:
        df = opencost.daily(period.start, period.end, cost.tz)
    except OpenCostError as exc:
        return Overview("opencost", period, empty, pd.DataFrame(), error=str(exc))
    team_of = {name: r.spec.team for (_ns, name), r in records.items()}
    ns_of = {name: ns for (ns, name) in records}
    df["team"] = [team_of.get(m, IDLE if m == IDLE else UNALLOCATED) for m in df["model"]]
    df["namespace"] = [ns_of.get(m, "") for m in df["model"]]
    df = _team_filter(df, teams)
    first_day = month_start(cost.tz, period.now).date()
    by_day_team = df.groupby(["day", "team"], as_index=False)["cost_usd"].sum()
    ov = Overview(
        "opencost",
        period,
        by_day_team,
        _efficiency_table(df, first_day, records, period),
        by_day_model=df.groupby(["day", "model"], as_index=False)["cost_usd"].sum(),
    )
    ov.usage, ov.idle_usd = "opencost", idle_cost(df)
    if period.start <= month_start(cost.tz, period.now):
        ov.month = by_day_team[by_day_team["day"] >= first_day]
    else:
        ov.notes.append("Month to date needs a range that covers the whole month.")
    return ov


EFFICIENCIES = ("cpu_efficiency", "ram_efficiency", "total_efficiency")


def _efficiency_table(
    df: pd.DataFrame, first_day: date, records: dict, period: Period
) -> pd.DataFrame:
    """The model table of OpenCost rows, with its mean efficiencies in percent."""
    per_model = df.groupby(["namespace", "model", "team"], as_index=False).agg(
        cost_usd=("cost_usd", "sum"), **{col: (col, "mean") for col in EFFICIENCIES}
    )
    mtd = (
        df[df["day"] >= first_day].groupby(["namespace", "model"], as_index=False)["cost_usd"].sum()
    )
    table = _model_table(per_model, mtd, records, period)
    for col in EFFICIENCIES:
        table[col] = (
            (per_model.set_index(["namespace", "model"])[col] * 100)
            .round(1)
            .reindex(pd.MultiIndex.from_frame(table[["namespace", "model"]]))
            .to_numpy()
        )
    # idle capacity has no requests to be efficient about: unknown, not 0 %
    table["efficiency"] = table["total_efficiency"].where(table["model"] != IDLE)
    return table


MODEL_COLUMNS = [
    "namespace",
    "model",
    "team",
    "gpu",
    "avg_replicas",
    "per_day",
    "cost_usd",
    "mtd_usd",
    "saved_mtd_usd",
]


def _model_table(
    per_model: pd.DataFrame, mtd: pd.DataFrame, records: dict, period: Period
) -> pd.DataFrame:
    if per_model.empty:
        return pd.DataFrame(columns=MODEL_COLUMNS)
    t = per_model.copy()
    keys = list(zip(t["namespace"], t["model"], strict=True))
    t["gpu"] = [(records[k].spec.resources.gpu.type or "") if k in records else "" for k in keys]
    hours = period.days * 24
    t["avg_replicas"] = (
        (t["replica_hours"] / hours).round(2) if "replica_hours" in t else float("nan")
    )
    t["per_day"] = (t["cost_usd"] / period.days).round(2)
    m = mtd.rename(columns={"cost_usd": "mtd_usd", "saved_usd": "saved_mtd_usd"})
    on = ["namespace", "model", *(["team"] if "team" in m else [])]
    m = m[[c for c in (*on, "mtd_usd", "saved_mtd_usd") if c in m]]
    t = t.merge(m, on=on, how="left") if not m.empty else t
    for col in ("mtd_usd", "saved_mtd_usd"):
        t[col] = t[col].fillna(0.0).round(2) if col in t else 0.0
    t["cost_usd"] = t["cost_usd"].round(2)
    return t[MODEL_COLUMNS].sort_values("cost_usd", ascending=False).reset_index(drop=True)


def projected_savings(rate: float, replicas: int, up_fraction: float, days: float = 7.0) -> float:
    """What a schedule saves over ``days``: the replica-hours it keeps down, at today's rate."""
    return rate * replicas * 24 * days * (1.0 - up_fraction)


def model_cost_line(cost: CostService, record: Any, now: datetime, up_fraction: float) -> dict:
    """The figures of a model's panel: rate, last 7 days, month to date, saved, projection."""
    week = last_days(cost.tz, 7, now)
    key = (record.namespace, record.name)

    def one(start: datetime, end: datetime) -> tuple[float, float]:
        t = cost.totals(start, end, ["namespace", "model"], [record.spec.team])
        t = t[(t["namespace"] == key[0]) & (t["model"] == key[1])]
        return (float(t["cost_usd"].sum()), float(t["saved_usd"].sum())) if not t.empty else (0, 0)

    rate = cost.rate_for(record.spec)  # PricingError: the panel says the cost is unknown
    week_cost, _ = one(week.start, week.end)
    mtd, saved = one(month_start(cost.tz, now), now)
    replicas = record.spec.replicas if record.spec.enabled else 0
    return {
        "rate": rate,
        "week": week_cost,
        "per_day": week_cost / week.days,
        "mtd": mtd,
        "saved_mtd": saved,
        "monthly": rate * replicas * 730 * up_fraction,
        "projected_7d_savings": projected_savings(rate, replicas, up_fraction),
        "up_fraction": up_fraction,
    }


def fleet_projected_savings(
    cost: CostService,
    records: list[Any],
    up_fraction: UpFraction,
    now: datetime,
    teams: list[str] | None = None,
) -> float:
    """What schedules save over the next 7 days across the enabled ``records`` (optionally
    some teams), at today's replicas and prices. One week evaluation per distinct schedule."""
    cache: dict[tuple[str, str | None], float] = {}
    total = 0.0
    for rec in records:
        spec = rec.spec
        if not spec.enabled or (teams and spec.team not in teams):
            continue
        sig = (spec.team, spec.schedule.model_dump_json() if spec.schedule else None)
        if sig not in cache:
            cache[sig] = up_fraction(spec, now)
        if cache[sig] >= 0.999:
            continue
        try:
            total += projected_savings(cost.rate_for(spec), spec.replicas, cache[sig])
        except PricingError:
            continue
    return total
