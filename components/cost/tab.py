"""The Cost tab: daily cost by team or model, month to date against budgets, what
scale-to-zero saved, when replicas run, modeled vs billed, a per-model table and the prices."""

from __future__ import annotations

import calendar
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
from nicegui import run, ui

from barista_ui.app import Services
from barista_ui.cost.billing import BillingFileError
from barista_ui.cost.overview import (
    Overview,
    fleet_projected_savings,
    last_days,
    local_period,
    month_to_date,
    overview,
)
from barista_ui.cost.price_files import PriceFileError, dump_prices, parse_prices
from components.cost import charts
from components.theme import current_user

# two charts side by side where they fit, one above the other on a phone
TWO_UP = "repeat(auto-fit, minmax(min(520px, 100%), 1fr))"
RANGES = {7: "7 days", 30: "30 days", 90: "90 days", 0: "Custom"}
PAGE_ROWS = 15


def _money(x: float) -> str:
    return f"${x:,.2f}"


def build_cost_tab(services: Services) -> None:
    cost = services.cost_service()
    tz = cost.tz
    today = datetime.now(ZoneInfo(tz)).date()
    sources = {"modeled": "Modeled"}
    if cost.has_billing():
        sources["billing"] = "Billed"
    if services.opencost() is not None:
        sources["opencost"] = "OpenCost"

    with ui.row().classes("items-center gap-3 w-full flex-wrap"):
        days = ui.toggle(RANGES, value=30).props("dense no-caps").mark("cost-range")
        d_from = (
            ui.input("From", value=str(today - timedelta(days=29)))
            .props("type=date dense outlined")
            .classes("w-36")
            .mark("cost-from")
        )
        d_to = (
            ui.input("To (included)", value=str(today))
            .props("type=date dense outlined")
            .classes("w-36")
            .mark("cost-to")
        )
        teams = (
            ui.select(services.registry.teams(), multiple=True, label="Teams (all)", value=[])
            .props("dense outlined clearable use-chips")
            .classes("min-w-48")
            .mark("cost-teams")
        )
        stack = (
            ui.toggle({"team": "By team", "model": "By model"}, value="team")
            .props("dense no-caps")
            .mark("cost-stack")
        )
        source = ui.toggle(sources, value="modeled").props("dense no-caps").mark("cost-source")
        source.set_visibility(len(sources) > 1)
        if cost.has_demo_history():
            ui.badge("includes demo history", color="amber-3", text_color="brown-10").tooltip(
                "Demo mode seeded 90 days of plausible replica history so the charts mean "
                "something on first run"
            )
        ui.space()
        ui.button("Import billing", icon="upload", on_click=lambda: import_dialog.open()).props(
            "flat dense no-caps"
        ).mark("cost-import")
    d_from.bind_visibility_from(days, "value", lambda v: v == 0)
    d_to.bind_visibility_from(days, "value", lambda v: v == 0)
    status = ui.label().classes("text-sm text-negative").mark("cost-error")
    body = ui.column().classes("w-full gap-4").mark("cost-body")

    def period():
        now = datetime.now(ZoneInfo(tz))
        if days.value:
            return last_days(tz, int(days.value), now)
        try:
            first, last = date.fromisoformat(d_from.value), date.fromisoformat(d_to.value)
        except (TypeError, ValueError):
            raise ValueError("custom range: pick both dates") from None
        if last < first:
            raise ValueError("custom range: 'To' is before 'From'")
        if (last - first).days > 400:
            raise ValueError("custom range: at most 400 days")
        return local_period(tz, first, last, now)

    generation = [0]

    def compute(p, src: str, team_list: list[str], by_model: bool) -> tuple[Overview, float]:
        ov = overview(
            cost,
            services.records_snapshot(),
            p,
            source=src,
            teams=team_list,
            stack_by_model=by_model,
            opencost=services.opencost(),
        )
        projected = 0.0
        if src == "modeled":
            projected = fleet_projected_savings(
                cost, services.scheduler_engine(), datetime.now(ZoneInfo(tz)), team_list
            )
        return ov, projected

    async def render() -> None:
        """Figures are computed in a worker thread: the event loop stays free to serve the
        page (and Plotly's bundle) meanwhile; only the newest request draws."""
        status.set_text("")
        try:
            p = period()
        except ValueError as exc:
            status.set_text(str(exc))
            return
        generation[0] += 1
        mine = generation[0]
        ov, projected = await run.io_bound(
            compute, p, source.value, list(teams.value or []), stack.value == "model"
        )
        if mine != generation[0] or body.is_deleted:
            return
        body.clear()
        with body:
            _render(services, ov, projected, stack.value, render)

    for control in (days, teams, stack, source):
        control.on_value_change(render)
    for control in (d_from, d_to):
        control.on("change", render)

    with ui.dialog() as import_dialog, ui.card().classes("w-[34rem]"):
        ui.label("Import a billing export").classes("text-lg font-semibold")
        ui.label(
            "FOCUS 1.x CSV, or Google Cloud's BigQuery billing export as newline-delimited "
            "JSON. The whole file or nothing; a file imported before adds nothing."
        ).classes("text-sm text-grey-8")
        fmt = ui.toggle({"focus": "FOCUS CSV", "gcp": "Google Cloud NDJSON"}, value="focus").props(
            "dense no-caps"
        )
        result = ui.label().classes("text-sm").mark("cost-import-result")

        async def upload(e) -> None:
            if hasattr(e, "content"):
                content, name = e.content.read(), e.name
            else:
                content, name = await e.file.read(), e.file.name
            try:
                res = services.import_billing(
                    content, fmt.value, filename=name, actor=current_user()
                )
            except BillingFileError as exc:
                result.classes(replace="text-sm text-negative")
                result.set_text(f"{name} rejected, nothing imported: {exc}")
                return
            result.classes(replace="text-sm text-positive")
            if res["already"]:
                result.set_text(f"{name} was imported before: nothing added")
            else:
                result.set_text(f"imported {res['new_rows']} rows, {_money(res['new_usd'])}")
                sources["billing"] = "Billed"
                source.set_options(sources, value=source.value)
                source.set_visibility(True)
                await render()

        ui.upload(on_upload=upload, auto_upload=True, max_files=1).props(
            "accept=.csv,.json,.jsonl,.ndjson flat bordered"
        ).classes("w-full").mark("cost-upload")
        ui.button("Close", on_click=import_dialog.close).props("flat")

    with body:
        ui.spinner(size="lg").classes("self-center")
    # Plotly's browser bundle is large: a hidden empty chart makes the browser fetch and compile
    # it while the server computes the figures, which arrive once the page is connected.
    ui.plotly(go.Figure()).style("display:none")
    ui.timer(0, render, once=True)


