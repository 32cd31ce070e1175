"""The rows of a cost report over a period, from one of four sources: ``modeled`` (replica
history), ``billing`` (imported exports), ``opencost`` and ``compare`` (modeled vs billed).
The one home of the report's rules, for ``barista cost report`` and ``GET /api/v1/cost/report``."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

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


def compare_rows(cost: CostService, start: datetime, end: datetime, by: str) -> list[dict]:
    if by not in ("team", "day"):
        raise ReportError("--source compare is per team (--by team) or per day and team (--by day)")
    df = cost.modeled_vs_billed(start, end)
    if by == "team":
        df = df.groupby("team", as_index=False)[["modeled_usd", "billed_usd"]].sum()
    rows = []
    for r in df.to_dict("records"):
        m, b = float(r["modeled_usd"]), float(r["billed_usd"])
        row: dict[str, Any] = {"day": str(r["day"])} if by == "day" else {}
        row.update(
            team=r["team"],
            modeled_usd=round(m, 4),
            billed_usd=round(b, 4),
            ratio=round(b / m, 4) if m > 0 else None,
        )
        rows.append(row)
    return rows


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
) -> list[dict]:
    if by not in GROUPS:
        raise ReportError("--by must be model, team, namespace or day")
    if source == "modeled":
        return cost.report(start, end, by)
    if source == "billing":
        return billing_rows(cost, start, end, by)
    if source == "compare":
        return compare_rows(cost, start, end, by)
    if source == "opencost":
        return opencost_rows(opencost, cost.tz, start, end, by)
    raise ReportError(f"--source must be one of {', '.join(SOURCES)}")
