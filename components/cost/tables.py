"""The Cost tab's tables: modeled against billed per team, and cost per model (sorted and
paged on the server: 2,000 models would otherwise all travel to the browser)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from nicegui import ui

from barista_ui.cost.coverage import coverage, per_team
from barista_ui.cost.csv_safe import write_csv
from barista_ui.cost.grouping import group_column, group_options, regroup
from barista_ui.cost.overview import Overview
from components.cost.chart import CostChart

TWO_UP = "repeat(auto-fit, minmax(min(520px, 100%), 1fr))"
PAGE_ROWS = 15
COMPARE_COLUMNS = (
    ("team", "Team"),
    ("modeled", "Modeled $ (billed days)"),
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
    """Modeled against billed: per day in a chart (prepared off the loop), per team in a table
    over the days the billing data covers only (named under the table)."""
    with ui.grid(columns=TWO_UP).classes("w-full gap-4"):
        CostChart(chart).classes("w-full").mark("cost-compare")
        rows = [
            {
                "team": r.team,
                "modeled": round(r.modeled_usd, 2),
                "billed": round(r.billed_usd, 2),
                "ratio": f"{r.ratio:.3g}" if r.ratio is not None else "—",
            }
            for r in per_team(c).itertuples()
        ]
        with ui.column().classes("w-full gap-1"):
            ui.table(columns=_columns(COMPARE_COLUMNS), rows=rows, row_key="team").props(
                "dense flat bordered"
            ).classes("w-full").mark("cost-compare-table")
            ui.label(
                f"Compared over the days billing data covers: {coverage(c).describe()}."
            ).classes("text-xs text-grey-7").mark("cost-compare-days")


def _model_columns(ov: Overview) -> list[tuple[str, str]]:
    cols = list(MODEL_COLUMNS)
    if ov.source == "modeled":
        cols.append(("saved_mtd_usd", "Saved MTD $"))
    if "efficiency" in ov.models:
        cols.append(("efficiency", "Efficiency %"))
    if "total_efficiency" in ov.models:
        cols += [("cpu_efficiency", "CPU eff. %"), ("ram_efficiency", "RAM eff. %")]
    return cols


def table_data(ov: Overview, by: str) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The table's rows (with a unique ``key``) and columns: per model, or summed by ``by``."""
    cols = _model_columns(ov)
    m = ov.models
    if by == "model":
        return m.assign(key=m["namespace"] + "/" + m["model"] + "@" + m["team"]), cols
    g = regroup(m, by, ov.labels)
    name = group_column(by)
    heads = dict(cols)
    grouped = [(name, f"Label {name}" if by.startswith("label:") else heads[name])]
    grouped += [("models", "Models")] + [
        (k, heads[k]) for k in g.columns if k in heads and k != name
    ]
    return g.assign(key=g[name].astype(str)), grouped


def table_page(
    data: pd.DataFrame, names: list[str], sort_by: str, descending: bool, number: int, per_page: int
) -> list[dict[str, Any]]:
    """One page of the model table, sorted (missing values shown as a dash)."""
    d = data.sort_values(sort_by, ascending=not descending, kind="stable")
    if per_page:
        d = d.iloc[(number - 1) * per_page : number * per_page]
    shown = d[[*names, "key"]]
    return shown.astype(object).where(shown.notna(), "—").to_dict("records")


def csv_text(data: pd.DataFrame, names: list[str], ov: Overview) -> str:
    """The table as CSV, each row with the days it covers (``first_day``, ``last_day``,
    both included) and the cost source."""
    period = {
        "first_day": str(ov.period.first_day),
        "last_day": str(ov.period.last_day),
        "source": ov.source,
    }
    rows = [{**period, **r} for r in data[names].to_dict("records")]
    return write_csv(rows, [*period, *names])


class _ModelTable:
    """The per-model table, or its sums by namespace, team or a label, paged on the server."""

    def __init__(self, ov: Overview):
        self.ov = ov
        self.data, self.cols = table_data(ov, "model")
        self.table = (
            ui.table(
                columns=_columns(self.cols),
                rows=[],
                row_key="key",
                pagination={"sortBy": "cost_usd", "descending": True, "rowsPerPage": PAGE_ROWS},
            )
            .props("dense flat bordered")
            .classes("w-full")
            .mark("cost-models")
        )
        self.table.on("request", self.on_request)
        self.show("model")

    @property
    def names(self) -> list[str]:
        return [k for k, _ in self.cols]

    def show(self, by: str) -> None:
        self.data, self.cols = table_data(self.ov, by)
        self.table.columns = _columns(self.cols)
        self.table.all_rows = self.data  # for tests and the CSV: the full, unpaged table
        self.on_request(None)

    def on_request(self, e: Any) -> None:
        req = e.args["pagination"] if e is not None else {**self.table.pagination, "page": 1}
        sort_by = req.get("sortBy") or "cost_usd"
        sort_by = sort_by if sort_by in self.names else "cost_usd"
        per_page = int(req.get("rowsPerPage") or 0)
        number = max(1, int(req.get("page") or 1))
        desc = bool(req.get("descending"))
        self.table.rows = table_page(self.data, self.names, sort_by, desc, number, per_page)
        self.table.pagination = {**req, "sortBy": sort_by, "rowsNumber": len(self.data)}
        self.table.update()

    def download(self) -> None:
        p = self.ov.period
        name = f"barista-cost-by-{self.cols[0][0]}-{p.first_day}_{p.last_day}.csv"
        ui.download(csv_text(self.data, self.names, self.ov).encode(), name, "text/csv")


def model_table(ov: Overview) -> None:
    with ui.row().classes("w-full items-center gap-2"):
        ui.label("Cost per").classes("text-base font-semibold")
        group = (
            ui.select(group_options(ov.labels), value="model")
            .props("dense outlined options-dense")
            .classes("min-w-36")
            .mark("cost-group")
        )
        ui.label(ov.period.describe()).classes("text-xs text-grey-7")
        ui.space()
        csv = ui.button("Download CSV", icon="download").props("flat dense no-caps")
        csv.mark("cost-csv")
    table = _ModelTable(ov)
    group.on_value_change(lambda e: table.show(e.value))
    csv.on_click(table.download)