def _render(services: Services, ov: Overview, projected: float, stack: str, rerender) -> None:
    cost = services.cost_service()
    p = ov.period
    if ov.error:
        ui.label(f"OpenCost: {ov.error}").classes("text-negative").mark("cost-opencost-error")
        return
    for note in ov.notes:
        ui.label(note).classes("text-sm text-grey-7")
    if ov.by_day_team.empty and ov.source == "modeled":
        ui.label("No replica history yet: costs appear once models have run.").classes(
            "text-sm text-grey-7"
        )
        return
    local_now = p.now.astimezone(ZoneInfo(cost.tz))
    start_day = p.start.astimezone(ZoneInfo(cost.tz)).date()
    n_days = (p.end.astimezone(ZoneInfo(cost.tz)).date() - start_day).days
    day_list = [start_day + timedelta(days=i) for i in range(n_days)]
    day_list = [d for d in day_list if d <= local_now.date()]
    kpis = [("Cost", ov.total, "cost"), ("Per day", ov.total / p.days, "per-day")]
    if ov.source == "modeled":
        kpis.insert(1, ("Saved by scale-to-zero", ov.saved, "saved"))
        kpis.append(("Schedules save, next 7 days", projected, "projected"))
    if ov.compare is not None and not ov.compare.empty:
        billed = float(ov.compare["billed_usd"].sum())
        modeled = float(ov.compare["modeled_usd"].sum())
        kpis.append(("Billed", billed, "billed"))
        if modeled > 0:
            kpis.append(("Billed / modeled", billed / modeled, "ratio"))
    with ui.row().classes("gap-8"):
        for label, value, mark in kpis:
            with ui.column().classes("gap-0"):
                ui.label(label).classes("text-xs text-grey-7")
                text = f"{value:.3g}×" if mark == "ratio" else _money(value)
                ui.label(text).classes("text-xl font-semibold").mark(f"cost-kpi-{mark}")
    key = "model" if stack == "model" and ov.by_day_model is not None else "team"
    frame = ov.by_day_model if key == "model" else ov.by_day_team
    lines = []
    with ui.grid(columns=TWO_UP).classes("w-full gap-4"):
        ui.plotly(charts.daily_stack(frame, key, day_list)).classes("w-full").mark("cost-by-team")
        if ov.month is not None:
            today = local_now.date()
            month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
            budgets = cost.budgets()
            if ov.teams:
                budgets = {t: b for t, b in budgets.items() if t in ov.teams}
            lines = month_to_date(ov.month, budgets, p.now, cost.tz)
            ui.plotly(charts.month_vs_budget(lines, month_end)).classes("w-full").mark(
                "cost-budget"
            )
        else:
            ui.label("Month to date: not available for this source and range.").classes(
                "text-sm text-grey-7"
            )
    if lines:
        _budget_table(services, lines, rerender)
    if ov.savings is not None or ov.heatmap is not None:
        with ui.grid(columns=TWO_UP).classes("w-full gap-4"):
            if ov.savings is not None:
                with ui.column().classes("w-full gap-0"):
                    # today is still running: its point would read as a sudden drop
                    done = [d for d in day_list if d < local_now.date()] or day_list
                    ui.plotly(charts.savings(ov.savings, done)).classes("w-full").mark(
                        "cost-savings"
                    )
                    ui.label(
                        "Savings count only time the scheduler held a model down; they become "
                        "cash when nodes go away (on a fixed node pool they become idle capacity). "
                        "Today is left out until it ends."
                    ).classes("text-xs text-grey-7")
            if ov.heatmap is not None:
                ui.plotly(charts.heatmap(ov.heatmap)).classes("w-full").mark("cost-heatmap")
    if ov.compare is not None and not ov.compare.empty:
        _compare(ov, day_list)
    _model_table(ov)
    _price_table(services, rerender)


