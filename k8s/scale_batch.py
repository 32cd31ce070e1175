"""Many conditional scale patches at once, for the scheduler's batches.

One merge-patch per Deployment sets its replicas and annotations, conditional on the
resourceVersion read (409 when the object changed since), exactly as
:meth:`ClusterGateway.patch_replicas_and_annotations` does, at a fraction of its CPU: the
request is serialized by the client's own ``param_serialize`` (auth, token refresh, default
headers) but skips the generated method's argument validation, and the answer is read as raw
JSON (two fields) instead of being decoded into a model and encoded back. The writers share
one ApiClient whose urllib3 pool holds a connection per writer, so no request opens (and
TLS-handshakes) a connection of its own. Retries and error mapping are the gateway's.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from kubernetes import client
from kubernetes.client import ApiException

from k8s.gateway import ClusterGateway
from k8s.manifests import FIELD_MANAGER

PATH = "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
HEADERS = {"Accept": "application/json", "Content-Type": "application/merge-patch+json"}
QUERY = (("fieldManager", FIELD_MANAGER),)


@dataclass(frozen=True)
class Patched:
    """What the server answered: the replicas it stored and the new resourceVersion."""

    replicas: int
    resource_version: str


def pooled_client(api_client: client.ApiClient, size: int) -> client.ApiClient:
    """An ApiClient on the same cluster and credentials whose connection pool keeps ``size``
    connections (the default keeps cpu_count * 5 and opens, then drops, any beyond)."""
    cfg = api_client.configuration
    if (cfg.connection_pool_maxsize or 0) >= size:
        return api_client
    cfg = copy.copy(cfg)
    cfg.connection_pool_maxsize = size
    pooled = client.ApiClient(cfg)
    pooled.default_headers.update(api_client.default_headers)
    return pooled


class ScaleWriter:
    """Conditional replica-and-annotation patches, safe to call from ``workers`` threads."""

    def __init__(self, gateway: ClusterGateway, workers: int):
        self.gateway = gateway
        self.workers = workers
        self.api = pooled_client(gateway.api_client, workers)

    def patch(
        self,
        namespace: str,
        name: str,
        replicas: int | None,
        annotations: dict[str, str | None],
        resource_version: str,
    ) -> Patched:
        """Set replicas (None: leave them) and annotations in ONE patch if the object is
        still at ``resource_version`` (ConflictError otherwise); 429/5xx are retried by the
        gateway."""
        body: dict = {"metadata": {"resourceVersion": resource_version, "annotations": annotations}}
        if replicas is not None:
            body["spec"] = {"replicas": replicas}

        def send() -> Patched:
            method, url, headers, data, _ = self.api.param_serialize(
                "PATCH",
                PATH,
                path_params={"namespace": namespace, "name": name},
                query_params=list(QUERY),
                header_params=dict(HEADERS),
                body=body,
                auth_settings=["BearerToken"],
            )
            resp = self.api.call_api(method, url, headers, data)
            raw = resp.read()
            if not 200 <= resp.status <= 299:
                raise ApiException.from_response(http_resp=resp, body=raw.decode(), data=None)
            doc = json.loads(raw)
            return Patched(doc["spec"].get("replicas", 0), doc["metadata"]["resourceVersion"])

        return self.gateway.request(send, f"Deployment {namespace}/{name}", "patch")


__all__ = ["Patched", "ScaleWriter", "pooled_client"]
