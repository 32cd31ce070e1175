"""``barista cost ...``: what a model costs."""

from __future__ import annotations

import json
from enum import StrEnum

import typer

from barista_ui.pricing import DEFAULT_PRICES, PricingError, rate_breakdown

cost_app = typer.Typer(help="Cost: estimate what a model costs to serve.", no_args_is_help=True)


class CostFmt(StrEnum):
    text = "text"
    json = "json"


@cost_app.command("estimate")
def estimate(
    cpu: str = typer.Option(..., "--cpu", help="CPU request, e.g. 4 or 500m"),
    memory: str = typer.Option(..., "--memory", help="Memory request, e.g. 16Gi"),
    gpu: int = typer.Option(0, "--gpu", min=0),
    gpu_type: str | None = typer.Option(None, "--gpu-type"),
    replicas: int = typer.Option(1, "--replicas", min=0),
    hours: float = typer.Option(1.0, "--hours", min=0),
    fmt: CostFmt = typer.Option(CostFmt.text, "--format"),
) -> None:
    """Hourly price of one replica and the total for REPLICAS x HOURS (on-demand list prices)."""
    try:
        parts = rate_breakdown(cpu, memory, gpu, gpu_type)
    except PricingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    hourly = sum(parts.values())
    total = hourly * replicas * hours
    if fmt == CostFmt.json:
        typer.echo(
            json.dumps(
                {
                    "hourly_usd": round(hourly, 6),
                    "total_usd": round(total, 6),
                    "replicas": replicas,
                    "hours": hours,
                    "breakdown_usd": {k: round(v, 6) for k, v in parts.items()},
                    "prices": {
                        "region": DEFAULT_PRICES.region,
                        "source": DEFAULT_PRICES.source,
                        "as_of": DEFAULT_PRICES.as_of.isoformat(),
                    },
                }
            )
        )
    else:
        typer.echo(
            f"${hourly:.4f} per replica-hour (cpu ${parts['cpu']:.4f}, memory "
            f"${parts['memory']:.4f}, gpu ${parts['gpu']:.4f}); {replicas} x {hours:g} h = "
            f"${total:.2f}"
        )