STATUS_COLORS = {
    "on track": "positive",
    "projected over": "warning",
    "over budget": "negative",
    "no budget": "grey-5",
}


def _budget_table(services: Services, lines, rerender) -> None:
    cost = services.cost_service()
    with (
        ui.expansion("Budgets and month to date", icon="savings", value=True)
        .classes("w-full")
        .mark("cost-budgets")
    ):
        with (
            ui.element("div").classes("w-full overflow-x-auto"),
            ui.grid(columns=5).classes("items-center gap-x-6 gap-y-1 min-w-max"),
        ):
            for head in ("Team", "Monthly budget", "Month to date", "Projected", ""):
                ui.label(head).classes("text-xs text-grey-7")
            for line in lines:
                ui.label(line.team)

                async def save(e, team=line.team) -> None:
                    value = e.sender.value
                    try:
                        cost.set_budget(
                            team, None if value in (None, "") else float(value), current_user()
                        )
                    except (TypeError, ValueError) as exc:
                        ui.notify(str(exc), type="negative")
                        return
                    ui.notify(f"budget of {team} saved", type="positive")
                    await rerender()

                ui.number(value=line.budget, prefix="$", min=0, format="%.0f").props(
                    "dense outlined"
                ).classes("w-36").on("change", save).mark(f"budget-{line.team}")
                ui.label(_money(line.mtd))
                ui.label(_money(line.projected))
                ui.badge(line.status, color=STATUS_COLORS[line.status]).classes("w-fit").mark(
                    f"budget-status-{line.team}"
                )


def _compare(ov: Overview, day_list) -> None:
    c = ov.compare
    with ui.grid(columns=TWO_UP).classes("w-full gap-4"):
        ui.plotly(charts.billed_vs_modeled(c, day_list)).classes("w-full").mark("cost-compare")
        per_team = c.groupby("team", as_index=False)[["modeled_usd", "billed_usd"]].sum()
        rows = [
            {
                "team": r.team,
                "modeled": round(r.modeled_usd, 2),
                "billed": round(r.billed_usd, 2),
                "ratio": f"{r.billed_usd / r.modeled_usd:.3g}" if r.modeled_usd > 0 else "—",
            }
            for r in per_team.itertuples()
        ]
        cols = [
            {"name": k, "label": lab, "field": k, "sortable": True, "align": "left"}
            for k, lab in (
                ("team", "Team"),
                ("modeled", "Modeled $"),
                ("billed", "Billed $"),
                ("ratio", "Billed / modeled"),
            )
        ]
        ui.table(columns=cols, rows=rows, row_key="team").props("dense flat bordered").mark(
            "cost-compare-table"
        )


