"""The header's cluster chip: simulated, connected, unreachable (with the reason) or none."""

from __future__ import annotations

from nicegui import ui

from barista_ui.fleet import Fleet


def cluster_badge(fleet: Fleet) -> None:
    kind, error = fleet.cluster.kind, fleet.cluster.error
    if kind == "simulator":
        chip = ui.chip("Simulated cluster", icon="science").props(
            "dense color=amber-3 text-color=brown-10"
        )
        chip.tooltip(
            "A built-in cluster simulator: nothing runs on real machines. "
            "Set BARISTA_KUBECONFIG to use a real cluster."
        )
        chip.classes("gt-xs")
    elif kind == "cluster":
        chip = ui.chip("Cluster connected", icon="cloud_done").props("dense color=green-2")
    elif error:
        chip = ui.chip("Cluster unreachable", icon="cloud_off").props("dense color=red-3")
        chip.tooltip(error)
    else:
        chip = ui.chip("No cluster", icon="cloud_off").props("dense color=grey-4")
    chip.mark("cluster-badge")
