"""Barista's Prometheus series (``prometheus-client``), all named ``barista_*``, in a registry
of their own. A leaf module: services import it to count what they do; the values that are
state rather than events (queue depth, watch restarts, sync status, leadership) are read from
the running app at scrape time through :func:`watch_state`.

    barista_http_request_duration_seconds{method,route,status}   histogram, route = template
    barista_reconcile_queue_depth                                 gauge
    barista_reconcile_applies_total{result}                       counter (ok | error)
    barista_reconcile_retries_total                               counter
    barista_watch_restarts_total / barista_watch_relists_total    counters
    barista_sync_status{status}                                   gauge: models per sync status
    barista_scheduler_transitions_total{action}                   counter (scale-down, ...)
    barista_scheduler_boundary_lag_seconds                        histogram: boundary -> write
    barista_leader{kind}                                          gauge 1 | 0
    barista_cost_rollup_duration_seconds                          histogram
    barista_billing_import_rows_total{format}                     counter (new rows stored)
    barista_change_notifications_total                            counter: other processes' commits
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST

HTTP_LATENCY = Histogram(
    "barista_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route", "status"],
    registry=REGISTRY,
)
APPLIES = Counter(
    "barista_reconcile_applies",
    "Applies of a record to the cluster by the reconciler",
    ["result"],
    registry=REGISTRY,
)
RETRIES = Counter(
    "barista_reconcile_retries", "Failed applies scheduled for a retry", registry=REGISTRY
)
TRANSITIONS = Counter(
    "barista_scheduler_transitions",
    "Scheduler actions written (scale-down, scale-up, keep-manual, error, ...)",
    ["action"],
    registry=REGISTRY,
)
BOUNDARY_LAG = Histogram(
    "barista_scheduler_boundary_lag_seconds",
    "From a schedule boundary to the scheduler's write for it",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)
ROLLUP_DURATION = Histogram(
    "barista_cost_rollup_duration_seconds",
    "Time one cost roll-up run took",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120),
    registry=REGISTRY,
)
NOTIFICATIONS = Counter(
    "barista_change_notifications",
    "Changes committed by other processes heard through PostgreSQL LISTEN",
    registry=REGISTRY,
)
BILLING_ROWS = Counter(
    "barista_billing_import_rows",
    "Billing export rows stored (new rows only)",
    ["format"],
    registry=REGISTRY,
)


@dataclass
class StateSource:
    """Callables the running app provides; each answers at scrape time."""

    queue_depth: Callable[[], int] = lambda: 0
    watch_restarts: Callable[[], int] = lambda: 0
    watch_relists: Callable[[], int] = lambda: 0
    sync_status: Callable[[], dict[str, int]] = dict
    leader: Callable[[], tuple[str, bool]] = lambda: ("none", False)


class _StateCollector(Collector):
    def __init__(self) -> None:
        self.source = StateSource()

    def collect(self) -> Iterator[Metric]:
        s = self.source
        yield GaugeMetricFamily(
            "barista_reconcile_queue_depth", "Models waiting to be applied", value=s.queue_depth()
        )
        yield CounterMetricFamily(
            "barista_watch_restarts", "Watch streams restarted after an error", s.watch_restarts()
        )
        yield CounterMetricFamily(
            "barista_watch_relists", "Full relists after 410 Gone", s.watch_relists()
        )
        sync = GaugeMetricFamily("barista_sync_status", "Models per sync status", labels=["status"])
        for status, n in sorted(s.sync_status().items()):
            sync.add_metric([status], n)
        yield sync
        kind, leading = s.leader()
        leader = GaugeMetricFamily(
            "barista_leader", "1 while this process leads the scheduler", labels=["kind"]
        )
        leader.add_metric([kind], 1 if leading else 0)
        yield leader


_STATE = _StateCollector()
REGISTRY.register(_STATE)


def watch_state(source: StateSource) -> None:
    """Read the state series from ``source`` from now on (the process's running app)."""
    _STATE.source = source


def exposition() -> tuple[bytes, str]:
    """The text format body and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE
