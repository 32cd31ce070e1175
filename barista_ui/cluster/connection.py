"""Which cluster Barista talks to: a kubeconfig, the in-cluster service account, the embedded
simulator (the demo's default) or none, and why not when the connection failed."""

from __future__ import annotations

import base64
import logging
import os
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from barista_ui.settings import Settings
from k8s.client import load_api_client
from k8s.gateway import ClusterGateway
from k8s.simulator import Simulator, SimulatorConfig, start_simulator

log = logging.getLogger("barista.cluster")

SIMULATOR_KUBECONFIG = Path("var") / "simulator.kubeconfig"
ClusterKind = Literal["none", "simulator", "cluster"]


@dataclass
class ClusterConnection:
    """The gateway to the cluster (None when there is none) and what the page says about it."""

    kind: ClusterKind = "none"
    gateway: ClusterGateway | None = None
    simulator: Simulator | None = None  # the embedded demo cluster, stopped with the app
    error: str | None = None
    in_cluster: bool = False  # the pod's service account (leader election uses a Lease then)

    def stop(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()


def connect(settings: Settings, *, embedded: bool) -> ClusterConnection:
    """Connect as the settings say. ``embedded``: start the simulator when no cluster is
    configured (the dashboard); otherwise reuse a running dashboard's simulator (the CLI).
    Never raises: a failure is kept as ``error`` for the page and the CLI to show."""
    try:
        return _connect(settings, embedded=embedded)
    except Exception as exc:  # shown to the user by the caller
        log.warning("no cluster: %s", exc)
        return ClusterConnection(error=f"cannot connect to the cluster: {exc}")


def _connect(s: Settings, *, embedded: bool) -> ClusterConnection:
    if s.cluster == "none":
        return ClusterConnection()
    kubeconfig: str | None = s.kubeconfig
    kind: ClusterKind = "cluster"
    simulator = None
    in_cluster = s.in_cluster or (
        s.cluster == "auto" and not kubeconfig and "KUBERNETES_SERVICE_HOST" in os.environ
    )
    if not kubeconfig and not in_cluster:
        if embedded:
            simulator = start_embedded_simulator(s)
        elif not (SIMULATOR_KUBECONFIG.exists() and _answers(SIMULATOR_KUBECONFIG)):
            return ClusterConnection()
        kubeconfig, kind = str(SIMULATOR_KUBECONFIG), "simulator"
    api_client = load_api_client(kubeconfig, s.kube_context, in_cluster)
    return ClusterConnection(
        kind=kind, gateway=ClusterGateway(api_client), simulator=simulator, in_cluster=in_cluster
    )


def start_embedded_simulator(settings: Settings) -> Simulator:
    sim = start_simulator(SimulatorConfig(port=0, speed=settings.simulator_speed))
    SIMULATOR_KUBECONFIG.parent.mkdir(parents=True, exist_ok=True)
    sim.write_kubeconfig(str(SIMULATOR_KUBECONFIG))
    log.info("embedded cluster simulator at %s (kubeconfig %s)", sim.url, SIMULATOR_KUBECONFIG)
    return sim


def _answers(kubeconfig: Path) -> bool:
    """Is the simulator of a running dashboard still there? (its kubeconfig outlives it)"""
    try:
        cfg = yaml.safe_load(kubeconfig.read_text())
        cluster = cfg["clusters"][0]["cluster"]
        ca = cluster.get("certificate-authority-data")
        tls = ssl.create_default_context(cadata=base64.b64decode(ca).decode()) if ca else None
        with urllib.request.urlopen(cluster["server"] + "/version", timeout=1, context=tls):
            return True
    except urllib.error.HTTPError:
        return True  # it answered (perhaps 401 without the token)
    except Exception:
        return False
