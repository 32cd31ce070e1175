"""What a replica costs per hour and a total for replicas x hours (``barista cost estimate`` and
``GET /api/v1/cost/estimate`` answer with this)."""

from __future__ import annotations

from typing import Any

from barista_ui.cost.rates import PriceEntry, rate_breakdown

MAX_ESTIMATE_HOURS = 876_000  # a hundred years


def estimate(
    prices: PriceEntry,
    cpu: str,
    memory: str,
    gpu: int = 0,
    gpu_type: str | None = None,
    replicas: int = 1,
    hours: float = 1.0,
) -> dict[str, Any]:
    """Raises PricingError for quantities or GPU types the price table cannot price."""
    parts = rate_breakdown(cpu, memory, gpu, gpu_type, prices)
    hourly = sum(parts.values())
    return {
        "hourly_usd": round(hourly, 6),
        "total_usd": round(hourly * replicas * hours, 6),
        "replicas": replicas,
        "hours": hours,
        "breakdown_usd": {k: round(v, 6) for k, v in parts.items()},
        "prices": {
            "region": prices.region,
            "machine_family": prices.machine_family,
            "source": prices.source,
            "as_of": prices.as_of.isoformat(),
        },
    }


def estimate_text(est: dict[str, Any]) -> str:
    """The one-line form the CLI prints."""
    parts = est["breakdown_usd"]
    return (
        f"${est['hourly_usd']:.4f} per replica-hour (cpu ${parts['cpu']:.4f}, memory "
        f"${parts['memory']:.4f}, gpu ${parts['gpu']:.4f}); {est['replicas']} x {est['hours']:g} h = "
        f"${est['total_usd']:.2f}"
    )
