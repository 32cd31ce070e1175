"""The Cost tab's chart element: ``ui.plotly`` drawn with plotly.js's cartesian bundle.

The tab draws bars, lines and a heatmap only; the cartesian bundle has them in 1.3 MB (0.45 MB
compressed) where ``ui.plotly`` loads the full 4.6 MB bundle, which a browser downloads and
compiles before the first chart appears.
"""

from __future__ import annotations

from nicegui import ui


class CostChart(
    ui.plotly, component="cost_chart.js", esm={"barista-plotly-cartesian": "plotly_cartesian"}
):
    """A Plotly figure (a dict with ``data`` and ``layout``) drawn with the cartesian bundle."""
