"""The RBAC in deploy/ is exact: run what Barista runs against a cluster (the gateway's applies,
scale and deletes, the live watch, a scheduler pass, leader election) on the simulator, collect
every (verb, resource, subresource) from its request log and compare with the rules granted:
nothing used is missing, nothing granted is unused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from barista_ui.records.registry import RegistryService
from barista_ui.schedule.engine import SchedulerEngine
from data.db import session_factory
from k8s.gateway import ClusterGateway
from k8s.inspect import managed_objects, pod_logs, rollout_history
from k8s.lease import LeaseElector
from k8s.live import LiveState
from k8s.live_model import ModelLive
from tests.conftest import base_record
from tests.deploy.manifests import DEPLOY, render
from tests.k8s_fixtures import sim  # noqa: F401

Use = tuple[str, str, str]  # verb, resource, subresource


def granted() -> set[Use]:
    """Every (verb, resource, subresource) the ClusterRole and the Role allow."""
    out: set[Use] = set()
    for doc in render(DEPLOY / "base"):
        if doc["kind"] not in ("ClusterRole", "Role"):
            continue
        for rule in doc["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"], rule
            for resource in rule["resources"]:
                res, _, sub = resource.partition("/")
                out |= {(verb, res, sub) for verb in rule["verbs"]}
    return out


def used(sim) -> set[Use]:  # noqa: F811
    return {(r.verb, r.resource, r.subresource) for r in sim.requests if r.resource}


def run_everything(sim, engine) -> None:  # noqa: F811
    """What a replica does against its cluster, every path that makes a request."""
    api = sim.api_client()
    gateway = ClusterGateway(api, backoff_base_s=0.01)
    new = session_factory(engine)
    registry = RegistryService(new, clock=lambda: datetime.now(UTC) - timedelta(days=1))
    live = LiveState(api)
    live.start()  # list + watch Deployments, Services, HPAs, Pods, Events
    try:
        live.wait_until(lambda s: s.synced, timeout=20)
        scaled = base_record(autoscaling={"enabled": True, "min": 1, "max": 4})
        rec = registry.create(scaled, actor="ana", source="ui")
        gateway.apply(rec.to_file_dict(), 2)  # namespace, Deployment, Service, HPA created
        changed = {
            **rec.to_file_dict(),
            "image": "registry.example.com/fraud-scorer:1.4.3",
            "port": 9090,
            "autoscaling": {"enabled": True, "min": 1, "max": 6, "target_cpu_percent": 70},
        }
        gateway.apply(changed, 2)  # Deployment, Service and HPA updated
        gateway.apply({**changed, "autoscaling": {**changed["autoscaling"], "enabled": False}}, 2)
        # the stepper: the scale subresource (7: above the deleted HPA's max, so always a change)
        gateway.scale("ml-prod", "fraud-scorer", 7)
        _panel_reads(gateway, live)
        gateway.list_managed("ml-prod")
        down = registry.create(
            base_record(name="nightly", schedule={"uptime": "never"}), actor="ana", source="ui"
        )
        gateway.apply(down.to_file_dict(), 2)
        SchedulerEngine(new, registry, gateway).reconcile()  # scales "nightly" down (patch)
        gateway.delete(rec.to_file_dict())  # Deployment, Service, HPA deleted
        gateway.ensure_namespace("barista")  # where Barista runs (the install creates it)
        a = LeaseElector(api, "barista", holder="a")
        b = LeaseElector(api, "barista", holder="b")
        assert a.try_acquire() and a.try_acquire() and not b.try_acquire()
        a.release()
    finally:
        live.stop()


def _panel_reads(gateway: ClusterGateway, live: LiveState) -> None:
    """The model panel and the Cluster tab: rollout history, a pod's log, the live objects."""
    assert rollout_history(gateway, "ml-prod", "fraud-scorer")
    key = ("ml-prod", "fraud-scorer")
    assert live.wait_until(lambda s: bool((s.snapshot(key) or ModelLive()).pod_map), timeout=20)
    pod = next(iter((live.snapshot(key) or ModelLive()).pod_map))
    pod_logs(gateway, "ml-prod", pod, tail=10)
    assert managed_objects(gateway, "ml-prod", "fraud-scorer")["Deployment"] is not None


def test_the_roles_grant_exactly_what_barista_uses(sim, engine) -> None:  # noqa: F811
    run_everything(sim, engine)
    use, grant = used(sim), granted()
    assert not use - grant, f"used but not granted (would be 403 in a cluster): {use - grant}"
    assert not grant - use, f"granted but never used (remove it): {grant - use}"
