"""CSV written for people never carries a formula a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd

from barista_ui.cost.budgets import BudgetLine
from barista_ui.cost.csv_safe import safe_cell, write_csv
from components.cost import charts

FORMULA = '=HYPERLINK("http://evil.example","x")'


def test_text_that_a_spreadsheet_would_run_is_prefixed() -> None:
    for text in (FORMULA, "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("fraud-scorer") == "fraud-scorer"
    assert safe_cell("(unallocated)") == "(unallocated)"


def test_numbers_stay_numbers() -> None:
    assert safe_cell(-12.5) == -12.5 and safe_cell(-3) == -3 and safe_cell(None) is None
    assert safe_cell(float("nan")) == ""


def test_write_csv_escapes_every_text_cell_and_keeps_negative_amounts() -> None:
    text = write_csv([{"team": FORMULA, "cost_usd": -1.5}, {"team": "nlp"}], ["team", "cost_usd"])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["team", "cost_usd"], ["'" + FORMULA, "-1.5"], ["nlp", ""]]


def test_cost_report_csv_goes_through_the_safe_writer(cli_run, monkeypatch) -> None:
    from barista_ui.cost import report_rows

    def rows(cost, opencost, start, end, by, source):  # an OpenCost label is not ours to check
        return [{"model": FORMULA, "cost_usd": -2.0}, {"model": "@x", "cost_usd": 1.0}]

    monkeypatch.setattr(report_rows, "report_rows", rows)
    result = cli_run(
        "cost", "report", "--from", "2026-10-01", "--to", "2026-10-02", "--by", "model",
        "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == [
        ["model", "cost_usd"],
        ["'" + FORMULA, "-2.0"],
        ["'@x", "1.0"],
    ]


def test_chart_trace_names_are_text_not_markup() -> None:
    link = '<a href="http://evil.example">click</a>'
    day = date(2026, 10, 1)
    frame = pd.DataFrame([{"day": day, "team": link, "cost_usd": 3.0}])
    names = [t.name for t in charts.daily_stack(frame, "team", [day]).data]
    assert names == ['&lt;a href="http://evil.example"&gt;click&lt;/a&gt;']
    line = BudgetLine(link, 10.0, 3.0, 9.0, [day], [3.0])
    fig = charts.month_vs_budget([line], date(2026, 10, 31))
    assert all("<a" not in (t.name + (t.hovertemplate or "")) for t in fig.data)
