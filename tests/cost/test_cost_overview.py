"""What the Cost tab and a model's panel show, by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from barista_ui.cost.budgets import month_to_date
from barista_ui.cost.overview import (
    last_days,
    local_period,
    model_cost_line,
    overview,
    projected_savings,
)
from barista_ui.cost.service import CostService
from data.db import session_factory
from tests.actors import ANA
from tests.conftest import base_record


def test_month_to_date_cumulates_and_projects_to_month_end() -> None:
    now = datetime(2026, 11, 11, 0, tzinfo=UTC)  # 10 whole days of a 30-day month
    days = pd.DataFrame(
        {
            "day": [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 5), date(2026, 11, 10)],
            "team": ["a", "a", "a", "b"],
            "cost_usd": [99.0, 10.0, 30.0, 5.0],
        }
    )
    a, b, c = month_to_date(days, {"a": 100.0, "c": 50.0}, now, "UTC")
    assert [x.team for x in (a, b, c)] == ["a", "b", "c"]
    assert a.mtd == 40.0 and a.projected == pytest.approx(120.0)
    assert a.cumulative[:5] == [10.0, 10.0, 10.0, 10.0, 40.0]
    assert a.status == "projected over"
    assert b.budget is None and b.status == "no budget" and b.projected == pytest.approx(15.0)
    assert c.mtd == 0 and c.status == "on track"
    over = month_to_date(days.assign(cost_usd=[0, 200, 0, 0]), {"a": 100.0}, now, "UTC")[0]
    assert over.status == "over budget"


def test_projected_savings_of_a_schedule() -> None:
    # up 50 of 168 hours: 118 h x 7/7 days down, 2 replicas at $0.5
    assert projected_savings(0.5, 2, 50 / 168) == pytest.approx(0.5 * 2 * 118)
    assert projected_savings(0.5, 2, 1.0) == 0


def test_periods_are_whole_local_days() -> None:
    now = datetime(2026, 3, 30, 12, tzinfo=UTC)
    p = last_days("Europe/Berlin", 7, now)
    assert p.start.isoformat() == "2026-03-24T00:00:00+01:00"
    assert p.end.isoformat() == "2026-03-31T00:00:00+02:00"
    assert p.days == pytest.approx(157 / 24)  # 23:00 UTC on the 23rd to noon on the 30th
    q = local_period("UTC", date(2026, 3, 1), date(2026, 3, 1), now)
    assert q.days == 1


def test_overview_model_table_and_panel_line(engine, registry) -> None:
    new = session_factory(engine)
    now = datetime(2026, 11, 11, tzinfo=UTC)
    rec = registry.create(base_record(), actor="ana", source="cli")
    svc = CostService(new, clock=lambda: now)
    rate = svc.rate_for(rec.spec)
    svc.record_replicas(
        rec.namespace,
        rec.name,
        rec.spec.team,
        2,
        datetime(2026, 11, 1, tzinfo=UTC),
        "apply",
        rate=rate,
    )
    svc.record_replicas(
        rec.namespace,
        rec.name,
        rec.spec.team,
        0,
        datetime(2026, 11, 10, tzinfo=UTC),
        "schedule",
        rate=rate,
        scheduled_down=True,
        baseline=2,
    )
    ov = overview(svc, [rec], last_days("UTC", 30, now))
    (row,) = ov.models.to_dict("records")
    assert row["model"] == rec.name and row["team"] == rec.spec.team
    assert row["cost_usd"] == pytest.approx(round(9 * 24 * 2 * rate, 2))
    assert row["mtd_usd"] == row["cost_usd"]
    assert row["saved_mtd_usd"] == pytest.approx(round(24 * 2 * rate, 2))
    assert row["avg_replicas"] == pytest.approx(round(9 * 24 * 2 / (29 * 24), 2))
    assert ov.saved == pytest.approx(24 * 2 * rate)
    assert ov.month is not None and ov.month["cost_usd"].sum() == pytest.approx(ov.total)
    assert ov.heatmap.to_numpy().max() == pytest.approx(2.0)
    only_other = overview(svc, [rec], last_days("UTC", 30, now), teams=["nobody"])
    assert only_other.models.empty and only_other.total == 0 and only_other.teams == ["nobody"]
    line = model_cost_line(svc, rec, now, up_fraction=0.5)
    assert line["week"] == pytest.approx(5 * 24 * 2 * rate)  # Nov 5-9 up, 10th down
    assert line["monthly"] == pytest.approx(rate * rec.spec.replicas * 730 * 0.5)
    assert line["projected_7d_savings"] == pytest.approx(rate * rec.spec.replicas * 84)


def test_billing_and_opencost_sources_say_what_is_missing(engine) -> None:
    svc = CostService(session_factory(engine), clock=lambda: datetime(2026, 11, 11, tzinfo=UTC))
    p = last_days("UTC", 7, datetime(2026, 11, 11, tzinfo=UTC))
    ov = overview(svc, [], p, source="billing")
    assert ov.total == 0 and "import an export first" in ov.notes[0]
    ov = overview(svc, [], p, source="opencost")
    assert ov.error == "BARISTA_OPENCOST_URL is not set"
    with pytest.raises(ValueError, match="source 'x'"):
        overview(svc, [], p, source="x")


def test_panel_line_of_a_model_whose_gpu_has_no_price_says_so(engine, registry) -> None:
    from datetime import date as date_

    from barista_ui.cost.rates import PriceEntry, PricingError

    rec = registry.create(
        base_record(
            resources={
                "requests": {"cpu": "1", "memory": "2Gi"},
                "gpu": {"count": 1, "type": "nvidia-l4"},
            }
        ),
        actor="ana",
        source="cli",
    )
    svc = CostService(session_factory(engine), clock=lambda: datetime(2026, 11, 11, tzinfo=UTC))
    svc.save_prices(
        [PriceEntry("us-central1", "default", 0.03, 0.004, {}, "x", date_(2026, 1, 1))], actor=ANA
    )
    with pytest.raises(PricingError, match="no price for GPU type 'nvidia-l4'"):
        model_cost_line(svc, rec, datetime(2026, 11, 11, tzinfo=UTC), up_fraction=1.0)
