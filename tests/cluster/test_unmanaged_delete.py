"""Deleting cluster objects that no record speaks for is an admin's call: an editor is refused
and the objects stay; an admin deletes them."""

from __future__ import annotations

import pytest
from kubernetes import client

from barista_ui.access.actor import Actor, Grant, operator
from barista_ui.access.roles import Forbidden
from barista_ui.cluster.objects import ClusterObjects
from barista_ui.records.service import ModelService
from k8s.gateway import ClusterGateway
from k8s.manifests import render
from tests.conftest import base_record
from tests.k8s_fixtures import sim  # noqa: F401

NS = "ml-prod"


def _make_unmanaged(cluster, name: str) -> None:
    api = cluster.api_client()
    dep, svc = render(base_record(name=name), 1)
    client.CoreV1Api(api).create_namespace({"metadata": {"name": NS}})
    client.AppsV1Api(api).create_namespaced_deployment(NS, dep)
    client.CoreV1Api(api).create_namespaced_service(NS, svc)


def _deployments(cluster) -> list[str]:
    items = client.AppsV1Api(cluster.api_client()).list_namespaced_deployment(NS).items
    return [d.metadata.name for d in items]


def test_only_an_admin_deletes_unmanaged_objects(sim, registry) -> None:  # noqa: F811
    _make_unmanaged(sim, "orphan")
    objects = ClusterObjects(ModelService(registry), ClusterGateway(sim.api_client()))
    editor = Actor("eve@example.com", roles=frozenset({Grant("editor", "payments")}))
    with pytest.raises(Forbidden, match="admin"):
        objects.delete_unmanaged((NS, "orphan"), actor=editor)
    assert _deployments(sim) == ["orphan"]
    objects.delete_unmanaged((NS, "orphan"), actor=operator("ops"))
    assert _deployments(sim) == []
