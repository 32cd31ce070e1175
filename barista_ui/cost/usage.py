"""Usage against requests, as Kubecost reads cost: efficiency per model and idle cost.

- Efficiency = used / requested (CPU and memory, cost-weighted), known from OpenCost's
  allocations, or in the demo from its usage signal (``demo_history.demo_efficiency``).
- Idle cost: with OpenCost, its ``__idle__`` allocation (capacity of the nodes nobody
  requested); with the demo's usage signal, the requested-but-unused share of each model's cost
  (cost x (1 - efficiency)). Pure functions of frames.
"""

from __future__ import annotations

import pandas as pd

from barista_ui.cost.demo_history import demo_efficiency

IDLE = "(idle)"
IDLE_NOTES = {
    "opencost": "OpenCost's idle allocation: node capacity no pod requested",
    "demo": "requested but unused (cost x (1 - efficiency)), from the demo's usage signal",
}


def with_demo_usage(table: pd.DataFrame) -> pd.DataFrame:
    """The model table with an ``efficiency`` column (percent) from the demo's usage signal."""
    t = table.copy()
    t["efficiency"] = [
        round(demo_efficiency(ns, m) * 100, 1)
        for ns, m in zip(t["namespace"], t["model"], strict=True)
    ]
    return t


def unused_cost(table: pd.DataFrame) -> float:
    """What the requests nobody used cost: sum of cost x (1 - efficiency) over models with a
    known efficiency."""
    if table.empty or "efficiency" not in table:
        return 0.0
    eff = pd.to_numeric(table["efficiency"], errors="coerce")
    known = eff.notna()
    return float((table["cost_usd"][known] * (1 - eff[known] / 100)).sum())


def fleet_efficiency(table: pd.DataFrame) -> float | None:
    """Cost-weighted efficiency (percent) of the models with a known efficiency."""
    if table.empty or "efficiency" not in table:
        return None
    eff = pd.to_numeric(table["efficiency"], errors="coerce")
    known = eff.notna() & (table["model"] != IDLE)
    cost = table["cost_usd"][known]
    if cost.sum() <= 0:
        return None
    return float((cost * eff[known]).sum() / cost.sum())


def idle_cost(by_model: pd.DataFrame) -> float:
    """OpenCost's idle allocation in a frame of (model, cost_usd) rows."""
    if by_model.empty:
        return 0.0
    return float(by_model.loc[by_model["model"] == IDLE, "cost_usd"].sum())
