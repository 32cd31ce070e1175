"""Cost per model summed by another key: team, namespace or any record label (``label:KEY``),
as Kubecost aggregates allocations. Pure functions of frames and the records' labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

ModelKey = tuple[str, str]  # (namespace, model)
Labels = Mapping[ModelKey, Mapping[str, str]]
NO_LABEL = "(no label)"
PLAIN = ("model", "team", "namespace")
SUMMED = ("cost_usd", "saved_usd", "per_day", "mtd_usd", "saved_mtd_usd", "replica_hours")


def check_group(by: str) -> str:
    """``by`` if it is model, team, namespace or ``label:KEY`` (ValueError saying what is)."""
    if by in PLAIN or (by.startswith("label:") and by[len("label:") :].strip()):
        return by
    raise ValueError(f"group by '{by}': use model, team, namespace or label:KEY (e.g. label:tier)")


def label_key(by: str) -> str | None:
    return by[len("label:") :].strip() if by.startswith("label:") else None


def label_keys(labels: Labels) -> list[str]:
    """Every label key some model carries, sorted."""
    return sorted({k for values in labels.values() for k in values})


def group_options(labels: Labels) -> dict[str, str]:
    """The choices of a "group by" control: model, namespace, team and each label key."""
    options = {"model": "Model", "namespace": "Namespace", "team": "Team"}
    options.update({f"label:{k}": f"Label {k}" for k in label_keys(labels)})
    return options


def label_values(keys: Iterable[ModelKey], labels: Labels, key: str) -> list[str]:
    """The value of label ``key`` for each model (``(no label)`` where it has none)."""
    return [str(labels.get(k, {}).get(key) or NO_LABEL) for k in keys]


def group_column(by: str) -> str:
    """The name of the group column in a grouped table."""
    return label_key(by) or by


def regroup(table: pd.DataFrame, by: str, labels: Labels) -> pd.DataFrame:
    """A table with one row per model (namespace, model and the sums) summed by ``by``:
    one row per group with its number of models, the summed money columns and, where the
    table has an ``efficiency`` column, the cost-weighted efficiency (percent)."""
    check_group(by)
    col = group_column(by)
    sums = [c for c in SUMMED if c in table]
    out_cols = [col, "models", *sums, *(["efficiency"] if "efficiency" in table else [])]
    if table.empty:
        return pd.DataFrame(columns=out_cols)
    t = table.copy()
    key = label_key(by)
    if key is not None:
        t[col] = label_values(zip(t["namespace"], t["model"], strict=True), labels, key)
    agg: dict = {"models": ("model", "nunique"), **{c: (c, "sum") for c in sums}}
    if "efficiency" in t:
        eff = pd.to_numeric(t["efficiency"], errors="coerce")
        t["_used"] = t["cost_usd"] * eff / 100
        t["_known"] = t["cost_usd"].where(eff.notna(), 0.0)
        agg.update(_used=("_used", "sum"), _known=("_known", "sum"))
    g = t.groupby(col, as_index=False).agg(**agg)
    if "efficiency" in t:
        g["efficiency"] = (g["_used"] / g["_known"].where(g["_known"] > 0) * 100).round(1)
    for c in sums:
        g[c] = g[c].round(2)
    return g[out_cols].sort_values("cost_usd", ascending=False).reset_index(drop=True)


def attach_namespaces(table: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """Rows named by model only (billing tags) with the namespace of the record of that name
    ("" for names no record has)."""
    ns_of = {name: ns for (ns, name) in labels}
    return table.assign(namespace=[ns_of.get(m, "") for m in table["model"]])
