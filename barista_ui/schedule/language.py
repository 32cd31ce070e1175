"""The schedule language: parse specs, evaluate them at an instant, list the next transitions.

A spec is ``always``, ``never`` or a comma-separated list (OR) of windows:

- weekly ``DAY-DAY HH:MM-HH:MM TZ``: days inclusive and wrapping (``Sun-Fri``), times half-open
  ``[start, end)``, ``24:00`` allowed as an end; an end before the start crosses midnight and
  belongs to its start day (``Fri-Fri 22:00-06:00`` covers Saturday 03:00); the TZ is an IANA
  name, optional only where a default timezone is given;
- absolute ``START-END`` in RFC 3339, start included, end excluded.

Weekly windows are evaluated in their own wall-clock time: a boundary that does not exist on a
spring-forward day takes effect at the first instant after the gap; an ambiguous one on a
fall-back day means its first occurrence. Everything here is a pure function of its arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = "Mon, Tue, Wed, Thu, Fri, Sat, Sun"
State = Literal["up", "down"]

_RFC3339 = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|z|[+-]\d{2}:\d{2})"
_ABSOLUTE = re.compile(rf"^({_RFC3339})\s*-\s*({_RFC3339})$")
_WEEKLY = re.compile(r"^([A-Za-z]+)\s*-\s*([A-Za-z]+)\s+(\S+?)\s*-\s*(\S+?)(?:\s+(\S+))?$")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
MAX_SPEC_CHARS = 1024  # a week of windows fits many times over; more is a mistake or an attack


class ScheduleError(ValueError):
    """A spec could not be parsed; the message quotes the offending part."""


@dataclass(frozen=True)
class WeeklyWindow:
    first_day: int  # 0 = Monday
    last_day: int
    start: time
    end: time | None  # None means 24:00
    tz: ZoneInfo
    text: str

    @property
    def days(self) -> frozenset[int]:
        n = (self.last_day - self.first_day) % 7
        return frozenset((self.first_day + i) % 7 for i in range(n + 1))

    def instances(self, first: date, last: date):
        """(start, end) UTC instants of the occurrences starting on local dates in [first, last]."""
        d = first
        while d <= last:
            if d.weekday() in self.days:
                start = wall_to_instant(d, self.start, self.tz)
                if self.end is None:
                    end = wall_to_instant(d + timedelta(days=1), time(0), self.tz)
                elif self.end > self.start:
                    end = wall_to_instant(d, self.end, self.tz)
                else:
                    end = wall_to_instant(d + timedelta(days=1), self.end, self.tz)
                if end > start:
                    yield start, end
            d += timedelta(days=1)


@dataclass(frozen=True)
class AbsoluteWindow:
    start: datetime
    end: datetime
    text: str


@dataclass(frozen=True)
class Spec:
    kind: Literal["always", "never", "windows"]
    windows: tuple[WeeklyWindow | AbsoluteWindow, ...]
    text: str


@dataclass(frozen=True)
class Schedule:
    """Either an uptime spec (up inside) or a downtime spec (down inside); neither = always up."""

    uptime: Spec | None = None
    downtime: Spec | None = None


# ------------------------------------------------------------------ time helpers


def wall_to_instant(d: date, t: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time; gaps move to their end, overlaps take the first."""
    local = datetime.combine(d, t).replace(tzinfo=tz, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant  # exists (and fold=0 is the first of two, if ambiguous)
    # In a spring-forward gap: find the transition between the two readings of the wall time.
    lo = local.replace(fold=1).astimezone(UTC)
    hi = instant
    if lo > hi:
        lo, hi = hi, lo
    after = hi.astimezone(tz).utcoffset()
    while (hi - lo) > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0) if hi.microsecond else hi


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        raise ScheduleError(
            f"unknown timezone '{name}': use an IANA name such as Europe/Berlin or UTC"
        ) from None


