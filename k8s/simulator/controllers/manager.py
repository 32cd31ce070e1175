"""``Controllers``: the thin facade the simulator starts and stops. It owns the controller thread,
turns store changes into work-queue keys, and dispatches each key to its controller's reconcile
function; timers run on the same thread."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from k8s.simulator.api import ApiError
from k8s.simulator.controllers.context import Context
from k8s.simulator.controllers.deployment import deployment_status, reconcile_deployment
from k8s.simulator.controllers.events import EventRecorder
from k8s.simulator.controllers.hpa import hpa_tick
from k8s.simulator.controllers.kubelet import default_bad_image, set_pod_ready
from k8s.simulator.controllers.objects import Obj
from k8s.simulator.controllers.replicaset import reconcile_replicaset
from k8s.simulator.controllers.scheduler import release_pod, retry_pending
from k8s.simulator.controllers.work_queue import WorkQueue
from k8s.simulator.server import Api
from k8s.simulator.store import Store

if TYPE_CHECKING:
    from k8s.simulator import SimulatorConfig

# work-queue kind → reconcile function (ns, name)
HANDLERS: dict[str, Callable[[Context, str, str], None]] = {
    "deployment": reconcile_deployment,
    "replicaset": reconcile_replicaset,
    "deployment-status": deployment_status,
    "retry-pending": lambda ctx, _ns, _name: retry_pending(ctx),
}


class Controllers:
    """All simulated controllers on one thread, fed by the store's change listener."""

    def __init__(self, store: Store, api: Api, config: SimulatorConfig):
        self.store, self.api, self.cfg = store, api, config
        self.ctx = Context(
            store=store,
            api=api,
            config=config,
            work=WorkQueue(config.speed),
            events=EventRecorder(api),
            bad_image=config.bad_image or default_bad_image,
            rng=random.Random(config.seed),
        )
        self.work = self.ctx.work
        # (namespace, deployment) → CPU %; Simulator.set_load writes here
        self.loads = self.ctx.loads
        store.listeners.append(self._on_change)
        self.thread = threading.Thread(target=self._run, name="sim-controllers", daemon=True)

    def start(self) -> None:
        self.thread.start()
        self.work.after(self.cfg.hpa_interval_s, lambda: hpa_tick(self.ctx))

    def stop(self) -> None:
        self.work.stop()
        self.thread.join(5)

    def set_pod_ready(self, ns: str, name: str, ready: bool) -> None:
        """Flip a pod's readiness (tests and benchmarks); KeyError when it does not exist."""
        set_pod_ready(self.ctx, ns, name, ready)

    def _on_change(self, etype: str, resource: str, obj: Obj, old: Obj | None) -> None:
        meta = obj["metadata"]
        ns = meta.get("namespace", "")
        enqueue = self.work.enqueue
        if resource == "deployments" and etype != "DELETED":
            enqueue("deployment", ns, meta["name"])
        elif resource == "replicasets":
            if etype != "DELETED":
                enqueue("replicaset", ns, meta["name"])
            for ref in meta.get("ownerReferences") or []:
                if ref.get("kind") == "Deployment":  # a rollout moves on as pods get ready
                    enqueue("deployment", ns, ref["name"])
        elif resource == "pods":
            for ref in meta.get("ownerReferences") or []:
                if ref.get("kind") == "ReplicaSet":
                    enqueue("replicaset", ns, ref["name"])
            if etype != "DELETED" and not (obj.get("spec") or {}).get("nodeName"):
                self.ctx.unbound.add((ns, meta["name"]))
            else:
                self.ctx.unbound.discard((ns, meta["name"]))
            if etype == "DELETED" and (obj.get("spec") or {}).get("nodeName"):
                release_pod(self.ctx, obj)
                enqueue("retry-pending", "", "")

    def _run(self) -> None:
        while not self.work.stopped:
            item = self.work.next_item()
            if item is None:
                return
            kind, ns, name = item
            handler = HANDLERS.get(kind)
            if handler is not None:
                self._safely(partial(handler, self.ctx, ns, name))
            while (fn := self.work.pop_due()) is not None:
                self._safely(fn)

    @staticmethod
    def _safely(fn: Callable[[], None]) -> None:
        try:
            fn()
        except (ApiError, KeyError):
            pass  # the object changed or went away meanwhile; the next event reconciles again
