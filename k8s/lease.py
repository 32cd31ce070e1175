"""Leader election on a ``coordination.k8s.io/v1`` Lease, with the rules client-go uses:

- acquire or renew by ``replace`` carrying the resourceVersion read (a write based on a stale
  read fails with 409, so two candidates can never both win);
- a holder is presumed dead only when its Lease has not changed for ``leaseDurationSeconds``
  of this process's own clock (no trust in other machines' clocks);
- the leader counts itself leader only until ``renew_deadline_s`` after its last successful
  renew, which is shorter than the lease duration: a leader that cannot renew (partition, API
  down) stops acting before any other candidate may take over;
- on a clean stop the holder clears ``holderIdentity``, so a successor starts at once.

``kubernetes.leaderelection`` was not used: its loop blocks forever, cannot be stopped or
released, and times expiry on the wall clock; this elector answers ``try_acquire()`` as the
scheduler's other leadership backends do.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

log = logging.getLogger("barista.leader")
SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"


def pod_namespace(default: str = "default") -> str:
    """The namespace this pod runs in (its service account says), else ``default``."""
    try:
        with open(SERVICE_ACCOUNT_NAMESPACE) as f:
            return f.read().strip() or default
    except OSError:
        return default


def identity() -> str:
    """Unique per process: the pod name (hostname) and a random suffix."""
    return f"{socket.gethostname()}_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _micro_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaseElector:
    kind = "lease"

    def __init__(
        self,
        api_client: client.ApiClient,
        namespace: str,
        name: str = "barista-scheduler",
        *,
        holder: str | None = None,
        lease_s: int = 10,
        renew_deadline_s: float = 7.0,
        retry_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        if not renew_deadline_s < lease_s:
            raise ValueError("the renew deadline must be shorter than the lease duration")
        self.api = client.CoordinationV1Api(api_client)
        self.namespace, self.name = namespace, name
        self.holder = holder or identity()
        self.lease_s, self.renew_deadline_s, self.retry_s = lease_s, renew_deadline_s, retry_s
        self.check_every_s = retry_s
        self.clock, self.wall = clock, wall
        self._renewed: float | None = None  # clock() of this holder's last successful write
        self._seen: tuple[Any, ...] | None = None  # the other holder's record as last read
        self._seen_at = 0.0

    # ------------------------------------------------------------------ the Leadership protocol

    def try_acquire(self) -> bool:
        """Acquire or renew; True while this process may act."""
        try:
            self._attempt()
        except ApiException as exc:
            if exc.status != 409:  # 409: someone else wrote first; not an error
                log.warning("lease %s/%s: %s %s", self.namespace, self.name, exc.status, exc.reason)
        except Exception as exc:  # API unreachable: lead on until the renew deadline only
            log.warning("lease %s/%s: %s", self.namespace, self.name, exc)
        return self.holds()

    def holds(self) -> bool:
        """Leader until the renew deadline after the last successful renew."""
        return self._renewed is not None and self.clock() - self._renewed < self.renew_deadline_s

    def release(self) -> None:
        """Give the lease up (clear the holder) so that a successor starts at once."""
        if self._renewed is None:
            return
        self._renewed = None
        try:
            lease = self._read()
            if lease is not None and lease["spec"].get("holderIdentity") == self.holder:
                spec = {**lease["spec"], "holderIdentity": None, "leaseDurationSeconds": 1}
                self._replace(lease, spec)
                log.info("lease %s/%s released", self.namespace, self.name)
        except Exception as exc:  # it expires by itself then
            log.warning("releasing lease %s/%s failed: %s", self.namespace, self.name, exc)

    # ------------------------------------------------------------------ reading and writing

    def _attempt(self) -> None:
        start = self.clock()
        lease = self._read()
        now = _micro_time(self.wall())
        if lease is None:
            self._create(now)
            self._won(start, "created")
            return
        spec = lease.get("spec") or {}
        current = spec.get("holderIdentity")
        if current == self.holder:
            self._replace(lease, {**spec, "renewTime": now, "leaseDurationSeconds": self.lease_s})
            self._renewed = start
            return
        if current and not self._expired(lease, spec):
            self._renewed = None
            return
        transitions = int(spec.get("leaseTransitions") or 0) + (1 if current else 0)
        self._replace(
            lease,
            {
                "holderIdentity": self.holder,
                "leaseDurationSeconds": self.lease_s,
                "acquireTime": now,
                "renewTime": now,
                "leaseTransitions": transitions,
            },
        )
        self._won(start, f"taken over from {current}" if current else "acquired")

    def _expired(self, lease: dict, spec: dict) -> bool:
        """The other holder's record unchanged for its lease duration, on our clock."""
        seen = (
            spec.get("holderIdentity"),
            spec.get("renewTime"),
            lease["metadata"].get("resourceVersion"),
        )
        now = self.clock()
        if seen != self._seen:
            self._seen, self._seen_at = seen, now
            return False
        return now - self._seen_at >= float(spec.get("leaseDurationSeconds") or self.lease_s)

    def _won(self, start: float, how: str) -> None:
        self._renewed = start
        self._seen = None
        log.info("lease %s/%s %s by %s", self.namespace, self.name, how, self.holder)

    def _read(self) -> dict | None:
        try:
            resp: Any = self.api.read_namespaced_lease(
                self.name, self.namespace, _preload_content=False
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return json.loads(resp.data)

    def _create(self, now: str) -> None:
        body: Any = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self.name, "namespace": self.namespace},
            "spec": {
                "holderIdentity": self.holder,
                "leaseDurationSeconds": self.lease_s,
                "acquireTime": now,
                "renewTime": now,
                "leaseTransitions": 0,
            },
        }
        self.api.create_namespaced_lease(self.namespace, body, _preload_content=False)

    def _replace(self, lease: dict, spec: dict) -> None:
        """Write ``spec`` on the Lease as read: refused (409) if it changed since."""
        meta = lease["metadata"]
        body: Any = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "resourceVersion": meta["resourceVersion"],
            },
            "spec": {k: v for k, v in spec.items() if v is not None},
        }
        self.api.replace_namespaced_lease(self.name, self.namespace, body, _preload_content=False)
