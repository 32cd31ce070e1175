"""Kubernetes client configuration: in-cluster service account or a kubeconfig file."""

from __future__ import annotations

import os

from kubernetes import client, config


def load_api_client(
    kubeconfig: str | None = None, context: str | None = None, in_cluster: bool | None = None
) -> client.ApiClient:
    """A dedicated ApiClient (the library's global default client is never touched)."""
    if in_cluster or (
        in_cluster is None and not kubeconfig and "KUBERNETES_SERVICE_HOST" in os.environ
    ):
        cfg = client.Configuration()
        config.load_incluster_config(client_configuration=cfg)
        return client.ApiClient(cfg)
    if not kubeconfig:
        raise ValueError("no kubeconfig given and not running inside a cluster")
    api: client.ApiClient = config.new_client_from_config(config_file=kubeconfig, context=context)
    return api
