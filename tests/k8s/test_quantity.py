"""Barista reads quantities exactly as the official client does (same value, same refusals)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from kubernetes.utils import parse_quantity as official

from k8s.quantity import parse_quantity

CASES = [
    "500m",
    "1",
    "2.5",
    "0",
    "2Gi",
    "512Mi",
    "1Ki",
    "1k",
    "1K",
    "1e3",
    "1E3",
    "3M",
    "1Ti",
    "1Pi",
    "1Ei",
    "100n",
    "7u",
    "1mi",
    "1ki",
    "1ni",
    "1ui",
    "2 cores",
    "abc",
    "",
    "1.5Gi",
    "-1",
    "1e",
    "Gi",
    "m",
    "1Mi ",
    " 1",
    "1e400000000Gi",
    "0.0001",
    "1iB",
    3,
    2.5,
]


@pytest.mark.parametrize("text", CASES, ids=[repr(c) for c in CASES])
def test_same_value_or_same_refusal_as_the_official_client(text) -> None:
    try:
        expected: Decimal | str = official(text)
    except (ValueError, ArithmeticError) as exc:
        expected = type(exc).__name__
    try:
        got: Decimal | str = parse_quantity(text)
    except (ValueError, ArithmeticError) as exc:
        got = type(exc).__name__
    assert got == expected
