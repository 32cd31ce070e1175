"""Non-finite and absurd money is refused wherever it comes in: budgets, billing exports (FOCUS
CSV, Google NDJSON) and price tables, at the function level and through the CLI."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from barista_ui.cost.billing import BillingFileError, parse_billing
from barista_ui.cost.money import MAX_UNIT_PRICE_USD, MAX_USD, MoneyError, check_amount
from barista_ui.cost.price_files import PriceFileError, parse_prices
from barista_ui.cost.rates import DEFAULT_PRICES, PriceEntry
from barista_ui.cost.service import CostService
from data.db import session_factory
from tests.actors import ANA

FOCUS_HEADER = "ChargePeriodStart,BilledCost,EffectiveCost,Tags\n"
PRICES_YAML = "prices:\n- {region: r, cpu_hourly: %s, memory_gib_hourly: %s, as_of: 2026-11-01}\n"
PRICES_CSV = "region,cpu_hourly,memory_gib_hourly,as_of,gpu:nvidia-l4\nr,%s,%s,2026-11-01,%s\n"


def focus_row(cost: str, hour: int = 0) -> str:
    return f"2026-10-01T{hour:02d}:00:00Z,{cost},,{{}}\n"


def gcp_line(cost: object, credits: object = ()) -> str:
    # json.dumps writes NaN and Infinity as Python's json reads them back
    raw = {"usage_start_time": "2026-10-01T00:00:00Z", "cost": cost, "credits": list(credits)}
    return json.dumps(raw) + "\n"


# ------------------------------------------------------------------ the one check


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (math.inf, "'inf' is not a finite amount of USD"),
        (-math.inf, "'-inf' is not a finite amount of USD"),
        (math.nan, "'nan' is not a finite amount of USD"),
        ("1e309", "'1e309' is not a finite amount of USD"),
        ("nan", "'nan' is not a finite amount of USD"),
        ("abc", "'abc' is not a number"),
        (True, "'True' is not a number"),
        (None, "'None' is not a number"),
        (-5, "'-5': use a number of USD >= 0"),
        (1e13, "'10000000000000.0' is beyond the limit of 1,000,000,000,000 USD"),
    ],
)
def test_check_amount_refuses(value: object, problem: str) -> None:
    with pytest.raises(MoneyError) as err:
        check_amount(value, "amount")
    assert str(err.value) == f"amount {problem}"


def test_check_amount_accepts_and_bounds() -> None:
    assert check_amount("12.5", "x") == 12.5
    assert check_amount(MAX_USD, "x") == MAX_USD
    assert check_amount(-3, "x", allow_negative=True) == -3.0
    with pytest.raises(MoneyError, match="beyond the limit of 1,000,000,000,000 USD"):
        check_amount(-2 * MAX_USD, "x", allow_negative=True)
    with pytest.raises(MoneyError, match="beyond the limit of 10,000 USD"):
        check_amount(MAX_UNIT_PRICE_USD + 1, "x", limit=MAX_UNIT_PRICE_USD)


# ------------------------------------------------------------------ budgets


@pytest.mark.parametrize("amount", [math.inf, float("1e309"), math.nan, -1.0, 2 * MAX_USD])
def test_budget_refuses_non_finite_and_absurd_amounts(engine, amount: float) -> None:
    svc = CostService(session_factory(engine))
    svc.set_budget("nlp", 300, actor=ANA)
    with pytest.raises(ValueError, match="monthly budget"):
        svc.set_budget("nlp", amount, actor=ANA)
    assert svc.budgets() == {"nlp": 300.0}


# ------------------------------------------------------------------ billing


def test_focus_rows_beyond_the_bound_are_refused() -> None:
    text = FOCUS_HEADER + focus_row("1.7e308") + focus_row("1.7e308", 1)
    with pytest.raises(BillingFileError, match="line 2: BilledCost '1.7e308' is beyond the limit"):
        parse_billing(text, "focus")


@pytest.mark.parametrize("cost", ["inf", "-Infinity", "nan", "1e309"])
def test_focus_non_finite_costs_are_refused(cost: str) -> None:
    with pytest.raises(BillingFileError, match=f"line 2: BilledCost '{cost}' is not a finite"):
        parse_billing(FOCUS_HEADER + focus_row(cost), "focus")


def test_focus_total_beyond_the_bound_is_refused() -> None:
    text = FOCUS_HEADER + focus_row("600000000000") + focus_row("600000000000", 1)
    with pytest.raises(BillingFileError, match="the file's total .* is beyond the limit"):
        parse_billing(text, "focus")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (gcp_line(math.nan), "line 1: cost 'nan' is not a finite"),
        (gcp_line(math.inf), "line 1: cost 'inf' is not a finite"),
        (gcp_line("1e400"), "line 1: cost '1e400' is not a finite"),
        (gcp_line(1.0, [{"amount": -math.inf}]), r"line 1: credits\[0\].amount '-inf'"),
        (gcp_line(1.7e308, [{"amount": 1.7e308}]), "line 1: cost '1.7e\\+308' is beyond"),
    ],
)
def test_gcp_non_finite_costs_are_refused(line: str, message: str) -> None:
    with pytest.raises(BillingFileError, match=message):
        parse_billing(line, "gcp")


def test_gcp_credits_are_still_negative_amounts() -> None:
    rows = parse_billing(gcp_line(2.0, [{"amount": -0.5}]), "gcp")
    assert [r.cost_usd for r in rows] == [1.5]


# ------------------------------------------------------------------ price tables


@pytest.mark.parametrize(
    ("fmt", "text", "message"),
    [
        ("yaml", PRICES_YAML % (".inf", "0.004"), "entry 1: cpu_hourly: 'inf' is not a finite"),
        ("yaml", PRICES_YAML % ("0.03", ".nan"), "memory_gib_hourly: 'nan' is not a finite"),
        ("yaml", PRICES_YAML % ("1e5", "0.004"), "cpu_hourly: '1e5' is beyond the limit"),
        ("csv", PRICES_CSV % ("inf", "0.004", ""), "line 2: cpu_hourly: 'inf' is not a finite"),
        ("csv", PRICES_CSV % ("0.03", "NaN", ""), "memory_gib_hourly: 'NaN' is not a finite"),
        ("csv", PRICES_CSV % ("0.03", "0.004", "nan"), "GPU 'nvidia-l4' 'nan' is not a finite"),
        ("csv", PRICES_CSV % ("0.03", "0.004", "1e309"), "GPU 'nvidia-l4' 'inf' is not a finite"),
    ],
)
def test_price_tables_refuse_non_finite_prices(fmt: str, text: str, message: str) -> None:
    with pytest.raises(PriceFileError, match=message):
        parse_prices(text, fmt)


@pytest.mark.parametrize(
    "entry",
    [
        replace(DEFAULT_PRICES, cpu_hourly=math.inf),
        replace(DEFAULT_PRICES, memory_gib_hourly=math.nan),
        replace(DEFAULT_PRICES, gpu_hourly={"nvidia-l4": math.inf}),
    ],
)
def test_saving_a_table_built_in_code_checks_its_prices(engine, entry: PriceEntry) -> None:
    svc = CostService(session_factory(engine))
    before = svc.price_table()
    with pytest.raises(PriceFileError, match="entry 1: .* is not a finite amount of USD"):
        svc.save_prices([entry], actor=ANA)
    assert svc.price_table() == before


# ------------------------------------------------------------------ through the CLI


def one_error(res, code: int) -> str:
    assert res.exit_code == code, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    return lines[0]


@pytest.mark.parametrize("amount", ["inf", "1e309", "nan", "-1", "1e13"])
def test_cli_budget_refuses(cli_run, amount: str) -> None:
    assert cli_run("cost", "budget", "nlp", "250").exit_code == 0
    line = one_error(cli_run("cost", "budget", "nlp", "--", amount), 2)
    assert "monthly budget" in line
    assert cli_run("cost", "budget", "nlp").stdout.strip() == "nlp: $250.00 per month"


def billed(cli_run) -> list:
    args = ("cost", "report", "--from", "2026-01-01", "--to", "2027-01-01", "--by", "day")
    return json.loads(cli_run(*args, "--source", "billing", "--format", "json").stdout)


@pytest.mark.parametrize(
    ("fmt", "content", "fragment"),
    [
        ("focus", FOCUS_HEADER + focus_row("1.7e308") + focus_row("1.7e308", 1), "line 2"),
        ("focus", FOCUS_HEADER + focus_row("1") + focus_row("inf", 1), "line 3"),
        ("gcp", gcp_line(1.0) + gcp_line(math.nan), "line 2: cost 'nan'"),
        ("gcp", gcp_line(1.0, [{"amount": math.inf}]), "line 1: credits[0].amount 'inf'"),
    ],
)
def test_cli_billing_import_refuses(cli_run, tmp_path: Path, fmt, content, fragment) -> None:
    path = tmp_path / "export.txt"
    path.write_text(content)
    line = one_error(cli_run("cost", "import", str(path), "--format", fmt), 1)
    assert "export.txt rejected, nothing imported" in line and fragment in line
    assert billed(cli_run) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("p.yaml", PRICES_YAML % (".inf", "0.004")),
        ("p.yaml", PRICES_YAML % ("0.03", ".nan")),
        ("p.csv", PRICES_CSV % ("inf", "0.004", "")),
    ],
)
def test_cli_price_load_refuses(cli_run, tmp_path: Path, name: str, content: str) -> None:
    before = cli_run("cost", "prices", "show").stdout
    path = tmp_path / name
    path.write_text(content)
    line = one_error(cli_run("cost", "prices", "load", str(path)), 1)
    assert name in line and "is not a finite amount of USD" in line
    assert cli_run("cost", "prices", "show").stdout == before


def test_cli_estimate_refuses_infinite_hours(cli_run) -> None:
    res = cli_run("cost", "estimate", "--cpu", "1", "--memory", "1Gi", "--hours", "inf")
    assert "--hours 'inf'" in one_error(res, 2)
