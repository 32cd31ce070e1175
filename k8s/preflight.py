"""Server-side dry run of a model's objects (``dryRun=All``): the server checks the change as
it would a real write (schema, admission, RBAC) and stores nothing.

A refusal raises the gateway's error for it (it names the object and the server's reason);
a cluster that cannot be asked raises :class:`~k8s.gateway.ClusterUnavailable`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from k8s.gateway import ClusterGateway, NotFoundError, Obj
from k8s.manifests import render

DRY_RUN = "All"
TIMEOUT_S = 5.0  # a dry run is asked for while someone waits: fail fast, save as Pending


def preflight(
    gw: ClusterGateway, record: Obj, replicas: int, *, delete: bool = False, retries: int = 0
) -> None:
    """Dry-run applying (or, with ``delete``, deleting) the record's objects."""
    ns, name = record["namespace"], record["name"]
    if delete:
        for kind, (_read, _create, _replace, remove) in _verbs(gw).items():
            try:
                _ask(gw, (f"{kind} {ns}/{name}", "delete", retries), remove, name, ns, dry=True)
            except NotFoundError:
                pass  # already gone: nothing to check
        return
    ns_exists = _namespace_exists(gw, ns, retries)
    if not ns_exists:
        body = {"metadata": {"name": ns}}
        _ask(gw, (f"Namespace {ns}", "create", retries), gw.core.create_namespace, body, dry=True)
    for obj in render(record, replicas):
        _preflight_object(gw, obj, ns_exists, retries)


def _preflight_object(gw: ClusterGateway, obj: Obj, ns_exists: bool, retries: int) -> None:
    kind, ns, name = obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"]
    what = f"{kind} {ns}/{name}"
    read, create, replace, _remove = _verbs(gw)[kind]
    try:
        live = gw.to_dict(_ask(gw, (what, "read", retries), read, name, ns))
    except NotFoundError:
        live = None
    if live is None:
        try:
            _ask(gw, (what, "create", retries), create, ns, obj, dry=True)
        except NotFoundError:
            if ns_exists:
                raise
            # the namespace does not exist yet (its creation was checked): nothing more to ask
        return
    body = {**obj, "spec": dict(obj["spec"])}
    live_spec = live.get("spec") or {}
    if kind == "Deployment":  # the count is the reconciler's business, not the check's
        body["spec"]["replicas"] = live_spec.get("replicas", obj["spec"].get("replicas"))
    if kind == "Service" and live_spec.get("clusterIP"):
        body["spec"]["clusterIP"] = live_spec["clusterIP"]
    _ask(gw, (what, "update", retries), replace, name, ns, body, dry=True)


def _namespace_exists(gw: ClusterGateway, ns: str, retries: int) -> bool:
    try:
        _ask(gw, (f"Namespace {ns}", "read", retries), gw.core.read_namespace, ns)
        return True
    except NotFoundError:
        return False


def _ask(
    gw: ClusterGateway,
    label: tuple[str, str, int],
    call: Callable[..., Any],
    *args: Any,
    dry: bool = False,
) -> Any:
    """One request with a short timeout; ``label`` is (object, verb, retries) for errors."""
    what, verb, retries = label
    kwargs: dict[str, Any] = {"_request_timeout": TIMEOUT_S}
    if dry:
        kwargs["dry_run"] = DRY_RUN
    return gw.request(lambda: call(*args, **kwargs), what, verb, retries=retries)


def _verbs(gw: ClusterGateway) -> dict[str, tuple[Callable[..., Any], ...]]:
    a, c, h = gw.apps, gw.core, gw.autoscaling
    return {
        "HorizontalPodAutoscaler": (
            h.read_namespaced_horizontal_pod_autoscaler,
            h.create_namespaced_horizontal_pod_autoscaler,
            h.replace_namespaced_horizontal_pod_autoscaler,
            h.delete_namespaced_horizontal_pod_autoscaler,
        ),
        "Service": (
            c.read_namespaced_service,
            c.create_namespaced_service,
            c.replace_namespaced_service,
            c.delete_namespaced_service,
        ),
        "Deployment": (
            a.read_namespaced_deployment,
            a.create_namespaced_deployment,
            a.replace_namespaced_deployment,
            a.delete_namespaced_deployment,
        ),
    }