def parse_time(text: str, default_tz: str | None = None) -> datetime:
    """RFC 3339 with Z/offset, or a naive ``YYYY-MM-DD[THH:MM[:SS]]`` in ``default_tz`` (or UTC)."""
    raw = text.strip()
    try:
        dt = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ScheduleError(
            f"invalid time '{text}': use RFC 3339, e.g. 2026-11-24T07:30:00Z or 2026-11-24T08:30:00+01:00"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone(default_tz) if default_tz else UTC)
    return dt.astimezone(UTC)


def format_utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ parsing


def _hhmm(value: str, part: str, *, is_end: bool) -> time | None:
    m = _HHMM.match(value)
    if not m:
        raise ScheduleError(
            f"invalid time '{value}' in '{part}': use HH:MM between 00:00 and 24:00"
        )
    h, mi = int(m.group(1)), int(m.group(2))
    if h == 24 and mi == 0:
        if not is_end:
            raise ScheduleError(
                f"invalid time '{value}' in '{part}': 24:00 is allowed only as an end"
            )
        return None
    if h > 23 or mi > 59:
        raise ScheduleError(
            f"invalid time '{value}' in '{part}': use HH:MM between 00:00 and 24:00"
        )
    return time(h, mi)


def _day(value: str, part: str) -> int:
    key = value.lower()
    if key not in DAYS:
        raise ScheduleError(f"invalid day '{value}' in '{part}': use {DAY_NAMES}")
    return DAYS.index(key)


def _parse_part(part: str, default_tz: str | None) -> WeeklyWindow | AbsoluteWindow:
    m = _ABSOLUTE.match(part)
    if m:
        start, end = parse_time(m.group(1)), parse_time(m.group(2))
        if end <= start:
            raise ScheduleError(f"absolute window '{part}' ends before it starts")
        return AbsoluteWindow(start, end, part)
    m = _WEEKLY.match(part)
    if not m:
        raise ScheduleError(
            f"cannot read '{part}': use 'Mon-Fri 07:30-20:30 Europe/Berlin', an RFC 3339 range "
            "'2026-12-24T00:00:00Z-2026-12-27T00:00:00Z', 'always' or 'never'"
        )
    first, last = _day(m.group(1), part), _day(m.group(2), part)
    start_at = _hhmm(m.group(3), part, is_end=False)
    end_at = _hhmm(m.group(4), part, is_end=True)
    assert start_at is not None
    if end_at == start_at:
        raise ScheduleError(f"start and end are equal in '{part}': the window would be empty")
    tz_name = m.group(5) or default_tz
    if not tz_name:
        raise ScheduleError(f"no timezone in '{part}': add one, e.g. '{part} Europe/Berlin'")
    return WeeklyWindow(first, last, start_at, end_at, zone(tz_name), part)


@lru_cache(maxsize=4096)
def parse_spec(text: str, default_tz: str | None = None) -> Spec:
    if len(text or "") > MAX_SPEC_CHARS:
        raise ScheduleError(
            f"schedule is {len(text):,} characters long; at most {MAX_SPEC_CHARS:,} are allowed"
        )
    raw = (text or "").strip()
    if not raw:
        raise ScheduleError(
            "empty schedule: use 'always', 'never' or windows like 'Mon-Fri 08:00-18:00 UTC'"
        )
    parts = [p.strip() for p in raw.split(",")]
    if any(not p for p in parts):
        raise ScheduleError(f"empty part in '{raw}': remove the extra comma")
    keywords = [p for p in parts if p.lower() in ("always", "never")]
    if keywords:
        if len(parts) > 1:
            raise ScheduleError(f"'{keywords[0]}' cannot be combined with other windows in '{raw}'")
        return Spec(keywords[0].lower(), (), raw)  # type: ignore[arg-type]
    return Spec("windows", tuple(_parse_part(p, default_tz) for p in parts), raw)


def parse_schedule(
    uptime: str | None, downtime: str | None, default_tz: str | None = None
) -> Schedule:
    if uptime and downtime:
        raise ScheduleError("give either an uptime or a downtime schedule, not both")
    return Schedule(
        uptime=parse_spec(uptime, default_tz) if uptime else None,
        downtime=parse_spec(downtime, default_tz) if downtime else None,
    )


# ------------------------------------------------------------------ evaluation


