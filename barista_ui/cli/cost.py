"""``barista cost ...``: what a model costs."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path

import typer

from barista_ui.cli.context import fail, handle_errors
from barista_ui.cost.csv_safe import write_csv
from barista_ui.cost.rates import DEFAULT_PRICES, PricingError, rate_breakdown

MAX_ESTIMATE_HOURS = 876_000  # a hundred years
cost_app = typer.Typer(help="Cost: estimate what a model costs to serve.", no_args_is_help=True)


class CostFmt(StrEnum):
    text = "text"
    json = "json"


def _estimate_json(parts: dict, prices, replicas: int, hours: float) -> dict:
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


@cost_app.command("estimate")
@handle_errors
def estimate(
    cpu: str = typer.Option(..., "--cpu", help="CPU request, e.g. 4 or 500m"),
    memory: str = typer.Option(..., "--memory", help="Memory request, e.g. 16Gi"),
    gpu: int = typer.Option(0, "--gpu", min=0),
    gpu_type: str | None = typer.Option(None, "--gpu-type"),
    replicas: int = typer.Option(1, "--replicas", min=0),
    hours: float = typer.Option(1.0, "--hours", min=0),
    fmt: CostFmt = typer.Option(CostFmt.text, "--format"),
    family: str = typer.Option("default", "--family", help="machine family in the price table"),
) -> None:
    """Hourly price of one replica and the total for REPLICAS x HOURS.

    Prices: BARISTA_PRICE_FILE when set (entry for BARISTA_REGION and --family), else the
    built-in on-demand list prices."""
    from barista_ui.cost.price_files import PriceFileError, pick, read_price_file
    from barista_ui.settings import Settings

    if not math.isfinite(hours) or hours > MAX_ESTIMATE_HOURS:
        fail(f"--hours '{hours}': use a number of hours from 0 to {MAX_ESTIMATE_HOURS:,}", 2)
    st = Settings()
    prices = DEFAULT_PRICES
    if st.price_file and Path(st.price_file).exists():
        try:
            table = read_price_file(st.price_file)
        except PriceFileError as exc:
            fail(str(exc))
        prices = pick(table, st.region, family)
    try:
        parts = rate_breakdown(cpu, memory, gpu, gpu_type, prices)
    except PricingError as exc:
        fail(str(exc))
    hourly = sum(parts.values())
    total = hourly * replicas * hours
    if fmt == CostFmt.json:
        typer.echo(json.dumps(_estimate_json(parts, prices, replicas, hours)))
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


class Source(StrEnum):
    modeled = "modeled"
    billing = "billing"
    opencost = "opencost"
    compare = "compare"


def _period(svc, from_: str, to: str):
    from datetime import date, datetime, time

    from barista_ui.schedule.language import zone

    tz = zone(svc.settings.cost_timezone)
    try:
        start = datetime.combine(date.fromisoformat(from_), time(0), tz)
        end = datetime.combine(date.fromisoformat(to), time(0), tz)
    except ValueError as exc:
        fail(f"--from/--to must be dates as YYYY-MM-DD: {exc}", 2)
    if end <= start:
        fail("--to must be after --from (--from is included, --to excluded)", 2)
    return start, end


def _billing_rows(cost, start, end, by: str) -> list[dict]:
    if by == "namespace":
        fail(
            "billing exports carry team and model tags, not namespaces: use "
            "--by team, model or day",
            2,
        )
    keys = {"model": ["team", "model"], "team": ["team"], "day": ["day"]}[by]
    df = cost.billed(start, end, keys)
    return [
        {**{k: str(r[k]) for k in keys}, "cost_usd": round(float(r["billed_usd"]), 4)}
        for r in df.to_dict("records")
    ]


def _compare_rows(cost, start, end, by: str) -> list[dict]:
    if by not in ("team", "day"):
        fail("--source compare is per team (--by team) or per day and team (--by day)", 2)
    df = cost.modeled_vs_billed(start, end)
    if by == "team":
        df = df.groupby("team", as_index=False)[["modeled_usd", "billed_usd"]].sum()
    rows = []
    for r in df.to_dict("records"):
        m, b = float(r["modeled_usd"]), float(r["billed_usd"])
        row: dict[str, object] = {"day": str(r["day"])} if by == "day" else {}
        row.update(
            team=r["team"],
            modeled_usd=round(m, 4),
            billed_usd=round(b, 4),
            ratio=round(b / m, 4) if m > 0 else None,
        )
        rows.append(row)
    return rows


def _opencost_rows(svc, start, end, by: str) -> list[dict]:
    from barista_ui.cost.opencost import OpenCostError

    client = svc.cost_board.opencost
    if client is None:
        fail("--source opencost needs BARISTA_OPENCOST_URL", 2)
    if by not in ("model", "day"):
        fail("OpenCost is asked per model label: use --by model or day", 2)
    try:
        df = client.daily(start, end, svc.settings.cost_timezone)
    except OpenCostError as exc:
        fail(str(exc))
    key = "model" if by == "model" else "day"
    g = df.groupby(key, as_index=False)["cost_usd"].sum().sort_values(key)
    return [
        {key: str(r[key]), "cost_usd": round(float(r["cost_usd"]), 4)} for r in g.to_dict("records")
    ]


def _report_rows(svc, start, end, by: str, source: Source) -> list[dict]:
    cost = svc.cost
    if source == Source.modeled:
        return cost.report(start, end, by)
    if source == Source.billing:
        return _billing_rows(cost, start, end, by)
    if source == Source.compare:
        return _compare_rows(cost, start, end, by)
    return _opencost_rows(svc, start, end, by)


def _echo_csv(rows: list[dict]) -> None:
    typer.echo(write_csv(rows, list(rows[0])) if rows else "", nl=False)


def _echo_table(rows: list[dict], source: Source) -> None:
    money = [
        k for k in ("cost_usd", "saved_usd", "modeled_usd", "billed_usd") if rows and k in rows[0]
    ]
    keys = [k for k in (rows[0] if rows else {}) if k not in money]
    width = {k: max([len(k)] + [len(str(r[k])) for r in rows]) for k in keys}
    typer.echo(
        "  ".join(k.upper().ljust(width[k]) for k in keys)
        + "".join(f"  {k.upper():>10}" for k in money)
    )
    for r in rows:
        typer.echo(
            "  ".join(str(r[k]).ljust(width[k]) for k in keys)
            + "".join(f"  {r[k]:>10.2f}" for k in money)
        )
    if source == Source.compare:
        m = sum(r["modeled_usd"] for r in rows)
        b = sum(r["billed_usd"] for r in rows)
        ratio = f", billed / modeled {b / m:.3g}" if m else ""
        typer.echo(f"modeled ${m:,.2f}, billed ${b:,.2f}{ratio}")
        return
    total = sum(r["cost_usd"] for r in rows)
    saved = f", saved ${sum(r['saved_usd'] for r in rows):,.2f}" if "saved_usd" in money else ""
    typer.echo(f"total ${total:,.2f}{saved} ({source.value})")


@cost_app.command("report")
@handle_errors
def report(
    from_: str = typer.Option(..., "--from", help="First day (included), YYYY-MM-DD"),
    to: str = typer.Option(..., "--to", help="Last day (excluded), YYYY-MM-DD"),
    by: str = typer.Option("team", "--by", help="model, team, namespace or day"),
    source: Source = typer.Option(
        Source.modeled,
        "--source",
        help="modeled (replica history), billing (imported), opencost, or compare (modeled vs "
        "billed with their ratio)",
    ),
    fmt: ReportFmt = typer.Option(ReportFmt.table, "--format"),
) -> None:
    """Cost per group over [--from, --to): modeled (with what scale-to-zero saved), billed
    (from imported exports) or from OpenCost. Days are cut in BARISTA_COST_TIMEZONE."""
    from barista_ui.cli.context import services

    if by not in ("model", "team", "namespace", "day"):
        fail("--by must be model, team, namespace or day", 2)
    svc = services()
    start, end = _period(svc, from_, to)
    rows = _report_rows(svc, start, end, by, source)
    if fmt == ReportFmt.json:
        typer.echo(json.dumps(rows, indent=2))
    elif fmt == ReportFmt.csv:
        _echo_csv(rows)
    else:
        _echo_table(rows, source)


class ImportFmt(StrEnum):
    focus = "focus"
    gcp = "gcp"


@cost_app.command("import")
@handle_errors
def import_(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    fmt: ImportFmt = typer.Option(
        ...,
        "--format",
        help="focus (FOCUS 1.x CSV) or gcp (BigQuery billing export as newline-delimited JSON)",
    ),
    team_key: str | None = typer.Option(None, "--team-key", help="tag/label naming the team"),
    model_key: str | None = typer.Option(None, "--model-key", help="tag/label naming the model"),
) -> None:
    """Import a billing export; the whole file or nothing. Importing it again counts nothing."""
    from barista_ui.cli.context import actor, services
    from barista_ui.cost.billing import BillingFileError
    from barista_ui.safe_input import MAX_BILLING_BYTES, InputError, read_limited

    try:
        with path.open("rb") as f:
            content = read_limited(f, MAX_BILLING_BYTES, "the file")
        res = services().cost_board.import_billing(
            content,
            fmt.value,
            filename=path.name,
            actor=actor(),
            team_key=team_key,
            model_key=model_key,
        )
    except (BillingFileError, InputError) as exc:
        fail(f"{path.name} rejected, nothing imported: {exc}")
    if res["already"]:
        typer.echo(f"{path.name} was imported before: nothing added")
    else:
        dup = res["rows"] - res["new_rows"]
        extra = f" ({dup} already imported from another file)" if dup else ""
        typer.echo(f"imported {res['new_rows']} rows, ${res['new_usd']:,.2f}{extra}")


prices_app = typer.Typer(help="The price table used for modeled cost.", no_args_is_help=True)
cost_app.add_typer(prices_app, name="prices")


@prices_app.command("show")
@handle_errors
def prices_show(fmt: str = typer.Option("yaml", "--format", help="yaml or csv")) -> None:
    """Print the price table (a file you can edit and load back)."""
    from barista_ui.cli.context import services
    from barista_ui.cost.price_files import dump_prices

    if fmt not in ("yaml", "csv"):
        fail("--format must be yaml or csv", 2)
    typer.echo(dump_prices(services().cost.price_table(), fmt), nl=False)


@prices_app.command("load")
@handle_errors
def prices_load(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
) -> None:
    """Replace the price table with a YAML or CSV file (all entries or none)."""
    from barista_ui.cli.context import actor, services
    from barista_ui.cost.price_files import PriceFileError, read_price_file

    try:
        entries = read_price_file(path)
    except PriceFileError as exc:
        fail(str(exc))
    n = services().cost_board.save_prices(entries, actor=actor())
    typer.echo(f"price table: {len(entries)} entries; {n} running model(s) re-rated from now")


@cost_app.command("budget")
@handle_errors
def budget(
    team: str = typer.Argument(...),
    monthly_usd: float | None = typer.Argument(None, help="USD per month; omit to show"),
    clear: bool = typer.Option(False, "--clear", help="remove the team's budget"),
) -> None:
    """Show or set a team's monthly budget."""
    from barista_ui.cli.context import actor, services

    cost = services().cost
    if clear or monthly_usd is not None:
        try:
            cost.set_budget(team, None if clear else monthly_usd, actor=actor())
        except ValueError as exc:
            fail(str(exc), 2)
    value = cost.budgets().get(team)
    typer.echo(f"{team}: " + (f"${value:,.2f} per month" if value is not None else "no budget"))
