"""The Cost tab's facade with real dependencies (a database, records, a fixed week rule), and
the pure pieces split out of the cost service."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime

import pytest

from barista_ui.cost.board import BillingKeys, CostBoard
from barista_ui.cost.demo_history import demo_segments, model_demo_segments
from barista_ui.cost.overview import chosen_period, last_days
from barista_ui.cost.rates import DEFAULT_PRICES, PriceEntry
from barista_ui.cost.rollups import covered_days, plan
from barista_ui.cost.segments import sqlite_overlap_hint
from barista_ui.cost.service import CostService
from data.db import session_factory
from tests.actors import ANA
from tests.conftest import base_record

NOW = datetime(2026, 11, 11, 12, tzinfo=UTC)


def _board(engine, records, up=0.5, keys=None) -> tuple[CostBoard, CostService]:
    svc = CostService(session_factory(engine), clock=lambda: NOW)
    board = CostBoard(
        svc,
        records=lambda: records,
        teams=lambda: sorted({r.spec.team for r in records}),
        up_fraction=lambda spec, at: up,
        billing_keys=keys,
        clock=lambda: NOW,
    )
    return board, svc


def test_import_uses_the_configured_label_keys_of_the_format(engine) -> None:
    board, svc = _board(engine, [], keys=BillingKeys(gcp_team_label="owner"))
    line = {
        "usage_start_time": "2026-11-02 10:00:00 UTC",
        "cost": 4.0,
        "labels": [{"key": "owner", "value": "nlp"}, {"key": "k8s-label/team", "value": "x"}],
    }
    res = board.import_billing(json.dumps(line).encode(), "gcp", filename="nov.jsonl", actor=ANA)
    assert res["new_rows"] == 1 and res["new_usd"] == 4.0
    billed = svc.billed(datetime(2026, 11, 1, tzinfo=UTC), NOW, ["team"])
    assert billed.to_dict("records") == [{"team": "nlp", "billed_usd": 4.0}]


def test_figures_budgets_filtered_by_team_and_prices_saved_rerate_records(engine, registry) -> None:
    a = registry.create(base_record(name="a", team="nlp"), actor="t", source="cli")
    b = registry.create(base_record(name="b", team="vision"), actor="t", source="cli")
    board, svc = _board(engine, [a, b], up=0.5)
    for rec in (a, b):
        svc.record_replicas(
            rec.namespace,
            rec.name,
            rec.spec.team,
            1,
            datetime(2026, 11, 1, tzinfo=UTC),
            "apply",
            rate=svc.rate_for(rec.spec),
        )
    board.set_budget("nlp", 10.0, actor=ANA)
    board.set_budget("vision", 20.0, actor=ANA)
    fig = board.figures(last_days("UTC", 30, NOW), "modeled", ["nlp"], False)
    assert [line.team for line in fig.budget_lines] == ["nlp"]
    assert fig.budget_lines[0].budget == 10.0
    assert fig.prices == [DEFAULT_PRICES]
    rate = svc.rate_for(a.spec)
    assert fig.projected == pytest.approx(rate * a.spec.replicas * 24 * 7 * 0.5)
    dearer = PriceEntry("us-central1", "default", 0.05, 0.005, {}, "test", date(2026, 11, 1))
    assert board.save_prices([dearer], actor=ANA) == 2
    assert board.price_table() == [dearer]


def test_edit_estimate_counts_replicas_of_enabled_specs_only(engine, registry) -> None:
    rec = registry.create(base_record(replicas=2), actor="t", source="cli")
    board, svc = _board(engine, [rec], up=0.25)
    off = rec.spec.model_copy(update={"enabled": False})
    e = board.edit_estimate(rec.spec, off)
    rate = svc.rate_for(rec.spec)
    assert (e.old_replicas, e.new_replicas) == (2, 0)
    assert e.monthly == 0
    assert e.delta_per_month == pytest.approx(-rate * 2 * 730 * 0.25)


def test_chosen_period_names_what_is_wrong_with_a_custom_range() -> None:
    assert chosen_period("UTC", 7, None, None, NOW) == last_days("UTC", 7, NOW)
    p = chosen_period("UTC", 0, "2026-11-01", "2026-11-03", NOW)
    assert (p.start.date(), p.end.date()) == (date(2026, 11, 1), date(2026, 11, 4))
    with pytest.raises(ValueError, match="pick both dates"):
        chosen_period("UTC", 0, "", "2026-11-03", NOW)
    with pytest.raises(ValueError, match="'To' is before 'From'"):
        chosen_period("UTC", 0, "2026-11-03", "2026-11-01", NOW)
    with pytest.raises(ValueError, match="at most 400 days"):
        chosen_period("UTC", 0, "2024-01-01", "2026-11-01", NOW)


def test_rollup_plan_reads_whole_days_and_computes_the_edges() -> None:
    start = datetime(2026, 11, 1, 6, tzinfo=UTC)  # mid-day: the 1st comes from raw segments
    end = datetime(2026, 11, 12, tzinfo=UTC)
    assert covered_days(None, "UTC", start, end) is None
    split, edges = plan(date(2026, 11, 11), "UTC", start, end, NOW)
    assert split == (date(2026, 11, 2), date(2026, 11, 11))
    assert edges == [
        (start, datetime(2026, 11, 2, tzinfo=UTC)),
        (datetime(2026, 11, 11, tzinfo=UTC), end),
    ]


def test_sqlite_hint_picks_the_selective_end() -> None:
    first = datetime(2026, 1, 1, tzinfo=UTC)
    recent = sqlite_overlap_hint(first, NOW, datetime(2026, 11, 1, tzinfo=UTC), NOW)
    assert recent.startswith('"end" > :start AND likelihood(start < :end')
    early = sqlite_overlap_hint(
        first, NOW, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC)
    )
    assert early.startswith('likelihood("end" > :start')
    assert sqlite_overlap_hint(None, NOW, first, NOW) == '"end" > :start AND start < :end'


def test_demo_history_is_seeded_and_contiguous(registry) -> None:
    rec = registry.create(base_record(), actor="t", source="cli")
    start, end = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC)
    rows = model_demo_segments(rec, 0.5, start, end, None, random.Random(3))
    assert rows[0]["start"] == start and rows[-1]["end"] == end
    assert all(a["end"] == b["start"] for a, b in zip(rows, rows[1:], strict=False))
    night = model_demo_segments(rec, 0.5, start, end, lambda r, t: t.hour < 6, random.Random(3))
    assert {r["replicas"] for r in night if r["scheduled_down"]} == {0}
    again = demo_segments([rec], lambda r: 0.5, end, 2, seed=3)
    assert again == rows  # the same seed, the same history
