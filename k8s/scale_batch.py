"""Many conditional scale patches at once, for the scheduler's batches.

One merge-patch per Deployment sets its replicas and annotations, conditional on the
resourceVersion read (409 when the object changed since), exactly as
:meth:`ClusterGateway.patch_replicas_and_annotations` does, at a fraction of its CPU: the
request goes straight to the client's urllib3 pool with the client's credentials (asked for per
request, so refreshed tokens apply), its address, TLS settings and default headers read once,
skipping the generated method's argument validation and per-call re-serialization, and the
answer is read as raw JSON (two fields) instead of being decoded into a model and back. The writers share
one ApiClient whose urllib3 pool holds a connection per writer, so no request opens (and
TLS-handshakes) a connection of its own. Retries and error mapping are the gateway's.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from kubernetes import client
from kubernetes.client import ApiException

from k8s.gateway import ClusterGateway
from k8s.manifests import FIELD_MANAGER

PATH = "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
HEADERS = {"Accept": "application/json", "Content-Type": "application/merge-patch+json"}
QUERY = "?" + urlencode({"fieldManager": FIELD_MANAGER})


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
        # read once, not per request: the server's address and the fixed headers
        self.base = self.api.configuration.host.rstrip("/")
        self.pool = self.api.rest_client.pool_manager
        self.fixed = {**self.api.default_headers, **HEADERS}

    def _headers(self) -> dict[str, str]:
        """The fixed headers and the credentials, asked for per request: a token from an
        exec plugin or a service account file is refreshed by the client's own hook."""
        headers = dict(self.fixed)
        for auth in self.api.configuration.auth_settings().values():
            if auth["in"] == "header" and auth["value"]:
                headers[auth["key"]] = auth["value"]
        return headers

    def warm(self, n: int) -> None:
        """Open up to ``n`` pooled connections now (a cheap GET each, at the same time), so
        that a batch planned ahead starts writing at once instead of connecting first."""
        n = min(n, self.workers)
        if n <= 0:
            return
        start = threading.Barrier(n)

        def one() -> None:
            try:
                start.wait(timeout=5)
                self.pool.request("GET", self.base + "/version", headers=self._headers())
            except Exception:  # warming is only an optimization
                pass

        threads = [threading.Thread(target=one, daemon=True) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)

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

        url = self.base + PATH.format(namespace=quote(namespace), name=quote(name)) + QUERY
        data = json.dumps(body).encode()

        def send() -> Patched:
            resp = self.pool.request(
                "PATCH", url, body=data, headers=self._headers(), preload_content=True
            )
            if not 200 <= resp.status <= 299:
                raise ApiException(http_resp=resp)
            doc = json.loads(resp.data)
            return Patched(doc["spec"].get("replicas", 0), doc["metadata"]["resourceVersion"])

        return self.gateway.request(send, f"Deployment {namespace}/{name}", "patch")


__all__ = ["Patched", "ScaleWriter", "pooled_client"]
