"""The kubelet: pulls images and starts a bound pod's containers, then reports Running and Ready.

Images: a pull fails when the tag is ``doesnotexist`` or starts with ``bad-``, or the registry
host ends in ``.invalid`` (override with ``SimulatorConfig.bad_image``); the pod then shows
ErrImagePull, then ImagePullBackOff. A container whose env has ``SIMULATE_CRASH=1`` ends in
CrashLoopBackOff with a growing restart count.
"""

from __future__ import annotations

from k8s.simulator.controllers.context import Context
from k8s.simulator.controllers.objects import POD, Obj, template_hash
from k8s.simulator.store import now_rfc3339

PULL_BACKOFF_AFTER_S = 1.0
CRASH_RESTART_EVERY_S = 5.0
MAX_RESTARTS = 20


def default_bad_image(image: str) -> bool:
    """True for images whose pull fails in the simulator (see the module docstring)."""
    name, _, digest = image.partition("@")
    host = name.split("/")[0] if "/" in name else ""
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
    return tag == "doesnotexist" or tag.startswith("bad-") or host.endswith(".invalid")


def set_pod_status(ctx: Context, pod: Obj, status: Obj) -> Obj:
    """Write the pod's status subresource (``pod`` itself is left as it is); the stored pod."""
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    return ctx.api.update(POD, ns, name, {**pod, "status": status}, "status")


def waiting_status(container: Obj, reason: str, message: str, restarts: int = 0) -> Obj:
    """A container status in the waiting state."""
    waiting = {"reason": reason}
    if message:
        waiting["message"] = message
    return {
        "name": container["name"],
        "image": container.get("image", ""),
        "imageID": "",
        "ready": False,
        "started": False,
        "restartCount": restarts,
        "state": {"waiting": waiting},
    }


def start_pod(ctx: Context, ns: str, name: str) -> None:
    """Pull the images and start the containers: Running and Ready, or a pull failure, or a
    crash loop."""
    pod = ctx.store.get("pods", ns, name)
    if pod is None:
        return
    containers = pod["spec"]["containers"]
    stamp = now_rfc3339()
    for c in containers:
        ctx.events.record(pod, "Pulling", f'Pulling image "{c["image"]}"', component="kubelet")
    bad = [c for c in containers if ctx.bad_image(c.get("image", ""))]
    if bad:
        _fail_pull(ctx, pod, bad[0]["image"])
        return
    crash = [c for c in containers if _simulates_crash(c)]
    for c in containers:
        ctx.events.record(
            pod, "Pulled", f'Successfully pulled image "{c["image"]}"', component="kubelet"
        )
        ctx.events.record(pod, "Started", f"Started container {c['name']}", component="kubelet")
    if crash:
        crash_loop(ctx, ns, name, 0)
        return
    _run(ctx, pod, stamp)


def _simulates_crash(container: Obj) -> bool:
    return any(
        e.get("name") == "SIMULATE_CRASH" and e.get("value") == "1"
        for e in container.get("env") or []
    )


def _fail_pull(ctx: Context, pod: Obj, image: str) -> None:
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    msg = (
        f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and '
        f'unpack image "{image}": not found'
    )
    status = pod["status"]
    status["containerStatuses"] = [
        waiting_status(c, "ErrImagePull", msg) for c in pod["spec"]["containers"]
    ]
    set_pod_status(ctx, pod, status)
    ctx.events.record(pod, "Failed", msg, "Warning", "kubelet")
    ctx.work.after(PULL_BACKOFF_AFTER_S, lambda: pull_backoff(ctx, ns, name, image))


def _run(ctx: Context, pod: Obj, stamp: str) -> None:
    """Mark the pod Running with every container started and ready."""
    status = pod["status"]
    status["phase"] = "Running"
    rng = ctx.rng
    status["podIP"] = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
    for cond in status["conditions"]:
        if cond["type"] in ("Ready", "ContainersReady"):
            cond.update({"status": "True", "lastTransitionTime": stamp})
            cond.pop("reason", None)
    status["containerStatuses"] = [
        {
            "name": c["name"],
            "image": c.get("image", ""),
            "imageID": f"sha256:{template_hash({'i': c.get('image')})}",
            "ready": True,
            "started": True,
            "restartCount": 0,
            "state": {"running": {"startedAt": stamp}},
        }
        for c in pod["spec"]["containers"]
    ]
    set_pod_status(ctx, pod, status)


def pull_backoff(ctx: Context, ns: str, name: str, image: str) -> None:
    """After a failed pull: ImagePullBackOff."""
    pod = ctx.store.get("pods", ns, name)
    if pod is None:
        return
    msg = f'Back-off pulling image "{image}"'
    pod["status"]["containerStatuses"] = [
        waiting_status(c, "ImagePullBackOff", msg) for c in pod["spec"]["containers"]
    ]
    set_pod_status(ctx, pod, pod["status"])
    ctx.events.record(pod, "BackOff", msg, "Normal", "kubelet")


def crash_loop(ctx: Context, ns: str, name: str, restarts: int) -> None:
    """One more crash: CrashLoopBackOff with a growing back-off, again later up to a cap."""
    pod = ctx.store.get("pods", ns, name)
    if pod is None:
        return
    status = pod["status"]
    status["phase"] = "Running"
    msg = f"back-off {min(300, 10 * 2**restarts)}s restarting failed container"
    status["containerStatuses"] = [
        {
            **waiting_status(c, "CrashLoopBackOff", msg, restarts + 1),
            "lastState": {
                "terminated": {"exitCode": 1, "reason": "Error", "finishedAt": now_rfc3339()}
            },
        }
        for c in pod["spec"]["containers"]
    ]
    set_pod_status(ctx, pod, status)
    ctx.events.record(pod, "BackOff", msg, "Warning", "kubelet")
    if restarts < MAX_RESTARTS:
        ctx.work.after(CRASH_RESTART_EVERY_S, lambda: crash_loop(ctx, ns, name, restarts + 1))


def set_pod_ready(ctx: Context, ns: str, name: str, ready: bool) -> None:
    """Flip a pod's readiness (for tests and benchmarks); KeyError when it does not exist."""
    pod = ctx.store.get("pods", ns, name)
    if pod is None:
        raise KeyError(name)
    stamp = now_rfc3339()
    for cond in pod["status"].get("conditions") or []:
        if cond["type"] in ("Ready", "ContainersReady"):
            cond.update({"status": "True" if ready else "False", "lastTransitionTime": stamp})
    for cs in pod["status"].get("containerStatuses") or []:
        cs["ready"] = ready
    set_pod_status(ctx, pod, pod["status"])
