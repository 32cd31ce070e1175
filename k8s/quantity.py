"""Kubernetes resource quantities ("500m", "2Gi", "1e3"), parsed by the official client's own
parser so Barista reads them exactly as the API server does."""

from __future__ import annotations

from decimal import Decimal

from kubernetes.utils import parse_quantity as _parse_quantity


def parse_quantity(quantity: str | int | float) -> Decimal:
    """The quantity as a Decimal; raises ValueError for text the API server would refuse."""
    return _parse_quantity(quantity)


__all__ = ["parse_quantity"]
