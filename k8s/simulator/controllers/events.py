"""Event recording: each controller reports what it did as core/v1 Events, as on a real cluster.
Only the newest events per namespace are kept, so a long run does not grow without bound."""

from __future__ import annotations

import random
import secrets
from collections import deque

from k8s.simulator.api import ApiError
from k8s.simulator.controllers.objects import EVT, Obj
from k8s.simulator.server import Api
from k8s.simulator.store import now_rfc3339

EVENTS_PER_NAMESPACE = 1000


def event_body(
    obj: Obj, reason: str, message: str, etype: str, component: str, suffix: str = ""
) -> Obj:
    """A new Event about ``obj``, named ``<object>.<suffix>`` (random hex when not given)."""
    meta = obj["metadata"]
    ns = meta.get("namespace") or "default"
    stamp = now_rfc3339()
    return {
        "metadata": {"name": f"{meta['name']}.{suffix or secrets.token_hex(8)}", "namespace": ns},
        "involvedObject": {
            "kind": obj.get("kind"),
            "name": meta["name"],
            "namespace": ns,
            "uid": meta.get("uid"),
            "apiVersion": obj.get("apiVersion"),
        },
        "reason": reason,
        "message": message,
        "type": etype,
        "count": 1,
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "source": {"component": component},
        "reportingComponent": component,
    }


class EventRecorder:
    """Creates Events through the API and deletes the oldest beyond the per-namespace cap."""

    def __init__(self, api: Api, rng: random.Random | None = None):
        self.api = api
        self.names: dict[str, deque[str]] = {}
        self.rng = rng or random.Random()

    def record(
        self,
        obj: Obj,
        reason: str,
        message: str,
        etype: str = "Normal",
        component: str = "deployment-controller",
    ) -> None:
        suffix = f"{self.rng.getrandbits(64):016x}"
        ev = event_body(obj, reason, message, etype, component, suffix)
        ns = ev["metadata"]["namespace"]
        try:
            self.api.create(EVT, ns, ev)
        except ApiError:
            return
        names = self.names.setdefault(ns, deque())
        names.append(ev["metadata"]["name"])
        while len(names) > EVENTS_PER_NAMESPACE:
            old = names.popleft()
            try:
                self.api.delete(EVT, ns, old)
            except ApiError:
                pass
