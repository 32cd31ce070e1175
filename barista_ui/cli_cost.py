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


class ReportFmt(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@cost_app.command("report")
def report(
    from_: str = typer.Option(..., "--from", help="First day (included), YYYY-MM-DD"),
    to: str = typer.Option(..., "--to", help="Last day (excluded), YYYY-MM-DD"),
    by: str = typer.Option("team", "--by", help="model, team, namespace or day"),
    source: str = typer.Option("modeled", "--source", help="modeled (billing import: not yet)"),
    fmt: ReportFmt = typer.Option(ReportFmt.table, "--format"),
) -> None:
    """Modeled cost (and what scale-to-zero saved) from the replica history."""
    import csv
    import io
    from datetime import date, datetime, time

    from barista_ui.cli import services
    from barista_ui.schedule import zone

    if by not in ("model", "team", "namespace", "day"):
        typer.echo("error: --by must be model, team, namespace or day", err=True)
        raise typer.Exit(2)
    if source != "modeled":
        typer.echo(
            "error: only --source modeled is available; billing import is not built yet", err=True
        )
        raise typer.Exit(2)
    svc = services()
    tz = zone(svc.settings.cost_timezone)
    try:
        start = datetime.combine(date.fromisoformat(from_), time(0), tz)
        end = datetime.combine(date.fromisoformat(to), time(0), tz)
    except ValueError as exc:
        typer.echo(f"error: dates must be YYYY-MM-DD: {exc}", err=True)
        raise typer.Exit(2) from None
    if end <= start:
        typer.echo("error: --to must be after --from", err=True)
        raise typer.Exit(2)
    rows = svc.cost_service().report(start, end, by)
    if fmt == ReportFmt.json:
        typer.echo(json.dumps(rows, indent=2))
    elif fmt == ReportFmt.csv:
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        typer.echo(buf.getvalue(), nl=False)
    else:
        keys = [k for k in (rows[0] if rows else {}) if k not in ("cost_usd", "saved_usd")]
        width = {k: max([len(k)] + [len(str(r[k])) for r in rows]) for k in keys}
        typer.echo("  ".join(k.upper().ljust(width[k]) for k in keys) + "  COST_USD    SAVED_USD")
        for r in rows:
            typer.echo(
                "  ".join(str(r[k]).ljust(width[k]) for k in keys)
                + f"  {r['cost_usd']:>10.2f}  {r['saved_usd']:>10.2f}"
            )
        total = sum(r["cost_usd"] for r in rows)
        typer.echo(f"total ${total:,.2f}, saved ${sum(r['saved_usd'] for r in rows):,.2f}")
