"""What the model panel and the Cluster tab read from and do to the cluster beyond the record:
the rollout history and a roll back to one of its revisions (a record rollback), pod logs, and
managed objects without a record (adopt them as a record, or delete them).

Every change still goes through the record service (dry run, revision, reconcile), so a roll
back or an adoption is a revision like any other; deleting an unmanaged object is the one
direct write, since no record speaks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from barista_ui.access.actor import Actor
from barista_ui.access.roles import CLUSTER_DELETE, authorize
from barista_ui.cluster.adopt import record_from_live, revision_for_image
from barista_ui.records.record import RegistryError, RevisionView, Source
from barista_ui.records.service import ModelService, Saved
from k8s.gateway import ApplyResult, ClusterGateway
from k8s.inspect import RolloutRevision, managed_objects, pod_logs, rollout_history

Key = tuple[str, str]


@dataclass(frozen=True)
class HistoryLine:
    """A ReplicaSet of the rollout history and the record revision it maps to (None: no
    revision of the record ever ran its image)."""

    rollout: RolloutRevision
    record_revision: RevisionView | None


class ClusterObjects:
    def __init__(self, models: ModelService, gateway: ClusterGateway):
        self.models = models
        self.gateway = gateway

    def history(self, key: Key) -> list[HistoryLine]:
        """The rollout history, newest first, each with the record revision it maps to."""
        rollouts = rollout_history(self.gateway, *key)
        revisions = self.models.history(key[1], key[0])
        return [
            HistoryLine(r, revision_for_image(revisions, r.image, _when(r.created)))
            for r in rollouts
        ]

    def roll_back(
        self, key: Key, rollout: RolloutRevision, *, actor: Actor, source: Source
    ) -> Saved:
        """Roll the record back to the revision that ran this ReplicaSet's image."""
        revisions = self.models.history(key[1], key[0])
        target = revision_for_image(revisions, rollout.image, _when(rollout.created))
        if target is None:
            raise RegistryError(
                f"no revision of {key[0]}/{key[1]} ran image {rollout.image}: "
                "edit the record's image instead"
            )
        return self.models.rollback(
            key[1],
            target.number,
            namespace=key[0],
            actor=actor,
            source=source,
            reason=f"roll back to rollout revision {rollout.revision} ({rollout.image})",
        )

    def logs(self, namespace: str, pod: str, *, tail: int = 200) -> list[str]:
        return pod_logs(self.gateway, namespace, pod, tail=tail)

    def adopt(self, key: Key, *, actor: Actor, source: Source) -> Saved:
        """Create a record from a managed object that has none (refused, naming the field,
        when what runs does not make a valid record)."""
        if self.models.find(key[1], key[0]) is not None:
            raise RegistryError(f"{key[0]}/{key[1]} already has a record")
        objects = managed_objects(self.gateway, *key)
        deployment = objects["Deployment"]
        if deployment is None:
            raise RegistryError(f"{key[0]}/{key[1]} has no Deployment to adopt")
        record = record_from_live(deployment, objects["HorizontalPodAutoscaler"])
        return self.models.create(
            record, actor=actor, source=source, reason="adopted from the cluster"
        )

    def delete_unmanaged(self, key: Key, *, actor: Actor) -> ApplyResult:
        """Delete the Deployment, Service and HPA of a managed object without a record (an
        admin's call: no record names a team whose editors could own it)."""
        authorize(actor, CLUSTER_DELETE)
        if self.models.find(key[1], key[0]) is not None:
            raise RegistryError(f"{key[0]}/{key[1]} has a record: delete the model instead")
        return self.gateway.delete({"namespace": key[0], "name": key[1]})


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
