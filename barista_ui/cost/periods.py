"""The Cost tab's periods: local days in the cost timezone, with an explicit ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from barista_ui.cost.coverage import describe_range


@dataclass
class Period:
    start: datetime
    end: datetime  # excluded
    now: datetime

    @property
    def days(self) -> float:
        """Days of the period that have happened (a period ending in the future is cut at now)."""
        span = min(self.end, self.now) - self.start
        return max(span.total_seconds() / 86400, 1 / 24)

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        """The last local day with figures: the period's last day, or today if it ends later."""
        last = (self.end - timedelta(microseconds=1)).date()
        return min(last, self.now.astimezone(self.start.tzinfo).date())

    def describe(self) -> str:
        """``2026-10-28 – 2026-11-26 (30 days)``: the days the figures cover."""
        return describe_range(self.first_day, self.last_day)


def local_period(tz: str, first: date, last_inclusive: date, now: datetime) -> Period:
    z = ZoneInfo(tz)
    return Period(
        datetime.combine(first, time(0), z),
        datetime.combine(last_inclusive + timedelta(days=1), time(0), z),
        now,
    )


def month_start(tz: str, now: datetime) -> datetime:
    """Local midnight on the 1st of ``now``'s month."""
    z = ZoneInfo(tz)
    return datetime.combine(now.astimezone(z).date().replace(day=1), time(0), z)


def last_days(tz: str, days: int, now: datetime) -> Period:
    today = now.astimezone(ZoneInfo(tz)).date()
    return local_period(tz, today - timedelta(days=days - 1), today, now)


MAX_CUSTOM_DAYS = 400


def chosen_period(
    tz: str, last_n_days: int, first: str | None, last: str | None, now: datetime
) -> Period:
    """The Cost tab's period: the last ``last_n_days`` local days, or (with 0) the custom
    range from ``first`` to ``last`` included, given as ISO dates. ValueError says what is
    wrong with a custom range."""
    if last_n_days:
        return last_days(tz, last_n_days, now)
    try:
        first_day, last_day = date.fromisoformat(first or ""), date.fromisoformat(last or "")
    except (TypeError, ValueError):
        raise ValueError("custom range: pick both dates") from None
    if last_day < first_day:
        raise ValueError("custom range: 'To' is before 'From'")
    if (last_day - first_day).days > MAX_CUSTOM_DAYS:
        raise ValueError(f"custom range: at most {MAX_CUSTOM_DAYS} days")
    return local_period(tz, first_day, last_day, now)
