"""The cluster side of the record write path: the server-side dry run before a save and
the hand-over to the reconciler after it (implements ``records.service.ClusterGate``)."""

from __future__ import annotations

from collections.abc import Callable

from barista_ui.cluster.reconciler import Reconciler
from barista_ui.records.service import ClusterRefused
from barista_ui.records.spec import ModelSpec
from k8s.gateway import ClusterGateway, ClusterUnavailable, GatewayError
from k8s.preflight import preflight

Key = tuple[str, str]


class ReconcilerGate:
    def __init__(
        self,
        gateway: ClusterGateway,
        reconciler: Reconciler,
        desired_for: Callable[[ModelSpec], int],
    ):
        self.gateway = gateway
        self.reconciler = reconciler
        self.desired_for = desired_for

    def preflight(self, spec: ModelSpec, *, delete: bool = False) -> str | None:
        """None when the cluster accepted the dry run; why it could not be asked otherwise.
        A refusal raises :class:`ClusterRefused` naming the object and the server's reason."""
        what = f"{spec.namespace}/{spec.name}"
        try:
            preflight(self.gateway, spec.to_file_dict(), self.desired_for(spec), delete=delete)
        except ClusterUnavailable as exc:
            return str(exc)
        except GatewayError as exc:
            verb = "deleting" if delete else "the change to"
            raise ClusterRefused(
                f"the cluster refused {verb} {what}: {exc}; nothing was saved"
            ) from exc
        return None

    def submit(self, key: Key) -> None:
        self.reconciler.submit(key)
