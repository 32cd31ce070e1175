"""What every controller function receives: the store it reads, the API it writes through, the
simulator's config, the shared work queue and event recorder, and the little state they share."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k8s.simulator.controllers.events import EventRecorder
from k8s.simulator.controllers.work_queue import WorkQueue
from k8s.simulator.server import Api
from k8s.simulator.store import Obj, Store

if TYPE_CHECKING:
    from k8s.simulator import SimulatorConfig


@dataclass
class Context:
    store: Store
    api: Api
    config: SimulatorConfig
    work: WorkQueue
    events: EventRecorder
    bad_image: Callable[[str], bool]
    rng: random.Random
    # node name → resources requested by the pods bound to it
    usage: dict[str, dict[str, float]] = field(default_factory=dict)
    # (namespace, deployment) → CPU utilisation % set by tests and benches
    loads: dict[tuple[str, str], float] = field(default_factory=dict)
    # (namespace, name) of the pods not bound to a node yet (what the scheduler retries)
    unbound: set[tuple[str, str]] = field(default_factory=set)
    # the nodes' resourceVersions and the nodes sorted by name, as last seen by the scheduler
    nodes_sorted: tuple[tuple[str, ...], list[Obj]] = ((), [])
