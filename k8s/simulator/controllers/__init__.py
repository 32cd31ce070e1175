"""The simulator's controllers, one module per controller: ``deployment`` (Deployment →
ReplicaSets, Deployment status), ``replicaset`` (ReplicaSet → Pods), ``scheduler`` (pods to nodes,
Unschedulable), ``kubelet`` (image pulls, start, ImagePullBackOff, CrashLoopBackOff, readiness),
``hpa`` (autoscaling) and ``events`` (Event recording), sharing ``work_queue`` (coalesced keys and
timers on one thread), ``context`` (what each receives) and ``objects`` (object helpers);
``manager.Controllers`` owns the thread and dispatches. They read ``k8s.simulator.store`` and
write only through ``k8s.simulator.server.Api`` (so watches and resource versions stay right),
use ``k8s.simulator.api`` for kinds and errors, and import nothing outside ``k8s.simulator``
except ``kubernetes.utils`` for quantities.
"""

from k8s.simulator.controllers.events import EVENTS_PER_NAMESPACE
from k8s.simulator.controllers.kubelet import default_bad_image
from k8s.simulator.controllers.manager import Controllers
from k8s.simulator.controllers.objects import (
    DEP,
    EVT,
    HPA,
    POD,
    RS,
    Obj,
    owner_ref,
    pod_requests,
    template_hash,
)

__all__ = [
    "DEP",
    "EVENTS_PER_NAMESPACE",
    "EVT",
    "HPA",
    "POD",
    "RS",
    "Controllers",
    "Obj",
    "default_bad_image",
    "owner_ref",
    "pod_requests",
    "template_hash",
]
