"""A registry, gateway, reconciler and model service wired as the app wires them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from barista_ui.cluster.gate import ReconcilerGate
from barista_ui.cluster.reconciler import Backoff, Reconciler
from barista_ui.records.registry import RegistryService
from barista_ui.records.replicas import desired_replicas
from barista_ui.records.service import ModelService
from k8s.gateway import ClusterGateway


@dataclass
class Wired:
    registry: RegistryService
    gateway: ClusterGateway
    reconciler: Reconciler
    models: ModelService


def wire(registry: RegistryService, api_client, **reconciler_kw) -> Wired:
    gw = ClusterGateway(api_client, backoff_base_s=0.01, max_retries=2)
    reconciler = Reconciler(
        registry,
        gw,
        desired_replicas,
        backoff=reconciler_kw.pop("backoff", Backoff(0.05, 0.2)),
        **reconciler_kw,
    )
    models = ModelService(registry, ReconcilerGate(gw, reconciler, desired_replicas))
    return Wired(registry, gw, reconciler, models)


@pytest.fixture
def wired(registry: RegistryService, sim) -> Iterator[Wired]:
    w = wire(registry, sim.api_client())
    yield w
    w.reconciler.stop()
