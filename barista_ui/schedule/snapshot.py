"""What the scheduler reads of the cluster: a read-only snapshot of the managed Deployments
per pass (from the watch cache when it is synced, else one paged list), and a fresh read of
one Deployment. ``SEQUENCE`` orders snapshots and writes within the process: a model written
after a snapshot was taken is read again."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from barista_ui.schedule.store import Key
from k8s.gateway import ClusterGateway


@dataclass(frozen=True)
class LiveDeployment:
    replicas: int
    resource_version: str
    annotations: Mapping[str, str]


SEQUENCE = itertools.count(1)  # orders snapshots and writes within this process


class LiveSnapshot(Mapping[Key, LiveDeployment]):
    """One pass's read-only view of the managed Deployments. ``taken`` orders it against the
    writes of other passes: a model written after it was taken is read again."""

    def __init__(self, deployments: dict[Key, LiveDeployment], taken: int):
        self._deployments = MappingProxyType(deployments)
        self.taken = taken  # drawn before the read began

    def __getitem__(self, key: Key) -> LiveDeployment:
        return self._deployments[key]

    def __iter__(self) -> Iterator[Key]:
        return iter(self._deployments)

    def __len__(self) -> int:
        return len(self._deployments)


def _from_object(dep: dict) -> LiveDeployment:
    meta = dep["metadata"]
    return LiveDeployment(
        dep["spec"].get("replicas", 0),
        meta["resourceVersion"],
        MappingProxyType(dict(meta.get("annotations") or {})),
    )


def live_snapshot(
    keys: Iterable[Key], live: Any | None, gateway: ClusterGateway | None
) -> LiveSnapshot:
    """Replicas, resourceVersion and annotations of the managed Deployments, read once per pass
    (from the watch cache when it is synced, else one list). The result is read-only."""
    taken = next(SEQUENCE)  # before reading: a write that lands during the read counts as later
    index: dict[Key, LiveDeployment] = {}
    if live is not None and getattr(live, "synced", False):
        for key, m in live.all().items():
            if m.deployment_exists and m.resource_version:
                index[key] = LiveDeployment(
                    m.desired, m.resource_version, MappingProxyType(dict(m.annotations))
                )
    elif gateway is not None:
        wanted = set(keys)
        for dep in gateway.list_managed():
            meta = dep["metadata"]
            key = (meta["namespace"], (meta.get("labels") or {}).get("model") or meta["name"])
            if key in wanted:
                index[key] = _from_object(dep)
    return LiveSnapshot(index, taken)


def read_deployment(gateway: ClusterGateway | None, key: Key) -> LiveDeployment | None:
    if gateway is None:
        return None
    dep = gateway.get_deployment(*key)
    return None if dep is None else _from_object(dep)
