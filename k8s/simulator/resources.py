"""The simulator's resource table and the Status errors it answers with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    subresources: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    model: str = ""  # the official client's model class ("" : V<version><Kind>)

    @property
    def model_name(self) -> str:
        return self.model or f"{self.version.capitalize()}{self.kind}"

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural


RESOURCES: dict[tuple[str, str, str], Resource] = {
    (r.group, r.version, r.plural): r
    for r in (
        Resource("", "v1", "namespaces", "Namespace", False, (), ("ns",)),
        Resource("", "v1", "nodes", "Node", False, ("status",), ("no",)),
        Resource("", "v1", "pods", "Pod", True, ("status", "log"), ("po",), ("all",)),
        Resource("", "v1", "services", "Service", True, ("status",), ("svc",), ("all",)),
        Resource("", "v1", "events", "Event", True, (), ("ev",), (), "CoreV1Event"),
        Resource("", "v1", "configmaps", "ConfigMap", True, (), ("cm",)),
        Resource(
            "apps",
            "v1",
            "deployments",
            "Deployment",
            True,
            ("scale", "status"),
            ("deploy",),
            ("all",),
        ),
        Resource("apps", "v1", "replicasets", "ReplicaSet", True, ("status",), ("rs",), ("all",)),
        Resource(
            "autoscaling",
            "v2",
            "horizontalpodautoscalers",
            "HorizontalPodAutoscaler",
            True,
            ("status",),
            ("hpa",),
            ("all",),
        ),
        Resource("coordination.k8s.io", "v1", "leases", "Lease", True),
    )
}
BY_PLURAL = {r.plural: r for r in RESOURCES.values()}
BY_KIND = {r.kind: r for r in RESOURCES.values()}


class ApiError(Exception):
    """Becomes a Kubernetes ``Status`` response."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        name: str = "",
        res: Resource | None = None,
        causes: list[dict] | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.name, self.res, self.causes, self.retry_after = name, res, causes, retry_after

    def status(self) -> Obj:
        details: Obj = {}
        if self.name:
            details["name"] = self.name
        if self.res is not None:
            details["group"] = self.res.group
            details["kind"] = self.res.plural
        if self.causes:
            details["causes"] = self.causes
        if self.retry_after:
            details["retryAfterSeconds"] = self.retry_after
        body: Obj = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if details:
            body["details"] = details
        return body


def not_found(res: Resource, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{res.qualified} "{name}" not found', name=name, res=res)


def conflict(res: Resource, name: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {res.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        name=name,
        res=res,
    )


def already_exists(res: Resource, name: str) -> ApiError:
    return ApiError(
        409, "AlreadyExists", f'{res.qualified} "{name}" already exists', name=name, res=res
    )


def invalid(res: Resource, name: str, causes: list[tuple[str, str]]) -> ApiError:
    text = ", ".join(f"{field}: {msg}" for field, msg in causes)
    return ApiError(
        422,
        "Invalid",
        f'{res.kind} "{name}" is invalid: {text}',
        name=name,
        res=res,
        causes=[
            {"reason": "FieldValueInvalid", "message": msg, "field": field} for field, msg in causes
        ],
    )
