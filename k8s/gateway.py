"""The cluster gateway: apply, scale, annotate and delete a model's objects via the official client.

Retries 409 (for unconditional writes), 429 and 5xx with exponential backoff and jitter;
403/404/422 become errors that name the object and the server's reason. Apply is idempotent:
an object with no drift (:mod:`k8s.drift`: every field Barista renders, the config hash among
them) and the replica count wanted gets no write; any drift is repaired by a full write.
Writes name Barista as their field manager, so ``managedFields`` tells Barista's changes apart.
Each call counts its own writes in the result it returns (no shared counter). The replica
count is decided by the caller (:data:`Replicas`); the gateway only carries it out.
:meth:`ClusterGateway.preflight` asks the server to check a change (``dryRun=All``) without
making it.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from kubernetes import client
from kubernetes.client import ApiException
from urllib3.exceptions import HTTPError as Urllib3Error

from k8s.drift import object_differences
from k8s.manifests import FIELD_MANAGER, MANAGED_SELECTOR, render

Obj = dict[str, Any]
Replicas = int | Callable[[Obj | None], int]  # a count, or one decided from the live Deployment
"""The count to write: a number, or a function of the live Deployment's count (None: none yet)."""


class GatewayError(Exception):
    """A cluster operation failed; the message names the object and the reason."""

    status: int | None = None

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class ForbiddenError(GatewayError):
    pass


class NotFoundError(GatewayError):
    pass


class InvalidError(GatewayError):
    pass


class ConflictError(GatewayError):
    pass


class ClusterUnavailable(GatewayError):
    pass


@dataclass
class ApplyResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    writes: int = 0


@dataclass(frozen=True)
class ScaleResult:
    before: int
    after: int
    resource_version: str


def _reason(exc: ApiException) -> str:
    try:
        body = json.loads(exc.body or "{}")
    except (TypeError, ValueError):
        return exc.reason or str(exc.status)
    message = body.get("message") or exc.reason or ""
    return message


def _error(exc: ApiException, what: str, verb: str) -> GatewayError:
    reason = _reason(exc)
    status = exc.status
    if status == 403:
        return ForbiddenError(f"cannot {verb} {what}: forbidden: {reason}", 403)
    if status == 404:
        return NotFoundError(f"cannot {verb} {what}: not found: {reason}", 404)
    if status == 422:
        return InvalidError(f"{what} is invalid: {reason}", 422)
    if status == 409:
        return ConflictError(f"cannot {verb} {what}: conflict: {reason}", 409)
    if status == 401:
        return ForbiddenError(
            f"cannot {verb} {what}: unauthorized (check the kubeconfig's credentials)", 401
        )
    return ClusterUnavailable(
        f"cannot {verb} {what}: the cluster answered {status}: {reason}", status
    )


