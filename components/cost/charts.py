"""Plotly figures of the Cost tab, built from the frames of ``barista_ui.cost.overview`` and ``budgets``."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from barista_ui.cost.budgets import BudgetLine
from barista_ui.cost.coverage import describe_range

PALETTE = [
    "#6f4e37",
    "#e0a96d",
    "#7cb342",
    "#42a5f5",
    "#ab47bc",
    "#ef5350",
    "#26a69a",
    "#8d6e63",
    "#ffca28",
    "#5c6bc0",
    "#ec407a",
    "#9ccc65",
]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
TOP_MODELS = 12


def _layout(fig: go.Figure, title: str, span: str, height: int = 300, **kw) -> go.Figure:
    """Common layout; ``span`` (the days the figure covers) is the title's second line."""
    fig.update_layout(
        height=height + 16,
        margin={"l": 50, "r": 20, "t": 56, "b": 30},
        title={
            "text": title,
            "font": {"size": 14},
            "subtitle": {"text": span, "font": {"size": 11, "color": "#616161"}},
        },
        legend={"orientation": "h", "y": -0.15},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="white",
        yaxis={"gridcolor": "#eee", "tickprefix": "$"},
        **kw,
    )
    return fig


def label(value: object) -> str:
    """A team/model/tag name as Plotly shows it: as text, never as markup (Plotly renders some
    HTML in trace names and hover text, and these names come from records and billing files)."""
    return html.escape(str(value), quote=False)


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def span_of(days: list[date]) -> str:
    """The days a figure shows, as its subtitle says them."""
    return describe_range(days[0], days[-1]) if days else "no days"


def daily_stack(df: pd.DataFrame, key: str, days: list[date]) -> go.Figure:
    """Daily cost stacked by ``key`` (team, or model: the top ones and "other")."""
    fig = go.Figure()
    if not df.empty:
        if key == "model":
            top = df.groupby("model")["cost_usd"].sum().nlargest(TOP_MODELS).index
            df = df.assign(model=df["model"].where(df["model"].isin(top), "other"))
            df = df.groupby(["day", "model"], as_index=False)["cost_usd"].sum()
            order = [*top, *(["other"] if (df["model"] == "other").any() else [])]
        else:
            order = sorted(df[key].unique())
        x = [str(d) for d in days]
        for i, name in enumerate(order):
            part = df[df[key] == name].set_index("day")["cost_usd"]
            fig.add_bar(
                x=x,
                y=[float(part.get(d, 0.0)) for d in days],
                name=label(name),
                marker_color="#bdbdbd" if name == "other" else color(i),
            )
    return _layout(fig, f"Daily cost by {key} (USD)", span_of(days), barmode="stack")


def month_vs_budget(lines: list[BudgetLine], month_end: date) -> go.Figure:
    """Cumulative cost this month per team, its budget (dotted) and projection (dashed)."""
    fig = go.Figure()
    for i, line in enumerate(lines):
        c = color(i)
        x = [str(d) for d in line.days]
        team = label(line.team)
        fig.add_scatter(
            x=x, y=line.cumulative, name=team, mode="lines", line={"color": c, "width": 2}
        )
        if line.days:
            fig.add_scatter(
                x=[x[-1], str(month_end)],
                y=[line.mtd, line.projected],
                mode="lines",
                line={"color": c, "dash": "dash", "width": 1.5},
                name=f"{team} projected",
                showlegend=False,
                hovertemplate=f"{team} projected: $%{{y:,.2f}}<extra></extra>",
            )
        if line.budget is not None:
            first = line.days[0] if line.days else month_end.replace(day=1)
            fig.add_scatter(
                x=[str(first), str(month_end)],
                y=[line.budget, line.budget],
                mode="lines",
                line={"color": c, "dash": "dot", "width": 1},
                name=f"{team} budget",
                showlegend=False,
                hovertemplate=f"{team} budget: $%{{y:,.2f}}<extra></extra>",
            )
    first = month_end.replace(day=1)
    so_far = f"{first} – {lines[0].days[-1]}" if lines and lines[0].days else str(first)
    fig = _layout(fig, "Month to date vs budget", f"{so_far} · budget dotted, projection dashed")
    fig.update_xaxes(range=[str(month_end.replace(day=1)), str(month_end + timedelta(days=1))])
    return fig


def savings(per_day: pd.DataFrame, days: list[date]) -> go.Figure:
    fig = go.Figure()
    p = per_day.set_index("day") if not per_day.empty else per_day
    x = [str(d) for d in days]

    def col(name: str) -> list[float]:
        return [float(p[name].get(d, 0.0)) if not p.empty else 0.0 for d in days]

    saved = col("saved_usd")
    cumulative = pd.Series(saved).cumsum().tolist()
    fig.add_scatter(
        x=x,
        y=col("would_have_usd"),
        name="would have cost",
        line={"dash": "dash", "color": "#8d6e63"},
    )
    fig.add_scatter(x=x, y=col("cost_usd"), name="actual", line={"color": "#6f4e37"})
    fig.add_bar(
        x=x,
        y=cumulative,
        name="cumulative savings",
        yaxis="y2",
        marker_color="rgba(124,179,66,0.35)",
    )
    fig.update_yaxes(rangemode="tozero")
    return _layout(
        fig,
        "Actual vs would-have cost per day",
        f"{span_of(days)} · bars: cumulative savings",
        height=280,
        yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "tickprefix": "$"},
    )


# zero is a pale grey; anything above zero starts at a clearly visible tan, so the quietest
# hours never look like the background (the scale always starts at 0, not at the minimum)
HEAT_SCALE = [
    [0.0, "#eeeeee"],
    [0.001, "#f0c996"],
    [0.5, "#cf8a4b"],
    [1.0, "#4e3526"],
]


def heatmap(grid: pd.DataFrame, span: str) -> go.Figure:
    z = grid.to_numpy().round(2)
    top = float(z.max()) if z.size else 0.0
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"{h:02d}" for h in range(24)],
            y=WEEKDAYS,
            zmin=0,
            zmax=max(top, 0.01),
            colorscale=HEAT_SCALE,
            xgap=1,
            ygap=1,
            hovertemplate="%{y} %{x}:00 — %{z} replicas<extra></extra>",
            colorbar={"title": {"text": "avg<br>replicas"}, "thickness": 12},
        )
    )
    fig = _layout(fig, "Running replicas by weekday and hour", span, height=260)
    fig.update_yaxes(autorange="reversed", tickprefix="", gridcolor=None)
    return fig


def billed_vs_modeled(compare: pd.DataFrame, days: list[date]) -> go.Figure:
    per_day = compare.groupby("day")[["modeled_usd", "billed_usd"]].sum()
    x = [str(d) for d in days]
    fig = go.Figure()
    for col, name, c in (
        ("modeled_usd", "modeled", "#6f4e37"),
        ("billed_usd", "billed", "#42a5f5"),
    ):
        fig.add_bar(
            x=x, y=[float(per_day[col].get(d, 0.0)) for d in days], name=name, marker_color=c
        )
    return _layout(
        fig, "Modeled vs billed cost per day", span_of(days), height=260, barmode="group"
    )
