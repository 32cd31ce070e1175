"""Prices and the hourly rate of one replica.

Rate = CPU request (cores) x vCPU price + memory request in GiB (2^30 bytes) x GiB price
+ GPU count x that GPU's price; where usage is known, max(request, usage) for CPU and memory,
as OpenCost does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from k8s.quantity import parse_quantity

GIB = Decimal(2**30)


@dataclass(frozen=True)
class PriceEntry:
    region: str
    machine_family: str
    cpu_hourly: float
    memory_gib_hourly: float
    gpu_hourly: dict[str, float] = field(default_factory=dict)
    source: str = ""
    as_of: date = date(2026, 11, 1)


DEFAULT_PRICES = PriceEntry(
    region="us-central1",
    machine_family="default",
    cpu_hourly=0.031611,
    memory_gib_hourly=0.004237,
    gpu_hourly={"nvidia-tesla-t4": 0.35, "nvidia-l4": 0.56004, "nvidia-tesla-a100": 2.933908},
    source="OpenCost default on-demand list prices, us-central1",
    as_of=date(2026, 11, 1),
)


class PricingError(ValueError):
    pass


def _quantity(value: Any, what: str) -> Decimal:
    try:
        q = parse_quantity(value)
    except (ValueError, TypeError):
        raise PricingError(f"{what} '{value}' is not a Kubernetes quantity") from None
    if q < 0:
        raise PricingError(f"{what} '{value}' is negative")
    return q


def rate_breakdown(
    cpu: Any,
    memory: Any,
    gpu_count: int = 0,
    gpu_type: str | None = None,
    prices: PriceEntry = DEFAULT_PRICES,
    *,
    cpu_usage: Any | None = None,
    memory_usage: Any | None = None,
) -> dict[str, float]:
    """Hourly USD of one replica, split into cpu, memory and gpu."""
    cores = _quantity(cpu, "cpu")
    mem = _quantity(memory, "memory")
    if cpu_usage is not None:
        cores = max(cores, _quantity(cpu_usage, "cpu usage"))
    if memory_usage is not None:
        mem = max(mem, _quantity(memory_usage, "memory usage"))
    gpu = 0.0
    if gpu_count:
        if gpu_type not in prices.gpu_hourly:
            known = ", ".join(sorted(prices.gpu_hourly))
            raise PricingError(f"no price for GPU type '{gpu_type}'; priced types: {known}")
        gpu = gpu_count * prices.gpu_hourly[gpu_type]
    return {
        "cpu": float(cores) * prices.cpu_hourly,
        "memory": float(mem / GIB) * prices.memory_gib_hourly,
        "gpu": gpu,
    }


def hourly_rate(
    cpu: Any,
    memory: Any,
    gpu_count: int = 0,
    gpu_type: str | None = None,
    prices: PriceEntry = DEFAULT_PRICES,
    **usage: Any,
) -> float:
    return sum(rate_breakdown(cpu, memory, gpu_count, gpu_type, prices, **usage).values())


def spec_rate(spec: Any, prices: PriceEntry = DEFAULT_PRICES) -> float:
    """Hourly rate of one replica of a ModelSpec (requests only)."""
    r = spec.resources
    return hourly_rate(r.requests.cpu, r.requests.memory, r.gpu.count, r.gpu.type, prices)


def monthly_cost(
    rate: float, replicas: int, up_fraction: float = 1.0, hours: float = 730.0
) -> float:
    return rate * replicas * hours * up_fraction


def edit_delta_per_month(
    old_rate: float,
    old_replicas: int,
    new_rate: float,
    new_replicas: int,
    up_fraction_old: float = 1.0,
    up_fraction_new: float = 1.0,
    hours: float = 730.0,
) -> float:
    return monthly_cost(new_rate, new_replicas, up_fraction_new, hours) - monthly_cost(
        old_rate, old_replicas, up_fraction_old, hours
    )