def _model_table(ov: Overview) -> None:
    """Sorted and paged on the server: 2,000 models would otherwise all travel to the browser."""
    cols = [
        ("model", "Model"),
        ("team", "Team"),
        ("namespace", "Namespace"),
        ("gpu", "GPU"),
        ("avg_replicas", "Avg replicas"),
        ("per_day", "$/day"),
        ("cost_usd", "Period $"),
        ("mtd_usd", "Month to date $"),
    ]
    if ov.source == "modeled":
        cols.append(("saved_mtd_usd", "Saved MTD $"))
    if "total_efficiency" in ov.models:
        cols += [("cpu_efficiency", "CPU eff. %"), ("ram_efficiency", "RAM eff. %")]
    names = [k for k, _ in cols]
    data: pd.DataFrame = ov.models.assign(key=ov.models["namespace"] + "/" + ov.models["model"])
    columns = [
        {"name": k, "label": lab, "field": k, "sortable": True, "align": "left"} for k, lab in cols
    ]
    with ui.row().classes("w-full items-center"):
        ui.label("Cost per model").classes("text-base font-semibold")
        ui.space()

        def download() -> None:
            buf = io.StringIO()
            data[names].to_csv(buf, index=False)
            ui.download(buf.getvalue().encode(), "barista-cost-by-model.csv", "text/csv")

        ui.button("Download CSV", icon="download", on_click=download).props(
            "flat dense no-caps"
        ).mark("cost-csv")

    def page(sort_by: str, descending: bool, number: int, per_page: int) -> list[dict]:
        d = data.sort_values(sort_by, ascending=not descending, kind="stable")
        if per_page:
            d = d.iloc[(number - 1) * per_page : number * per_page]
        return (
            d[[*names, "key"]]
            .astype(object)
            .where(d[[*names, "key"]].notna(), "—")
            .to_dict("records")
        )

    pagination = {
        "sortBy": "cost_usd",
        "descending": True,
        "page": 1,
        "rowsPerPage": PAGE_ROWS,
        "rowsNumber": len(data),
    }
    table = (
        ui.table(
            columns=columns,
            rows=page("cost_usd", True, 1, PAGE_ROWS),
            row_key="key",
            pagination=pagination,
        )
        .props("dense flat bordered")
        .classes("w-full")
        .mark("cost-models")
    )

    def on_request(e) -> None:
        req = e.args["pagination"]
        sort_by = req.get("sortBy") or "cost_usd"
        if sort_by not in names:
            sort_by = "cost_usd"
        per_page = int(req.get("rowsPerPage") or 0)
        number = max(1, int(req.get("page") or 1))
        table.rows = page(sort_by, bool(req.get("descending")), number, per_page)
        table.pagination = {**req, "sortBy": sort_by, "rowsNumber": len(data)}
        table.update()

    table.on("request", on_request)
    table.all_rows = data  # for tests and the CSV: the full, unpaged table


def _price_table(services: Services, rerender) -> None:
    cost = services.cost_service()
    entries = cost.price_table()
    gpus = sorted({g for e in entries for g in e.gpu_hourly})
    with ui.expansion("Price table", icon="sell").classes("w-full").mark("cost-prices"):
        cols = [
            ("region", "Region"),
            ("machine_family", "Machine family"),
            ("cpu", "vCPU $/h"),
            ("mem", "GiB $/h"),
            *((f"gpu:{g}", f"{g} $/h") for g in gpus),
            ("source", "Source"),
            ("as_of", "As of"),
        ]
        rows = [
            {
                "key": f"{e.region}/{e.machine_family}",
                "region": e.region,
                "machine_family": e.machine_family,
                "cpu": e.cpu_hourly,
                "mem": e.memory_gib_hourly,
                **{f"gpu:{g}": e.gpu_hourly.get(g, "—") for g in gpus},
                "source": e.source,
                "as_of": str(e.as_of),
            }
            for e in entries
        ]
        ui.table(
            columns=[{"name": k, "label": lab, "field": k, "align": "left"} for k, lab in cols],
            rows=rows,
            row_key="key",
        ).props("dense flat bordered").classes("w-full").mark("prices-table")
        ui.label(
            f"Models are priced with the entry for region '{cost.region}' and their "
            "'machine-family' label (else 'default'). Editing re-rates running models from now; "
            "past days keep the prices they had."
            + (f" Saved to {cost.price_file} too." if cost.price_file else "")
        ).classes("text-xs text-grey-7")
        with ui.dialog() as dialog, ui.card().classes("w-[44rem]"):
            ui.label("Edit the price table (YAML)").classes("text-lg font-semibold")
            editor = (
                ui.textarea(value=dump_prices(entries, "yaml"))
                .props("outlined autogrow input-class=font-mono")
                .classes("w-full")
                .mark("prices-yaml")
            )
            error = ui.label().classes("text-sm text-negative").mark("prices-error")

            async def save() -> None:
                try:
                    new = parse_prices(editor.value or "", "yaml")
                    n = services.save_prices(new, current_user())
                except PriceFileError as exc:
                    error.set_text(str(exc))
                    return
                dialog.close()
                ui.notify(f"price table saved; {n} running model(s) re-rated", type="positive")
                await rerender()

            with ui.row():
                ui.button("Save", on_click=save).props("unelevated").mark("prices-save")
                ui.button("Cancel", on_click=dialog.close).props("flat")
        with ui.row():
            ui.button("Edit prices", icon="edit", on_click=dialog.open).props(
                "flat dense no-caps"
            ).mark("prices-edit")
            for fmt in ("yaml", "csv"):
                ui.button(
                    f"Download {fmt.upper()}",
                    icon="download",
                    on_click=lambda _e, f=fmt: ui.download(
                        dump_prices(cost.price_table(), f).encode(), f"prices.{f}"
                    ),
                ).props("flat dense no-caps")
