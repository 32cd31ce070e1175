"""The price table: files, validation, picking an entry, re-rating, budgets."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from barista_ui.cost.price_files import PriceFileError, dump_prices, parse_prices, pick
from barista_ui.cost.rates import DEFAULT_PRICES, PriceEntry
from barista_ui.cost.service import CostService
from data.db import session_factory
from tests.actors import ANA

EU = PriceEntry(
    region="europe-west4",
    machine_family="default",
    cpu_hourly=0.035,
    memory_gib_hourly=0.005,
    gpu_hourly={"nvidia-l4": 0.62},
    source="list price sheet",
    as_of=date(2026, 10, 1),
)
EU_A2 = PriceEntry(
    "europe-west4", "a2", 0.04, 0.006, {"nvidia-tesla-a100": 3.1}, "sheet", date(2026, 10, 1)
)


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_files_round_trip(fmt: str) -> None:
    table = [DEFAULT_PRICES, EU, EU_A2]
    assert parse_prices(dump_prices(table, fmt), fmt) == table


@pytest.mark.parametrize(
    ("fmt", "text", "message"),
    [
        ("yaml", "prices: []", "the price table is empty"),
        ("yaml", "[1, 2]", "a mapping with a 'prices' list"),
        (
            "yaml",
            "prices:\n- {region: r, cpu_hourly: -1, memory_gib_hourly: 0, as_of: 2026-01-01}",
            "entry 1: cpu_hourly: Input should be greater than or equal to 0",
        ),
        (
            "yaml",
            "prices:\n- {region: r, cpu_hourly: 1, memory_gib_hourly: 0}",
            "entry 1: as_of: Field required",
        ),
        (
            "csv",
            "region,machine_family,cpu_hourly,memory_gib_hourly,source,as_of,gpu:nvidia-l4\n"
            "r,default,0.03,0.004,x,2026-01-01,cheap\n",
            "line 2: gpu:nvidia-l4 'cheap' is not a number",
        ),
        (
            "csv",
            "region,machine_family,cpu_hourly,memory_gib_hourly,source,as_of\n"
            "r,default,0.03,0.004,x,2026-01-01\nr,default,0.03,0.004,x,2026-01-01\n",
            "entry 2: region 'r' / machine family 'default' appears twice",
        ),
    ],
)
def test_bad_files_name_the_entry_and_field(fmt: str, text: str, message: str) -> None:
    with pytest.raises(PriceFileError) as err:
        parse_prices(text, fmt)
    assert message in str(err.value)


def test_pick_falls_back_to_the_regions_default_family_then_the_first_entry() -> None:
    table = [EU, EU_A2]
    assert pick(table, "europe-west4", "a2") is EU_A2
    assert pick(table, "europe-west4", "n2") is EU
    assert pick(table, "us-east1") is EU
    assert pick([], "us-east1") is DEFAULT_PRICES


def test_saving_prices_rerates_running_models_from_now_only(engine, registry) -> None:
    from tests.conftest import base_record

    new = session_factory(engine)
    clock = {"now": datetime(2026, 11, 2, tzinfo=UTC)}
    rec = registry.create(base_record(), actor="ana", source="cli")
    svc = CostService(new, clock=lambda: clock["now"], region="europe-west4")
    assert svc.price_table() == [DEFAULT_PRICES]
    old_rate = svc.rate_for(rec.spec)
    svc.record_replicas(
        rec.namespace,
        rec.name,
        rec.spec.team,
        2,
        datetime(2026, 11, 1, tzinfo=UTC),
        "apply",
        rate=old_rate,
    )
    assert svc.save_prices([DEFAULT_PRICES, EU], [rec], actor=ANA) == 1
    new_rate = svc.rate_for(rec.spec)
    assert new_rate != old_rate
    clock["now"] = datetime(2026, 11, 3, tzinfo=UTC)
    days = {
        r["day"]: r["cost_usd"]
        for r in svc.report(datetime(2026, 11, 1, tzinfo=UTC), clock["now"], "day")
    }
    assert days["2026-11-01"] == pytest.approx(2 * 24 * old_rate, abs=1e-4)
    assert days["2026-11-02"] == pytest.approx(2 * 24 * new_rate, abs=1e-4)
    # the same table again: nothing to re-rate
    assert svc.save_prices([DEFAULT_PRICES, EU], [rec], actor=ANA) == 0


def test_price_file_is_loaded_at_start_and_written_on_save(engine, tmp_path) -> None:
    path = tmp_path / "prices.yaml"
    new = session_factory(engine)
    svc = CostService(new, price_file=str(path))
    assert svc.load_price_file() == 1 and path.exists()  # written from the built-in table
    path.write_text(dump_prices([EU], "yaml"))
    svc2 = CostService(new, price_file=str(path))
    svc2.load_price_file()
    assert svc2.price_table() == [EU]
    svc2.save_prices([EU, EU_A2], actor=ANA)
    assert parse_prices(path.read_text(), "yaml") == [EU, EU_A2]
    path.write_text("prices: [oops]")
    with pytest.raises(PriceFileError, match="entry 1"):
        CostService(new, price_file=str(path)).load_price_file()
    assert CostService(new).price_table() == [EU, EU_A2]  # nothing half-saved


def test_budgets(engine) -> None:
    svc = CostService(session_factory(engine))
    svc.set_budget("vision", 1200, actor=ANA)
    svc.set_budget("nlp", 300.5, actor=ANA)
    assert svc.budgets() == {"vision": 1200.0, "nlp": 300.5}
    with pytest.raises(ValueError, match="monthly budget '-5': use a number of USD >= 0"):
        svc.set_budget("nlp", -5, actor=ANA)
    svc.set_budget("nlp", None, actor=ANA)
    assert svc.budgets() == {"vision": 1200.0}


def test_cli_prices_and_budget(tmp_path, cli_run) -> None:
    f = tmp_path / "p.csv"
    f.write_text(dump_prices([EU], "csv"))
    res = cli_run("cost", "prices", "load", str(f))
    assert res.exit_code == 0, res.output
    res = cli_run("cost", "prices", "show", "--format", "csv")
    assert parse_prices(res.stdout, "csv") == [EU]
    res = cli_run("cost", "budget", "vision", "900")
    assert res.stdout.strip() == "vision: $900.00 per month"
    res = cli_run("cost", "budget", "vision", "--", "-1")
    assert res.exit_code == 2 and "use a number of USD >= 0" in res.stderr