def in_spec(spec: Spec, at: datetime) -> bool:
    if spec.kind != "windows":
        return spec.kind == "always"
    at = at.astimezone(UTC)
    for w in spec.windows:
        if isinstance(w, AbsoluteWindow):
            if w.start <= at < w.end:
                return True
            continue
        local = at.astimezone(w.tz).date()
        for start, end in w.instances(local - timedelta(days=1), local):
            if start <= at < end:
                return True
    return False


def state_at(schedule: Schedule, at: datetime) -> State:
    if schedule.uptime is not None:
        return "up" if in_spec(schedule.uptime, at) else "down"
    if schedule.downtime is not None:
        return "down" if in_spec(schedule.downtime, at) else "up"
    return "up"


def _boundaries(spec: Spec, start: datetime, end: datetime) -> set[datetime]:
    out: set[datetime] = set()
    for w in spec.windows:
        if isinstance(w, AbsoluteWindow):
            out.update(x for x in (w.start, w.end) if start < x <= end)
            continue
        first = start.astimezone(w.tz).date() - timedelta(days=1)
        last = end.astimezone(w.tz).date()
        for s, e in w.instances(first, last):
            out.update(x for x in (s, e) if start < x <= end)
    return out


def next_transitions(
    schedule: Schedule, after: datetime, count: int = 1, horizon_days: int = 400
) -> list[tuple[datetime, State]]:
    """The next ``count`` instants (strictly after ``after``) where the state changes."""
    spec = schedule.uptime or schedule.downtime
    if spec is None or spec.kind != "windows":
        return []
    after = after.astimezone(UTC)
    out: list[tuple[datetime, State]] = []
    state = state_at(schedule, after)
    cursor = after
    limit = after + timedelta(days=horizon_days)
    step = timedelta(days=8)
    while len(out) < count and cursor < limit:
        chunk_end = min(cursor + step, limit)
        for instant in sorted(_boundaries(spec, cursor, chunk_end)):
            new = state_at(schedule, instant)
            if new != state:
                out.append((instant, new))
                state = new
                if len(out) == count:
                    break
        cursor = chunk_end
    return out


def up_hours_per_week(schedule: Schedule, week_start: datetime) -> float:
    """Exact hours up in the 168 hours after ``week_start``."""
    end = week_start + timedelta(days=7)
    state = state_at(schedule, week_start)
    cursor, up = week_start, 0.0
    for instant, new in next_transitions(schedule, week_start, count=1000, horizon_days=8):
        if instant >= end:
            break
        if state == "up":
            up += (instant - cursor).total_seconds()
        cursor, state = instant, new
    if state == "up":
        up += (end - cursor).total_seconds()
    return up / 3600


def week_grid(schedule: Schedule, week_start_local: date, tz: ZoneInfo) -> list[list[State]]:
    """7 x 24 states (Monday first) sampled at the start of each local hour of that week."""
    grid = []
    for day in range(7):
        d = week_start_local + timedelta(days=day)
        grid.append([state_at(schedule, wall_to_instant(d, time(h), tz)) for h in range(24)])
    return grid


@lru_cache(maxsize=64)
def _holiday_calendar(country: str, subdiv: str | None):
    import holidays

    known = holidays.list_supported_countries()
    if country not in known:
        raise ScheduleError(
            f"unknown holiday calendar country '{country[:16]}': use an ISO 3166 code such as "
            "US, DE, GB, FR or JP"
        )
    if subdiv is None:
        return holidays.country_holidays(country)
    spelled = {s.upper(): s for s in known[country]}
    if subdiv not in spelled:
        allowed = ", ".join(known[country]) or "none"
        raise ScheduleError(
            f"unknown subdivision '{subdiv[:16]}' for country '{country}': use one of {allowed}"
        )
    return holidays.country_holidays(country, subdiv=spelled[subdiv])


def holiday_name(at: datetime, country: str, subdiv: str | None, tz: str) -> str | None:
    """The holiday on ``at``'s local date in ``tz``, if any (a holiday's whole day is down)."""
    local = at.astimezone(zone(tz)).date()
    return _holiday_calendar(country.upper(), subdiv.upper() if subdiv else None).get(local)
