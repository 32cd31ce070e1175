"""The cluster service: applies record changes to Kubernetes and reports sync status.

It plugs into the registry as its ``on_change`` hook, which runs inside the database
transaction: if the cluster refuses a change, the transaction rolls back, so the record and the
cluster never disagree silently. A change that reached the cluster only partly is undone by
re-applying the previous record; if even that fails, the error says exactly what is left.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from barista_ui.records.registry import ModelRecord, RegistryService
from barista_ui.records.replicas import desired_replicas
from k8s.gateway import ClusterGateway, GatewayError
from k8s.sync import SyncStatus, sync_status

log = logging.getLogger("barista.cluster")

Key = tuple[str, str]


class ClusterWriteError(Exception):
    """The cluster refused a change; the record was not saved (message says what happened)."""


@dataclass
class ApplyReport:
    namespace: str
    name: str
    ok: bool
    writes: int
    message: str


class ClusterService:
    def __init__(
        self,
        registry: RegistryService,
        gateway: ClusterGateway,
        live: Any | None = None,
        *,
        held_down: Callable[[Key], bool] = lambda key: False,
        restore_count: Callable[[Key], int | None] = lambda key: None,
        note_change: Callable[[Key, int, str], None] | None = None,
        kind: str = "cluster",
    ):
        self.registry = registry
        self.gateway = gateway
        self.live = live
        self.held_down = held_down
        self.restore_count = restore_count
        self.note_change = note_change
        self.kind = kind  # "simulator" or "cluster": the page says which
        self._errors: dict[Key, str] = {}
        self._lock = threading.Lock()

    def attach(self) -> None:
        """Make every record change go to the cluster inside the registry's transaction."""
        self.registry.on_change = self.on_record_change

    # -- desired state

    def desired_for(self, record: ModelRecord) -> int:
        key = record.key
        return desired_replicas(
            record.spec, scheduled_down=self.held_down(key), restore=self.restore_count(key)
        )

    # -- writes

    def on_record_change(self, old: ModelRecord | None, new: ModelRecord | None) -> None:
        if new is None:
            assert old is not None
            try:
                self.gateway.delete(old.to_file_dict())
            except GatewayError as exc:
                raise ClusterWriteError(
                    f"could not delete {old.namespace}/{old.name} from the cluster: {exc}; "
                    "the record was kept"
                ) from exc
            self._set_error(old.key, None)
            return
        replicas = self.desired_for(new)
        before = self.gateway.writes
        try:
            self.gateway.apply(new.to_file_dict(), replicas)
        except GatewayError as exc:
            if self.gateway.writes == before:  # nothing reached the cluster
                raise ClusterWriteError(
                    f"the cluster refused the change to {new.namespace}/{new.name}: {exc}; "
                    "nothing was saved"
                ) from exc
            self._undo(old, new, exc)
        self._set_error(new.key, None)
        if self.note_change is not None:
            self.note_change(new.key, replicas, "apply")

    def _undo(self, old: ModelRecord | None, new: ModelRecord, exc: GatewayError) -> None:
        what = f"{new.namespace}/{new.name}"
        try:
            if old is None:
                self.gateway.delete(new.to_file_dict())
            else:
                self.gateway.apply(old.to_file_dict(), self.desired_for(old))
        except GatewayError as undo_exc:
            msg = (
                f"the cluster refused the change to {what}: {exc}. Undoing the part that was "
                f"applied also failed ({undo_exc}); the record was not saved and the cluster may "
                "differ from it — see its sync status and re-apply"
            )
            self._set_error(new.key, msg)
            raise ClusterWriteError(msg) from exc
        raise ClusterWriteError(
            f"the cluster refused the change to {what}: {exc}; nothing was saved"
        ) from exc

    def reapply(self, namespace: str, name: str) -> ApplyReport:
        """Push the stored record to the cluster again (the page's "re-apply"/"retry")."""
        rec = self.registry.get(name, namespace)
        before = self.gateway.writes
        try:
            self.gateway.apply(rec.to_file_dict(), self.desired_for(rec))
        except GatewayError as exc:
            self._set_error(rec.key, str(exc))
            return ApplyReport(namespace, name, False, self.gateway.writes - before, str(exc))
        self._set_error(rec.key, None)
        writes = self.gateway.writes - before
        msg = "already in sync" if writes == 0 else f"applied ({writes} writes)"
        return ApplyReport(namespace, name, True, writes, msg)

    def apply_all(self, records: list[ModelRecord] | None = None) -> list[ApplyReport]:
        return [self.reapply(r.namespace, r.name) for r in (records or self.registry.list_models())]

    def set_enabled(
        self, namespace: str, name: str, enabled: bool, *, actor: str, source: str, reason: str = ""
    ) -> ModelRecord:
        kw: dict[str, Any] = {"actor": actor, "source": source}
        if reason:
            kw["reason"] = reason
        return self.registry.set_enabled(namespace, name, enabled, **kw)

    def set_replicas(
        self, namespace: str, name: str, replicas: int, *, actor: str, source: str, reason: str = ""
    ) -> ModelRecord:
        kw: dict[str, Any] = {"actor": actor, "source": source}
        if reason:
            kw["reason"] = reason
        return self.registry.set_replicas(namespace, name, replicas, **kw)

    # -- status

    def status(self, record: ModelRecord) -> SyncStatus:
        live = self.live.snapshot(record.key) if self.live is not None else None
        return sync_status(
            record.to_file_dict(),
            self.desired_for(record),
            live,
            live_error=self._errors.get(record.key),
        )

    def statuses(self, records: list[ModelRecord] | None = None) -> dict[Key, SyncStatus]:
        """Sync status of every record, plus managed Deployments that have no record."""
        records = records if records is not None else self.registry.list_models()
        out = {r.key: self.status(r) for r in records}
        if self.live is not None:
            for key, live in self.live.all().items():
                if key not in out and getattr(live, "deployment_exists", True):
                    out[key] = sync_status(None, 0, live)
        return out

    def last_error(self, key: Key) -> str | None:
        return self._errors.get(key)

    def _set_error(self, key: Key, message: str | None) -> None:
        with self._lock:
            if message is None:
                self._errors.pop(key, None)
            else:
                self._errors[key] = message
