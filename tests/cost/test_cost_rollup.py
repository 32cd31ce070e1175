"""Daily roll-ups: the same figures as the raw segments, kept correct when history changes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from barista_ui.cost.model import daily_costs, weekday_hour_grid
from barista_ui.cost.service import CostService
from data.cost_tables import ReplicaSegment
from data.db import session_factory, transaction
from tests.actors import ANA

BERLIN = ZoneInfo("Europe/Berlin")


def _random_history(new, start: datetime, hours: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    rows = []
    for m in range(6):
        t = start
        while t < start + timedelta(hours=hours):
            step = timedelta(minutes=rng.choice([7, 45, 90, 300, 1500]))
            down = rng.random() < 0.2
            rows.append(
                {
                    "namespace": "ml",
                    "name": f"m{m}",
                    "team": f"t{m % 2}",
                    "start": t,
                    "end": t + step,
                    "replicas": 0 if down else rng.randint(1, 4),
                    "reason": "schedule" if down else "watch",
                    "hourly_rate": 0.1 + m / 10,
                    "scheduled_down": down,
                    "baseline_replicas": 3 if down else None,
                }
            )
            t += step
        rows[-1]["end"] = None  # still running
    with transaction(new) as s:
        s.execute(insert(ReplicaSegment), rows)


def _keyed(df):
    return {
        (r.day, r.model): (r.cost_usd, r.saved_usd, r.replica_hours)
        for r in df.groupby(["day", "model"], as_index=False).sum(numeric_only=True).itertuples()
    }


@pytest.mark.parametrize("tz", ["UTC", "Europe/Berlin"])
def test_rolled_up_report_equals_raw_segments_across_a_dst_change(engine, tz) -> None:
    new = session_factory(engine)
    start = datetime(2026, 10, 20, 3, 17, tzinfo=UTC)
    now = datetime(2026, 10, 30, 14, 5, tzinfo=UTC)  # Berlin leaves summer time on the 25th
    _random_history(new, start, 24 * 10 + 11)
    svc = CostService(new, clock=lambda: now, tz=tz)
    raw = daily_costs(svc.frame(start, now), start - timedelta(days=1), now, now, tz)
    assert svc.rolled_through() is None
    lo = datetime(2026, 10, 19, 9, 30, tzinfo=UTC)  # mid-day start: an edge from raw segments
    rolled = svc.daily(lo, now + timedelta(days=1))
    assert svc.rolled_through() == now.astimezone(ZoneInfo(tz)).date()
    want = _keyed(raw)
    got = _keyed(rolled)
    assert got.keys() == want.keys()
    for k, v in want.items():
        assert got[k] == pytest.approx(v, abs=1e-9), k
    by_team_day = svc.totals(lo, now + timedelta(days=1), ["day", "team"])
    raw_team_day = raw.groupby(["day", "team"])["cost_usd"].sum()
    assert len(by_team_day) == len(raw_team_day)
    for r in by_team_day.itertuples():
        assert r.cost_usd == pytest.approx(raw_team_day[(r.day, r.team)], abs=1e-9)
    only_t1 = svc.totals(lo, now + timedelta(days=1), ["model"], teams=["t1"])
    assert set(only_t1["model"]) == {"m1", "m3", "m5"}
    (total,) = svc.totals(lo, now + timedelta(days=1), [])["saved_usd"]
    assert total == pytest.approx(raw["saved_usd"].sum()) and total > 0
    if tz == "Europe/Berlin":
        hours = rolled.groupby("day")["hours"].max()
        assert hours[datetime(2026, 10, 25).date()] == pytest.approx(25.0)  # fall-back day


def test_a_late_observation_inside_rolled_days_is_counted(engine) -> None:
    new = session_factory(engine)
    now = datetime(2026, 11, 10, 12, tzinfo=UTC)
    svc = CostService(new, clock=lambda: now)
    svc.record_replicas("ml", "m", "t", 1, datetime(2026, 11, 1, tzinfo=UTC), "apply", rate=1.0)
    d0, d1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC)
    assert sum(r["cost_usd"] for r in svc.report(d0, d1, "day")) == pytest.approx(9 * 24)
    assert svc.rolled_through() == now.date()
    # an observation dated back on the 5th (a recorder catching up): 3 replicas since then
    svc.record_replicas("ml", "m", "t", 3, datetime(2026, 11, 5, tzinfo=UTC), "watch", rate=1.0)
    assert svc.rolled_through() < datetime(2026, 11, 5).date()
    by_day = {r["day"]: r["cost_usd"] for r in svc.report(d0, d1, "day")}
    assert by_day["2026-11-04"] == pytest.approx(24)
    assert by_day["2026-11-05"] == pytest.approx(72)
    assert svc.rolled_through() == now.date()


def test_weekday_hour_heatmap_by_hand(engine) -> None:
    new = session_factory(engine)
    # Monday 2026-11-16 09:00-11:30 Berlin: 2 replicas; Tuesday 14:00-15:00: 4 replicas
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    svc = CostService(new, clock=lambda: now, tz="Europe/Berlin")
    rec = svc.record_replicas
    rec("ml", "a", "t", 2, datetime(2026, 11, 16, 9, tzinfo=BERLIN), "apply", rate=1.0)
    rec("ml", "a", "t", 0, datetime(2026, 11, 16, 11, 30, tzinfo=BERLIN), "toggle", rate=1.0)
    rec("ml", "a", "t", 4, datetime(2026, 11, 17, 14, tzinfo=BERLIN), "apply", rate=1.0)
    rec("ml", "a", "t", 0, datetime(2026, 11, 17, 15, tzinfo=BERLIN), "toggle", rate=1.0)
    start = datetime(2026, 11, 16, tzinfo=BERLIN)
    grid = weekday_hour_grid(svc.hourly(start, start + timedelta(days=7)))
    assert grid.loc[0, 9] == pytest.approx(2)
    assert grid.loc[0, 10] == pytest.approx(2)
    assert grid.loc[0, 11] == pytest.approx(1)  # 2 replicas for half of the hour
    assert grid.loc[1, 14] == pytest.approx(4)
    assert grid.loc[1, 15] == 0
    assert grid.to_numpy().sum() == pytest.approx(9)


@pytest.mark.postgres
def test_rollups_billing_and_prices_on_postgres(postgres_url: str) -> None:
    from barista_ui.cost.billing import BillingFileError
    from data.db import make_engine, migrate

    engine = make_engine(postgres_url)
    migrate(engine)
    new = session_factory(engine)
    start = datetime(2026, 10, 20, 3, 17, tzinfo=UTC)
    now = datetime(2026, 10, 30, 14, 5, tzinfo=UTC)
    _random_history(new, start, 24 * 10 + 11)
    svc = CostService(new, clock=lambda: now, tz="Europe/Berlin")
    raw = daily_costs(svc.frame(start, now), start - timedelta(days=1), now, now, svc.tz)
    rolled = svc.daily(datetime(2026, 10, 19, 9, 30, tzinfo=UTC), now + timedelta(days=1))
    assert svc.rolled_through() == now.astimezone(BERLIN).date()
    want, got = _keyed(raw), _keyed(rolled)
    assert got.keys() == want.keys()
    for k, v in want.items():
        assert got[k] == pytest.approx(v, abs=1e-9), k
    line = (
        '{"usage_start_time": "2026-10-21 10:00:00 UTC", "cost": 3, "credits": [{"amount": -1}],'
        ' "labels": [{"key": "k8s-label/team", "value": "t1"}]}'
    )
    assert svc.import_billing(line.encode(), "gcp", actor=ANA)["new_usd"] == 2.0
    with pytest.raises(BillingFileError, match="line 2"):
        svc.import_billing((line + "\n{").encode(), "gcp", actor=ANA)
    compare = svc.modeled_vs_billed(datetime(2026, 10, 21, tzinfo=UTC), now)
    assert compare.loc[compare["team"] == "t1", "billed_usd"].sum() == 2.0
    svc.set_budget("t1", 500, actor=ANA)
    assert svc.budgets() == {"t1": 500.0}
    engine.dispose()


def test_services_roll_up_in_the_background(tmp_path) -> None:
    import time

    from barista_ui.app import build_app
    from barista_ui.settings import Settings

    services = build_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", cluster="none", seed_demo=True)
    )
    try:
        cost = services.cost
        assert cost.rolled_through() is None  # the demo history is not rolled up yet
        services.start_cost_rollups()
        deadline = time.monotonic() + 30
        while cost.rolled_through() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cost.rolled_through() == datetime.now(UTC).date()
    finally:
        services.stop()
