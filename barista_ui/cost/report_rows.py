"""The rows of a cost report over a period, from one of four sources: ``modeled`` (replica
history), ``billing`` (imported exports), ``opencost`` and ``compare`` (modeled vs billed).
The one home of the report's rules, for ``barista cost report`` and ``GET /api/v1/cost/report``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd

from barista_ui.cost.coverage import coverage, describe_range, per_team
from barista_ui.cost.grouping import Labels, attach_namespaces, group_column, regroup
from barista_ui.cost.opencost import OpenCostClient, OpenCostError
from barista_ui.cost.service import CostService
from barista_ui.schedule.language import zone

SOURCES = ("modeled", "billing", "opencost", "compare")
GROUPS = ("model", "team", "namespace", "day")


class ReportError(ValueError):
    """A report that cannot be made; ``usage``: the options ask for something impossible."""

    def __init__(self, message: str, usage: bool = True):
        self.usage = usage
        super().__init__(message)


def period(tz_name: str, from_: str, to: str) -> tuple[datetime, datetime]:
    """[from, to) as instants, days cut in ``tz_name``."""
    tz = zone(tz_name)
    try:
        start = datetime.combine(date.fromisoformat(from_), time(0), tz)
        end = datetime.combine(date.fromisoformat(to), time(0), tz)
    except ValueError as exc:
        raise ReportError(f"--from/--to must be dates as YYYY-MM-DD: {exc}") from None
    if end <= start:
        raise ReportError("--to must be after --from (--from is included, --to excluded)")
    return start, end


def billing_rows(cost: CostService, start: datetime, end: datetime, by: str) -> list[dict]:
    if by == "namespace":
        raise ReportError(
            "billing exports carry team and model tags, not namespaces: use --by team, model or day"
        )
    keys = {"model": ["team", "model"], "team": ["team"], "day": ["day"]}[by]
    df = cost.billed(start, end, keys)
    return [
        {**{k: str(r[k]) for k in keys}, "cost_usd": round(float(r["billed_usd"]), 4)}
        for r in df.to_dict("records")
    ]


def compare_frame(cost: CostService, start: datetime, end: datetime, by: str) -> pd.DataFrame:
    """Modeled vs billed per day and team (read once for the rows and the coverage line)."""
    if by not in ("team", "day"):
        raise ReportError("--source compare is per team (--by team) or per day and team (--by day)")
    return cost.modeled_vs_billed(start, end)


def compare_rows(df: pd.DataFrame, by: str) -> list[dict]:
    """Per team over the days billing data covers, or per day and team (``billed_day``: whether
    billing data covers the day; the ratio only where it does)."""
    if by == "team":
        df = per_team(df)
    rows = []
    for r in df.to_dict("records"):
        row: dict[str, Any] = {"day": str(r["day"])} if by == "day" else {}
        row.update(
            team=r["team"],
            modeled_usd=round(float(r["modeled_usd"]), 4),
            billed_usd=round(float(r["billed_usd"]), 4),
            ratio=round(r["ratio"], 4) if r["ratio"] is not None else None,
        )
        if by == "day":
            row["billed_day"] = bool(r["covered"])
        rows.append(row)
    return rows


def coverage_line(compare: pd.DataFrame) -> str:
    """Which days billing data covers in the period, and billed ÷ modeled over those only."""
    c = coverage(compare)
    ratio = f", billed / modeled {c.ratio:.3g}" if c.ratio is not None else ""
    return (
        f"over the days billing data covers, {c.describe()}: modeled ${c.modeled:,.2f}, "
        f"billed ${c.billed:,.2f}{ratio}"
    )


def days_line(start: datetime, end: datetime, tz: str) -> str:
    """``2026-10-28 – 2026-11-26 (30 days), days in Europe/Berlin``."""
    return f"{describe_range(start.date(), (end - timedelta(days=1)).date())}, days in {tz}"


def with_days(rows: list[dict], start: datetime, end: datetime) -> list[dict]:
    """Each row with the days it covers (both included), for JSON and CSV."""
    first, last = str(start.date()), str((end - timedelta(days=1)).date())
    return [{"first_day": first, "last_day": last, **r} for r in rows]


def label_rows(
    cost: CostService, labels: Labels, start: datetime, end: datetime, by: str, source: str
) -> list[dict]:
    """Modeled or billed cost summed by a label of the models' records (``label:KEY``)."""
    if source == "modeled":
        t = cost.totals(start, end, ["namespace", "model", "team"])
    elif source == "billing":
        t = cost.billed(start, end, ["team", "model"]).rename(columns={"billed_usd": "cost_usd"})
        t = attach_namespaces(t, labels)
    else:
        raise ReportError(f"--by {by} works with --source modeled or billing")
    g = regroup(t, by, labels)
    col = group_column(by)
    money = [c for c in ("cost_usd", "saved_usd") if c in g]
    return [
        {col: r[col], "models": int(r["models"]), **{c: round(float(r[c]), 4) for c in money}}
        for r in g.to_dict("records")
    ]


def opencost_rows(
    client: OpenCostClient | None, tz: str, start: datetime, end: datetime, by: str
) -> list[dict]:
    if client is None:
        raise ReportError("--source opencost needs BARISTA_OPENCOST_URL")
    if by not in ("model", "day"):
        raise ReportError("OpenCost is asked per model label: use --by model or day")
    try:
        df = client.daily(start, end, tz)
    except OpenCostError as exc:
        raise ReportError(str(exc), usage=False) from None
    key = "model" if by == "model" else "day"
    g = df.groupby(key, as_index=False)["cost_usd"].sum().sort_values(key)
    return [
        {key: str(r[key]), "cost_usd": round(float(r["cost_usd"]), 4)} for r in g.to_dict("records")
    ]


def report_rows(
    cost: CostService,
    opencost: OpenCostClient | None,
    start: datetime,
    end: datetime,
    by: str,
    source: str,
    labels: Callable[[], Labels] = dict,
) -> list[dict]:
    """``labels``: each model's labels by (namespace, name), read only for ``label:KEY``."""
    check_options(by, source)
    if by.startswith("label:"):
        return label_rows(cost, labels(), start, end, by, source)
    if source == "modeled":
        return cost.report(start, end, by)
    if source == "billing":
        return billing_rows(cost, start, end, by)
    if source == "compare":
        return compare_rows(compare_frame(cost, start, end, by), by)
    return opencost_rows(opencost, cost.tz, start, end, by)


def check_options(by: str, source: str) -> None:
    if by not in GROUPS and not (by.startswith("label:") and by[6:].strip()):
        raise ReportError("--by must be model, team, namespace, day or label:KEY (e.g. label:tier)")
    if source not in SOURCES:
        raise ReportError(f"--source must be one of {', '.join(SOURCES)}")


def report_body(
    cost: CostService,
    opencost: OpenCostClient | None,
    start: datetime,
    end: datetime,
    by: str,
    source: str,
    labels: Callable[[], Labels] = dict,
) -> dict[str, Any]:
    """The report as ``GET /api/v1/cost/report`` answers it and ``barista cost report`` prints
    it: the period's days, the rows (each with its days) and, for compare, the days billing
    covers (the modeled-vs-billed frame read once for both)."""
    check_options(by, source)
    coverage = None
    if source == "compare" and not by.startswith("label:"):
        frame = compare_frame(cost, start, end, by)
        rows, coverage = compare_rows(frame, by), coverage_line(frame)
    else:
        rows = report_rows(cost, opencost, start, end, by, source, labels)
    return {
        "days": days_line(start, end, cost.tz),
        "coverage": coverage,
        "rows": with_days(rows, start, end),
    }
