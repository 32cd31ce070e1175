"""The Cost tab: daily cost by team, what scale-to-zero saved, and a per-model table."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import plotly.graph_objects as go
from nicegui import ui

from barista_ui.cost import group_costs
from barista_ui.schedule import zone
from barista_ui.services import Services

PALETTE = ["#6f4e37", "#e0a96d", "#7cb342", "#42a5f5", "#ab47bc", "#ef5350", "#26a69a"]


def build_cost_tab(services: Services) -> None:
    cost = services.cost_service()
    tz = zone(services.settings.cost_timezone)
    with ui.row().classes("items-center gap-3"):
        days = (
            ui.toggle({7: "7 days", 30: "30 days", 90: "90 days"}, value=30)
            .props("dense no-caps")
            .mark("cost-range")
        )
        if cost.has_demo_history():
            ui.badge("includes demo history", color="amber-3", text_color="brown-10")
    body = ui.column().classes("w-full gap-3").mark("cost-body")

    def render() -> None:
        body.clear()
        end = datetime.combine(datetime.now(tz).date() + timedelta(days=1), time(0), tz)
        start = end - timedelta(days=int(days.value))
        daily = cost.daily(start, end)
        with body:
            if daily.empty:
                ui.label("No replica history yet: costs appear once models have run.").classes(
                    "text-sm text-grey-7"
                )
                return
            total, saved = daily["cost_usd"].sum(), daily["saved_usd"].sum()
            with ui.row().classes("gap-6"):
                for label, value in (
                    ("Cost", total),
                    ("Saved by scale-to-zero", saved),
                    ("Per day", total / int(days.value)),
                ):
                    with ui.column().classes("gap-0"):
                        ui.label(label).classes("text-xs text-grey-7")
                        ui.label(f"${value:,.2f}").classes("text-xl font-semibold").mark(
                            f"cost-kpi-{label.split()[0].lower()}"
                        )
            by_team = daily.groupby(["day", "team"], as_index=False)["cost_usd"].sum()
            fig = go.Figure()
            for i, (team, part) in enumerate(by_team.groupby("team")):
                fig.add_bar(
                    x=part["day"].astype(str),
                    y=part["cost_usd"],
                    name=team,
                    marker_color=PALETTE[i % len(PALETTE)],
                )
            fig.update_layout(
                barmode="stack",
                height=300,
                margin={"l": 40, "r": 10, "t": 30, "b": 30},
                title="Daily cost by team (USD)",
                legend={"orientation": "h"},
                paper_bgcolor="rgba(0,0,0,0)",
                plot_bgcolor="white",
            )
            ui.plotly(fig).classes("w-full").mark("cost-by-team")
            per_day = daily.groupby("day", as_index=False)[
                ["cost_usd", "would_have_usd", "saved_usd"]
            ].sum()
            fig2 = go.Figure()
            x = per_day["day"].astype(str)
            fig2.add_scatter(
                x=x,
                y=per_day["would_have_usd"],
                name="would have cost",
                line={"dash": "dash", "color": "#8d6e63"},
            )
            fig2.add_scatter(x=x, y=per_day["cost_usd"], name="actual", line={"color": "#6f4e37"})
            fig2.add_bar(
                x=x,
                y=per_day["saved_usd"].cumsum(),
                name="cumulative savings",
                yaxis="y2",
                marker_color="rgba(124,179,66,0.35)",
            )
            fig2.update_layout(
                height=280,
                margin={"l": 40, "r": 40, "t": 30, "b": 30},
                title="Actual vs would-have-cost per day",
                legend={"orientation": "h"},
                yaxis2={"overlaying": "y", "side": "right", "showgrid": False},
                paper_bgcolor="rgba(0,0,0,0)",
                plot_bgcolor="white",
            )
            ui.plotly(fig2).classes("w-full").mark("cost-savings")
            ui.label(
                "Savings become cash only when nodes go away; on a fixed node pool they become "
                "idle capacity."
            ).classes("text-xs text-grey-7")
            month_start = datetime.now(tz).date().replace(day=1)
            models = group_costs(daily, "model")
            mtd = group_costs(daily[daily["day"] >= month_start], "model").set_index(
                ["namespace", "model"]
            )
            rows = []
            for r in models.itertuples():
                key = (r.namespace, r.model)
                rows.append(
                    {
                        "key": f"{r.namespace}/{r.model}",
                        "model": r.model,
                        "team": r.team,
                        "namespace": r.namespace,
                        "per_day": round(r.cost_usd / int(days.value), 2),
                        "mtd": round(float(mtd.loc[key, "cost_usd"]), 2)
                        if key in mtd.index
                        else 0.0,
                        "saved_mtd": round(float(mtd.loc[key, "saved_usd"]), 2)
                        if key in mtd.index
                        else 0.0,
                        "avg_replicas": round(r.replica_hours / (24 * int(days.value)), 2),
                    }
                )
            cols = [
                {"name": k, "label": label, "field": k, "sortable": True, "align": "left"}
                for k, label in (
                    ("model", "Model"),
                    ("team", "Team"),
                    ("namespace", "Namespace"),
                    ("avg_replicas", "Avg replicas"),
                    ("per_day", "$/day"),
                    ("mtd", "Month to date $"),
                    ("saved_mtd", "Saved MTD $"),
                )
            ]
            table = (
                ui.table(columns=cols, rows=rows, row_key="key", pagination=15)
                .props("dense flat bordered")
                .classes("w-full")
                .mark("cost-models")
            )

            def download() -> None:
                import csv
                import io

                buf = io.StringIO()
                w = csv.DictWriter(buf, fieldnames=[c["name"] for c in cols])
                w.writeheader()
                w.writerows({c["name"]: r[c["name"]] for c in cols} for r in table.rows)
                ui.download(buf.getvalue().encode(), "barista-cost-by-model.csv", "text/csv")

            ui.button("Download CSV", icon="download", on_click=download).props("flat dense")

    days.on_value_change(lambda _e: render())
    render()
