"""Daily cost per model from OpenCost's ``/allocation`` API (optional source).

One request per period: ``window=<start>,<end>`` (RFC 3339 pair), ``step=1d``,
``aggregate=label:<model label>``, ``accumulate=false``. The answer's ``data`` is a list of
allocation sets, one per day, each a mapping from label value to an allocation with
``totalCost``, ``cpuEfficiency``, ``ramEfficiency``, ``totalEfficiency`` and its ``window``.
OpenCost names pods without the label ``__unallocated__`` and unused capacity ``__idle__``.
Standard library HTTP only: the API is a single GET.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from typing import Any

import pandas as pd

COLUMNS = ["day", "model", "cost_usd", "cpu_efficiency", "ram_efficiency", "total_efficiency"]
SPECIAL = {"__idle__": "(idle)", "__unallocated__": "(unallocated)"}


class OpenCostError(RuntimeError):
    pass


def _rfc3339(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def allocation_frame(payload: dict[str, Any], tz: str = "UTC") -> pd.DataFrame:
    """Rows of an ``/allocation`` answer: one per model and day (the set's window start, in
    the dashboard's timezone)."""
    if not isinstance(payload, dict) or payload.get("code", 200) != 200:
        message = payload.get("message") if isinstance(payload, dict) else None
        raise OpenCostError(f"OpenCost answered with an error: {message or payload!r:.200}")
    sets = payload.get("data")
    if not isinstance(sets, list):
        raise OpenCostError("OpenCost answer has no 'data' list of allocation sets")
    rows = []
    for aset in sets:
        if not aset:
            continue
        if not isinstance(aset, dict):
            raise OpenCostError("an allocation set is not an object")
        for name, alloc in aset.items():
            if not isinstance(alloc, dict):
                continue
            start = (alloc.get("window") or {}).get("start") or alloc.get("start")
            if not start:
                raise OpenCostError(f"allocation '{name}' has no window start")
            day = pd.Timestamp(start).tz_convert(tz).date()
            rows.append(
                {
                    "day": day,
                    "model": SPECIAL.get(name, name),
                    "cost_usd": float(alloc.get("totalCost") or 0.0),
                    "cpu_efficiency": float(alloc.get("cpuEfficiency") or 0.0),
                    "ram_efficiency": float(alloc.get("ramEfficiency") or 0.0),
                    "total_efficiency": float(alloc.get("totalEfficiency") or 0.0),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


class OpenCostClient:
    def __init__(self, base_url: str, *, label: str = "model", timeout: float = 20.0):
        self.base_url = base_url.rstrip("/")
        self.label = label
        self.timeout = timeout

    def url(self, start: datetime, end: datetime) -> str:
        query = urllib.parse.urlencode(
            {
                "window": f"{_rfc3339(start)},{_rfc3339(end)}",
                "step": "1d",
                "aggregate": f"label:{self.label}",
                "accumulate": "false",
            }
        )
        return f"{self.base_url}/allocation?{query}"

    def daily(self, start: datetime, end: datetime, tz: str = "UTC") -> pd.DataFrame:
        """Cost and efficiency per model and day in [start, end)."""
        url = self.url(start, end)
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as resp:
                payload = json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            raise OpenCostError(
                f"OpenCost at {self.base_url}: HTTP {exc.code} {exc.reason}"
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OpenCostError(f"OpenCost at {self.base_url} is unreachable: {reason}") from None
        except json.JSONDecodeError:
            raise OpenCostError(f"OpenCost at {self.base_url} did not answer with JSON") from None
        return allocation_frame(payload, tz)
