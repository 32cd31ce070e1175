"""Amounts of USD as they come in (budgets typed in, billing exports, price tables): one check
that refuses what would poison every sum after it.

Limits: an amount is a finite number (no NaN, no infinity, nothing that overflows to one, such
as ``1e309``); a budget, a billing row or a billing file's total is at most ``MAX_USD`` (one
trillion USD) either way; a price per vCPU-, GiB- or GPU-hour is at most ``MAX_UNIT_PRICE_USD``
(ten thousand USD). Only billing rows may be negative (credits and refunds)."""

from __future__ import annotations

import math
from typing import Any

MAX_USD = 1e12
MAX_UNIT_PRICE_USD = 1e4


class MoneyError(ValueError):
    """An amount refused; the message names the field and the value."""


def amount_problem(
    value: Any, *, allow_negative: bool = False, limit: float = MAX_USD
) -> tuple[float, str]:
    """``(amount, "")`` for a usable amount, else ``(nan, what is wrong)`` to follow the value
    in a message ("'inf' is not a finite amount of USD")."""
    if isinstance(value, bool) or value is None:
        return math.nan, " is not a number"
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        return math.nan, " is not a number"
    if not math.isfinite(x):
        return math.nan, " is not a finite amount of USD"
    if x < 0 and not allow_negative:
        return math.nan, ": use a number of USD >= 0"
    if abs(x) > limit:
        return math.nan, f" is beyond the limit of {limit:,.0f} USD"
    return x, ""


def check_amount(
    value: Any, field: str, *, allow_negative: bool = False, limit: float = MAX_USD
) -> float:
    """``value`` as a float of USD, or ``MoneyError`` naming ``field``."""
    x, problem = amount_problem(value, allow_negative=allow_negative, limit=limit)
    if problem:
        raise MoneyError(f"{field} '{value}'{problem}")
    return x
