"""Two (or more) dashboard processes on one PostgreSQL database and one simulated cluster."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.apprunner import AppProcess


def metric(app: AppProcess, name: str, **labels: str) -> float | None:
    """One sample read from a process's /metrics (None if it does not answer or lacks it)."""
    try:
        with urllib.request.urlopen(app.url + "/metrics", timeout=5) as resp:
            text = resp.read().decode()
    except OSError:
        return None
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return None


def leads(app: AppProcess) -> bool:
    return app.proc.poll() is None and metric(app, "barista_leader") == 1.0


def start_replicas(
    n: int, tmp: Path, database_url: str, kubeconfig: str | None, **env: str
) -> list[AppProcess]:
    apps = []
    for i in range(n):
        folder = tmp / f"replica-{i}"
        folder.mkdir(parents=True, exist_ok=True)
        base = {
            "BARISTA_DATABASE_URL": database_url,
            "BARISTA_SEED_DEMO": "false",
            "BARISTA_RECONCILE_INTERVAL_S": "2",
        }
        if kubeconfig:
            base["BARISTA_KUBECONFIG"] = kubeconfig
        else:
            base["BARISTA_CLUSTER"] = "none"
        apps.append(AppProcess({**base, **env}, cwd=folder))
    try:
        for app in apps:
            app.wait_ready(timeout=180)  # several processes starting on a busy machine
    except BaseException:
        for app in apps:
            app.stop()
        raise
    return apps