class ClusterGateway:
    def __init__(
        self,
        api_client: client.ApiClient,
        *,
        max_retries: int = 5,
        backoff_base_s: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.api_client = api_client
        self.core = client.CoreV1Api(api_client)
        self.apps = client.AppsV1Api(api_client)
        self.autoscaling = client.AutoscalingV2Api(api_client)
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.sleep = sleep
        self._lock = threading.Lock()
        self._namespaces: set[str] = set()

    # ------------------------------------------------------------------ plumbing

    def request(
        self,
        fn: Callable[[], Any],
        what: str,
        verb: str,
        *,
        retry_conflict: bool = False,
        retries: int | None = None,
    ) -> Any:
        """Run one request with retries on 429/5xx/connection errors (and 409 when asked)."""
        attempt = 0
        max_retries = self.max_retries if retries is None else retries
        while True:
            try:
                return fn()
            except ApiException as exc:
                retryable = exc.status in (429, 500, 502, 503, 504) or (
                    exc.status == 409 and retry_conflict and "AlreadyExists" not in (exc.body or "")
                )
                if not retryable or attempt >= max_retries:
                    raise _error(exc, what, verb) from exc
                delay = self.backoff_base_s * (2**attempt) * (0.5 + random.random())
                if exc.status == 429:
                    retry_after = (exc.headers or {}).get("Retry-After")
                    if retry_after and str(retry_after).isdigit():
                        delay = max(delay, float(retry_after))
            except (Urllib3Error, OSError) as exc:
                if attempt >= max_retries:
                    raise ClusterUnavailable(
                        f"cannot {verb} {what}: cluster unreachable: {exc}"
                    ) from exc
                delay = self.backoff_base_s * (2**attempt) * (0.5 + random.random())
            attempt += 1
            self.sleep(delay)

    def to_dict(self, obj: Any) -> Obj:
        return self.api_client.sanitize_for_serialization(obj)

    # ------------------------------------------------------------------ reading

    def get_deployment(self, namespace: str, name: str) -> Obj | None:
        try:
            return self.to_dict(
                self.request(
                    lambda: self.apps.read_namespaced_deployment(name, namespace),
                    f"Deployment {namespace}/{name}",
                    "read",
                )
            )
        except NotFoundError:
            return None

    def read_scale(self, namespace: str, name: str) -> Obj:
        return self.to_dict(
            self.request(
                lambda: self.apps.read_namespaced_deployment_scale(name, namespace),
                f"Deployment {namespace}/{name}",
                "read the scale of",
            )
        )

    def list_managed(self, namespace: str | None = None) -> list[Obj]:
        """Managed Deployments as plain dicts, fetched in pages of 500 (no model decoding)."""
        out: list[Obj] = []
        token = None
        while True:
            kwargs: Obj = {
                "label_selector": MANAGED_SELECTOR,
                "limit": 500,
                "_preload_content": False,
            }
            if token:
                kwargs["_continue"] = token
            if namespace:
                resp = self.request(
                    partial(self.apps.list_namespaced_deployment, namespace, **kwargs),
                    f"Deployments in {namespace}",
                    "list",
                )
            else:
                resp = self.request(
                    partial(self.apps.list_deployment_for_all_namespaces, **kwargs),
                    "Deployments",
                    "list",
                )
            page = json.loads(resp.data)
            out.extend(page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return out

    # ------------------------------------------------------------------ writing

    def ensure_namespace(self, namespace: str) -> int:
        """Create the namespace if it is missing; returns the number of writes (0 or 1)."""
        if namespace in self._namespaces:
            return 0
        writes = 0
        try:
            self.request(
                lambda: self.core.read_namespace(namespace), f"Namespace {namespace}", "read"
            )
        except NotFoundError:
            try:
                self.request(
                    lambda: self.core.create_namespace(_body({"metadata": {"name": namespace}})),
                    f"Namespace {namespace}",
                    "create",
                )
                writes = 1
            except ConflictError:
                pass
        with self._lock:
            self._namespaces.add(namespace)
        return writes

    def apply(self, record: Obj, replicas: Replicas) -> ApplyResult:
        """Create or update the model's objects; unchanged objects get no write.

        ``replicas`` is the count to write, or a function of the live Deployment (None when
        there is none yet) that decides it: the caller's replica rule, e.g. an active HPA keeping
        its own count, or the scheduler's hold-down annotation on the object being written. It
        is asked again after every conflicting write, so the count follows the object it lands on.
        """
        try:
            return self._apply(record, replicas)
        except NotFoundError:  # e.g. the namespace was deleted: check it again next time
            with self._lock:
                self._namespaces.discard(record["namespace"])
            raise

    def _apply(self, record: Obj, replicas: Replicas) -> ApplyResult:
        ns, name = record["namespace"], record["name"]
        decide = replicas if callable(replicas) else (lambda live, n=replicas: n)
        result = ApplyResult()
        result.writes += self.ensure_namespace(ns)
        autoscaled = bool((record.get("autoscaling") or {}).get("enabled"))
        for obj in render(record, decide(None)):
            kind = obj["kind"]
            if kind == "Deployment":
                self._apply_deployment(obj, decide, result)
            elif kind == "Service":
                self._apply_simple(
                    obj,
                    result,
                    self.core.read_namespaced_service,
                    self.core.create_namespaced_service,
                    self.core.replace_namespaced_service,
                )
            else:
                self._apply_simple(
                    obj,
                    result,
                    self.autoscaling.read_namespaced_horizontal_pod_autoscaler,
                    self.autoscaling.create_namespaced_horizontal_pod_autoscaler,
                    self.autoscaling.replace_namespaced_horizontal_pod_autoscaler,
                )
        if not autoscaled:
            what = f"HorizontalPodAutoscaler {ns}/{name}"
            try:
                self.request(
                    lambda: self.autoscaling.delete_namespaced_horizontal_pod_autoscaler(name, ns),
                    what,
                    "delete",
                )
                result.deleted.append(what)
                result.writes += 1
            except NotFoundError:
                pass  # nothing to delete
        return result

    def _apply_deployment(
        self, obj: Obj, decide: Callable[[Obj | None], int], result: ApplyResult
    ) -> None:
        ns, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
        what = f"Deployment {ns}/{name}"
        for _ in range(self.max_retries + 1):
            live = self.get_deployment(ns, name)
            if live is None:
                try:
                    self.request(
                        lambda: self.apps.create_namespaced_deployment(
                            ns, _body(obj), field_manager=FIELD_MANAGER
                        ),
                        what,
                        "create",
                    )
                    result.created.append(what)
                    result.writes += 1
                    return
                except ConflictError:
                    continue  # created meanwhile: update it
            live_replicas = (live.get("spec") or {}).get("replicas", 0)
            want = decide(live)
            if not object_differences(obj, live):  # the config hash is one of the fields
                if live_replicas == want:
                    result.unchanged.append(what)
                    return
                try:  # only the count differs: the scale subresource, conditional on this read
                    scaled = self.scale(
                        ns,
                        name,
                        want,
                        expected_resource_version=live["metadata"]["resourceVersion"],
                    )
                    result.updated.append(what)
                    result.writes += int(scaled.before != scaled.after)
                    return
                except ConflictError:
                    continue
            body = dict(obj)
            body["spec"] = {**obj["spec"], "replicas": want}
            meta = dict(obj["metadata"])
            annotations = dict((live.get("metadata") or {}).get("annotations") or {})
            annotations.update(obj["metadata"]["annotations"])
            meta["annotations"] = annotations
            meta["resourceVersion"] = live["metadata"]["resourceVersion"]
            body["metadata"] = meta
            try:
                self.request(
                    partial(
                        self.apps.replace_namespaced_deployment,
                        name,
                        ns,
                        _body(body),
                        field_manager=FIELD_MANAGER,
                    ),
                    what,
                    "update",
                )
                result.updated.append(what)
                result.writes += 1
                return
            except ConflictError:
                continue  # changed between read and write: read again
        raise ConflictError(f"cannot update {what}: it kept changing while being applied")

    def _apply_simple(self, obj: Obj, result: ApplyResult, read, create, replace) -> None:
        ns, name, kind = obj["metadata"]["namespace"], obj["metadata"]["name"], obj["kind"]
        what = f"{kind} {ns}/{name}"
        for _ in range(self.max_retries + 1):
            try:
                live = self.to_dict(self.request(lambda: read(name, ns), what, "read"))
            except NotFoundError:
                try:
                    self.request(
                        lambda: create(ns, obj, field_manager=FIELD_MANAGER), what, "create"
                    )
                    result.created.append(what)
                    result.writes += 1
                    return
                except ConflictError:
                    continue
            if not object_differences(obj, live):
                result.unchanged.append(what)
                return
            body = {
                **obj,
                "metadata": {
                    **obj["metadata"],
                    "resourceVersion": live["metadata"]["resourceVersion"],
                },
            }
            if kind == "Service" and (live.get("spec") or {}).get("clusterIP"):
                body["spec"] = {**obj["spec"], "clusterIP": live["spec"]["clusterIP"]}
            try:
                self.request(
                    partial(replace, name, ns, body, field_manager=FIELD_MANAGER), what, "update"
                )
                result.updated.append(what)
                result.writes += 1
                return
            except ConflictError:
                continue
        raise ConflictError(f"cannot update {what}: it kept changing while being applied")

    def scale(
        self,
        namespace: str,
        name: str,
        replicas: int,
        *,
        expected_resource_version: str | None = None,
    ) -> ScaleResult:
        """Set replicas through the scale subresource (conditional when a version is given)."""
        what = f"Deployment {namespace}/{name}"
        for _ in range(self.max_retries + 1):
            current = self.read_scale(namespace, name)
            rv = current["metadata"]["resourceVersion"]
            if expected_resource_version is not None and rv != expected_resource_version:
                raise ConflictError(
                    f"cannot scale {what}: it changed since it was read "
                    f"(resourceVersion {expected_resource_version} -> {rv})",
                    409,
                )
            before = current["spec"].get("replicas", 0)
            if before == replicas:
                return ScaleResult(before, replicas, rv)
            body = {
                "apiVersion": "autoscaling/v1",
                "kind": "Scale",
                "metadata": {"name": name, "namespace": namespace, "resourceVersion": rv},
                "spec": {"replicas": replicas},
            }
            try:
                out = self.to_dict(
                    self.request(
                        partial(
                            self.apps.replace_namespaced_deployment_scale,
                            name,
                            namespace,
                            _body(body),
                            field_manager=FIELD_MANAGER,
                        ),
                        what,
                        "scale",
                    )
                )
                return ScaleResult(before, replicas, out["metadata"]["resourceVersion"])
            except ConflictError:
                if expected_resource_version is not None:
                    raise
        raise ConflictError(f"cannot scale {what}: it kept changing")

    def patch_replicas_and_annotations(
        self,
        namespace: str,
        name: str,
        replicas: int,
        annotations: dict[str, str | None],
        resource_version: str,
    ) -> Obj:
        """One merge-patch setting replicas and annotations, conditional on resource_version."""
        body = {
            "metadata": {"resourceVersion": resource_version, "annotations": annotations},
            "spec": {"replicas": replicas},
        }
        what = f"Deployment {namespace}/{name}"
        return self.to_dict(
            self.request(
                lambda: self.apps.patch_namespaced_deployment(
                    name,
                    namespace,
                    body,
                    field_manager=FIELD_MANAGER,
                    _content_type="application/merge-patch+json",
                ),
                what,
                "patch",
            )
        )

    def annotate_deployment(
        self,
        namespace: str,
        name: str,
        annotations: dict[str, str | None],
        resource_version: str | None = None,
    ) -> Obj:
        meta: Obj = {"annotations": annotations}
        if resource_version:
            meta["resourceVersion"] = resource_version
        return self.to_dict(
            self.request(
                lambda: self.apps.patch_namespaced_deployment(
                    name,
                    namespace,
                    {"metadata": meta},
                    field_manager=FIELD_MANAGER,
                    _content_type="application/merge-patch+json",
                ),
                f"Deployment {namespace}/{name}",
                "annotate",
            )
        )

    def delete(self, record: Obj) -> ApplyResult:
        """Delete the model's Deployment, Service and HPA (already gone is fine)."""
        ns, name = record["namespace"], record["name"]
        result = ApplyResult()
        for kind, fn in (
            (
                "HorizontalPodAutoscaler",
                self.autoscaling.delete_namespaced_horizontal_pod_autoscaler,
            ),
            ("Service", self.core.delete_namespaced_service),
            ("Deployment", self.apps.delete_namespaced_deployment),
        ):
            what = f"{kind} {ns}/{name}"
            try:
                self.request(partial(fn, name, ns), what, "delete")
                result.deleted.append(what)
                result.writes += 1
            except NotFoundError:
                pass
        return result


def _body(obj: Obj) -> Any:
    """A plain dict as a request body: the client serializes dicts as they are (its type hints
    name its model classes)."""
    return obj


__all__ = [
    "ApplyResult",
    "ClusterGateway",
    "ClusterUnavailable",
    "ConflictError",
    "ForbiddenError",
    "GatewayError",
    "InvalidError",
    "NotFoundError",
    "ScaleResult",
]
