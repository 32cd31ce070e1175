"""The Cost tab's tables: modeled against billed per team, and cost per model (sorted and
paged on the server: 2,000 models would otherwise all travel to the browser)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from nicegui import ui

from barista_ui.cost.csv_safe import write_csv
from barista_ui.cost.overview import Overview

TWO_UP = "repeat(auto-fit, minmax(min(520px, 100%), 1fr))"
PAGE_ROWS = 15
COMPARE_COLUMNS = (
    ("team", "Team"),
    ("modeled", "Modeled $"),
    ("billed", "Billed $"),
    ("ratio", "Billed / modeled"),
)
MODEL_COLUMNS = [
    ("model", "Model"),
    ("team", "Team"),
    ("namespace", "Namespace"),
    ("gpu", "GPU"),
    ("avg_replicas", "Avg replicas"),
    ("per_day", "$/day"),
    ("cost_usd", "Period $"),
    ("mtd_usd", "Month to date $"),
]


def _columns(cols: Any, sortable: bool = True) -> list[dict[str, Any]]:
    return [
        {"name": k, "label": lab, "field": k, "sortable": sortable, "align": "left"}
        for k, lab in cols
    ]


def compare_table(c: pd.DataFrame, chart: dict[str, Any]) -> None:
    """Modeled against billed: per day in a chart (prepared off the loop), per team in a table."""
    with ui.grid(columns=TWO_UP).classes("w-full gap-4"):
        ui.plotly(chart).classes("w-full").mark("cost-compare")
        per_team = c.groupby("team", as_index=False)[["modeled_usd", "billed_usd"]].sum()
        rows = [
            {
                "team": r.team,
                "modeled": round(r.modeled_usd, 2),
                "billed": round(r.billed_usd, 2),
                "ratio": f"{r.billed_usd / r.modeled_usd:.3g}" if r.modeled_usd > 0 else "—",
            }
            for r in per_team.itertuples()
        ]
        ui.table(columns=_columns(COMPARE_COLUMNS), rows=rows, row_key="team").props(
            "dense flat bordered"
        ).mark("cost-compare-table")


def _model_columns(ov: Overview) -> list[tuple[str, str]]:
    cols = list(MODEL_COLUMNS)
    if ov.source == "modeled":
        cols.append(("saved_mtd_usd", "Saved MTD $"))
    if "total_efficiency" in ov.models:
        cols += [("cpu_efficiency", "CPU eff. %"), ("ram_efficiency", "RAM eff. %")]
    return cols


def table_page(
    data: pd.DataFrame, names: list[str], sort_by: str, descending: bool, number: int, per_page: int
) -> list[dict[str, Any]]:
    """One page of the model table, sorted (missing values shown as a dash)."""
    d = data.sort_values(sort_by, ascending=not descending, kind="stable")
    if per_page:
        d = d.iloc[(number - 1) * per_page : number * per_page]
    shown = d[[*names, "key"]]
    return shown.astype(object).where(shown.notna(), "—").to_dict("records")


def _csv_button(data: pd.DataFrame, names: list[str]) -> None:
    def download() -> None:
        text = write_csv(data[names].to_dict("records"), names)
        ui.download(text.encode(), "barista-cost-by-model.csv", "text/csv")

    ui.button("Download CSV", icon="download", on_click=download).props("flat dense no-caps").mark(
        "cost-csv"
    )


def model_table(ov: Overview) -> None:
    cols = _model_columns(ov)
    names = [k for k, _ in cols]
    data: pd.DataFrame = ov.models.assign(key=ov.models["namespace"] + "/" + ov.models["model"])
    with ui.row().classes("w-full items-center"):
        ui.label("Cost per model").classes("text-base font-semibold")
        ui.space()
        _csv_button(data, names)
    pagination = {
        "sortBy": "cost_usd",
        "descending": True,
        "page": 1,
        "rowsPerPage": PAGE_ROWS,
        "rowsNumber": len(data),
    }
    table = (
        ui.table(
            columns=_columns(cols),
            rows=table_page(data, names, "cost_usd", True, 1, PAGE_ROWS),
            row_key="key",
            pagination=pagination,
        )
        .props("dense flat bordered")
        .classes("w-full")
        .mark("cost-models")
    )

    def on_request(e: Any) -> None:
        req = e.args["pagination"]
        sort_by = req.get("sortBy") or "cost_usd"
        if sort_by not in names:
            sort_by = "cost_usd"
        per_page = int(req.get("rowsPerPage") or 0)
        number = max(1, int(req.get("page") or 1))
        table.rows = table_page(data, names, sort_by, bool(req.get("descending")), number, per_page)
        table.pagination = {**req, "sortBy": sort_by, "rowsNumber": len(data)}
        table.update()

    table.on("request", on_request)
    table.all_rows = data  # for tests and the CSV: the full, unpaged table
