"""Kubernetes resource quantities ("500m", "2Gi", "1e3"), read by the same rules as the official
client's ``kubernetes.utils.parse_quantity`` (tests/k8s/test_quantity.py checks they agree).

Kept here rather than imported: importing the ``kubernetes`` package costs about a second, and
every record validation (the CLI's too) reads quantities."""

from __future__ import annotations

from decimal import Decimal, DecimalException, InvalidOperation

_EXPONENTS = {"n": -3, "u": -2, "m": -1, "K": 1, "k": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
_BINARY_PREFIXES = ("K", "M", "G", "T", "P", "E")


def parse_quantity(quantity: str | int | float | Decimal) -> Decimal:
    """The quantity as a Decimal; raises ValueError for text the API server would refuse."""
    if isinstance(quantity, int | float | Decimal):
        return Decimal(quantity)
    text = str(quantity)
    number, suffix = text, ""
    if len(text) >= 2 and text[-1] == "i" and text[-2] in _EXPONENTS:
        number, suffix = text[:-2], text[-2:]
    elif len(text) >= 1 and text[-1] in _EXPONENTS:
        number, suffix = text[:-1], text[-1:]
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"Invalid number format: {number}") from None
    if not suffix:
        return value
    if suffix.endswith("i"):
        if suffix[0] not in _BINARY_PREFIXES:  # "ki", "mi", "ni", "ui" are not binary suffixes
            raise ValueError(f"{text} has unknown suffix")
        base = 1024
    else:
        base = 1000
    try:
        return value * (base ** Decimal(_EXPONENTS[suffix[0]]))
    except DecimalException as exc:
        raise ValueError(f"Invalid quantity: {text}") from exc


__all__ = ["parse_quantity"]
