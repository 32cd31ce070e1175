"""``barista cost ...``: what a model costs."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path

import typer

from barista_ui.cli.context import fail, handle_errors
from barista_ui.cli.remote import is_remote

MAX_ESTIMATE_HOURS = 876_000  # a hundred years (barista_ui.cost.estimate's)
cost_app = typer.Typer(help="Cost: estimate what a model costs to serve.", no_args_is_help=True)


class CostFmt(StrEnum):
    text = "text"
    json = "json"


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
    if not math.isfinite(hours) or hours > MAX_ESTIMATE_HOURS:
        fail(f"--hours '{hours}': use a number of hours from 0 to {MAX_ESTIMATE_HOURS:,}", 2)
    if is_remote():
        from barista_ui.cli.remote import client

        query = dict(cpu=cpu, memory=memory, gpu=gpu, gpu_type=gpu_type, replicas=replicas)
        est = client().get("/cost/estimate", **query, hours=hours, family=family)
    else:
        est = _local_estimate(cpu, memory, gpu, gpu_type, replicas, hours, family)
    if fmt == CostFmt.json:
        typer.echo(json.dumps(est))
    else:
        from barista_ui.cost.estimate import estimate_text

        typer.echo(estimate_text(est))


def _local_estimate(
    cpu: str, memory: str, gpu: int, gpu_type: str | None, replicas: int, hours: float, family: str
) -> dict:
    from barista_ui.cost.estimate import estimate as estimate_of
    from barista_ui.cost.price_files import PriceFileError, pick, read_price_file
    from barista_ui.cost.rates import DEFAULT_PRICES, PricingError
    from barista_ui.settings import Settings

    st = Settings()
    prices = DEFAULT_PRICES
    if st.price_file and Path(st.price_file).exists():
        try:
            table = read_price_file(st.price_file)
        except PriceFileError as exc:
            fail(str(exc))
        prices = pick(table, st.region, family)
    try:
        return estimate_of(prices, cpu, memory, gpu, gpu_type, replicas, hours)
    except PricingError as exc:
        fail(str(exc))


class ReportFmt(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Source(StrEnum):
    modeled = "modeled"
    billing = "billing"
    opencost = "opencost"
    compare = "compare"


def _echo_csv(rows: list[dict]) -> None:
    from barista_ui.cost.csv_safe import write_csv

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
        return
    total = sum(r["cost_usd"] for r in rows)
    saved = f", saved ${sum(r['saved_usd'] for r in rows):,.2f}" if "saved_usd" in money else ""
    typer.echo(f"total ${total:,.2f}{saved} ({source.value})")


@cost_app.command("report")
@handle_errors
def report(
    from_: str = typer.Option(..., "--from", help="First day (included), YYYY-MM-DD"),
    to: str = typer.Option(..., "--to", help="Last day (excluded), YYYY-MM-DD"),
    by: str = typer.Option(
        "team", "--by", help="model, team, namespace, day or label:KEY (a label of the records)"
    ),
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
    if by not in ("model", "team", "namespace", "day") and not (
        by.startswith("label:") and by[6:].strip()
    ):
        fail("--by must be model, team, namespace, day or label:KEY (e.g. label:tier)", 2)
    if is_remote():
        from barista_ui.cli.remote import client

        body = client().get("/cost/report", **{"from": from_}, to=to, by=by, source=source.value)
    else:
        body = _local_report(from_, to, by, source)
    rows = body["rows"]
    if fmt == ReportFmt.json:
        typer.echo(json.dumps(rows, indent=2))
    elif fmt == ReportFmt.csv:
        _echo_csv(rows)
    else:
        typer.echo(body["days"])
        _echo_table([_without_days(r) for r in rows], source)
        if body.get("coverage"):
            typer.echo(body["coverage"])


def _without_days(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("first_day", "last_day")}


def _local_report(from_: str, to: str, by: str, source: Source) -> dict:
    """The same body as ``GET /api/v1/cost/report``, read from the local database."""
    from barista_ui.cli.context import services
    from barista_ui.cost import report_rows as rr

    svc = services()
    try:
        start, end = rr.period(svc.settings.cost_timezone, from_, to)
        board = svc.cost_board
        return rr.report_body(
            svc.cost, board.opencost, start, end, by, source.value, board.model_labels
        )
    except rr.ReportError as exc:
        fail(str(exc), 2 if exc.usage else 1)


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
