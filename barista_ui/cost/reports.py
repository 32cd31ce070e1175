"""Cost sums over a period: the rolled-up days summed by the database plus the raw edges
(today, a mid-day start) computed from segments; and the rows ``barista cost report`` prints.

``combine_totals`` and ``report_rows`` are pure; ``rolled_totals`` is one query.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import text

from barista_ui.cost.coverage import mark_covered
from barista_ui.cost.queries import SessionFactory, query_frame
from barista_ui.cost.rollups import DayRange

SUMS = ["hours", "replica_hours", "cost_usd", "would_have_usd", "saved_usd"]
KEYS = ("day", "namespace", "model", "team")


def check_keys(keys: list[str]) -> None:
    bad = [k for k in keys if k not in KEYS]
    if bad:
        raise ValueError(f"unknown grouping {bad}; allowed: {', '.join(KEYS)}")


BY_MODEL = ("namespace", "model")


def by_model_order(keys: list[str]) -> list[str]:
    """``keys`` reordered so that sums by model follow ``ix_cost_daily_model`` (namespace,
    model, team) and sums by day that of ``ix_cost_daily_day_team`` (day, team)."""
    if any(k in keys for k in BY_MODEL) and "day" not in keys:
        order = ["namespace", "model", "team"]
    else:
        order = ["day", "team", "namespace", "model"]
    return [k for k in order if k in keys]


def totals_query(
    keys: list[str], teams: list[str] | None, tz: str, days: DayRange, *, scan_model: bool = False
) -> tuple[Any, dict[str, Any]]:
    """The SQL summing ``cost_daily`` over the local days [first, last) by ``keys``.

    ``scan_model`` (SQLite): sums by model read the model index in its order, days filtered
    on the way (``+day`` keeps SQLite from seeking by day and sorting every row it finds;
    worth it when the period is a good share of the rolled-up history)."""
    keys = by_model_order(keys)
    sel = ", ".join(f'"{k}"' for k in keys)
    sums = ", ".join(f'SUM("{c}") AS "{c}"' for c in SUMS)
    day = "+day" if scan_model and any(k in keys for k in BY_MODEL) and "day" not in keys else "day"
    where = f"tz = :tz AND {day} >= :first AND {day} < :last"
    params: dict[str, Any] = {"tz": tz, "first": days[0], "last": days[1]}
    if teams is not None:
        names = [f":team{i}" for i in range(len(teams))]
        where += f" AND team IN ({', '.join(names) or 'NULL'})"
        params.update({n[1:]: t for n, t in zip(names, teams, strict=True)})
    group = f" GROUP BY {sel}" if keys else ""
    query = text(f"SELECT {sel + ', ' if keys else ''}{sums} FROM cost_daily WHERE {where}{group}")
    return query, params


def rolled_totals(
    new_session: SessionFactory,
    tz: str,
    keys: list[str],
    teams: list[str] | None,
    days: DayRange,
    *,
    scan_model: bool = False,
) -> pd.DataFrame:
    """Sums of the rolled-up days, grouped by ``keys`` in the database (a month of 2,000
    models is a few thousand rows, not sixty thousand)."""
    query = totals_query(keys, teams, tz, days, scan_model=scan_model)
    rolled = query_frame(new_session, *query)
    rolled = rolled.dropna(subset=["cost_usd"])
    if "day" in rolled:
        rolled["day"] = pd.to_datetime(rolled["day"]).dt.date
    return rolled


def combine_totals(
    rolled: pd.DataFrame | None,
    raw_daily: list[pd.DataFrame],
    keys: list[str],
    teams: list[str] | None,
) -> pd.DataFrame:
    """The rolled-up sums and the daily figures of the raw edges, summed by ``keys``."""
    parts = [] if rolled is None else [rolled]
    for d in raw_daily:
        if teams is not None:
            d = d[d["team"].isin(teams)]
        parts.append(d[[*keys, *SUMS]])
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=[*keys, *SUMS])
    both = pd.concat(parts, ignore_index=True)
    if not keys:
        return both[SUMS].sum().to_frame().T
    return both.groupby(keys, as_index=False)[SUMS].sum().sort_values(keys)


def concat_parts(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Non-empty frames one after the other (an empty frame of ``columns`` if none)."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)


def report_rows(totals: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    """Rows of ``barista cost report``: the keys, cost and saved (rounded to 1/100 cent)."""
    rows = []
    for rec in totals[[*keys, "cost_usd", "saved_usd"]].to_dict("records"):
        if "day" in rec:
            rec["day"] = str(rec["day"])
        rec["cost_usd"] = round(float(rec["cost_usd"]), 4)
        rec["saved_usd"] = round(float(rec["saved_usd"]), 4)
        rows.append(rec)
    return rows


def modeled_vs_billed(modeled: pd.DataFrame, billed: pd.DataFrame) -> pd.DataFrame:
    """Per team and day: modeled cost, billed cost, whether billing data covers the day (any
    team billed that day) and billed / modeled on covered days, from the modeled totals by
    (day, team) and the billed sums by (day, team)."""
    modeled = modeled[["day", "team", "cost_usd"]]
    both = modeled.merge(billed, on=["day", "team"], how="outer").fillna(0.0)
    both = both.rename(columns={"cost_usd": "modeled_usd"})
    both = mark_covered(both, billed)
    return both.sort_values(["day", "team"]).reset_index(drop=True)
