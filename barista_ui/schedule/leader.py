"""Leader election: only one Barista process acts on the cluster.

Kubernetes: a ``coordination.k8s.io/v1`` Lease (k8s/lease.py), when running in a cluster.
PostgreSQL: a session advisory lock held on a dedicated connection (it is released when the
process dies, so another takes over at its next attempt). SQLite: an exclusive file lock
next to the database file. ``none``: always the leader (one process).
"""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, text

from k8s.lease import LeaseElector, pod_namespace

log = logging.getLogger("barista.leader")
LOCK_NAME = "barista-scheduler"
MODES = ("auto", "lease", "lock", "postgres", "none")


class Leadership(Protocol):
    kind: str

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class AlwaysLeader:
    kind = "none"

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


class PostgresAdvisoryLock:
    kind = "postgres"
    check_every_s = 2.0  # a dead leader's lock is free at once: take it over within 2 s

    def __init__(self, engine: Engine, name: str = LOCK_NAME):
        self.engine = engine
        self.key = zlib.crc32(name.encode())
        self.conn: Connection | None = None
        self.leader = False

    def try_acquire(self) -> bool:
        try:
            if self.conn is None:
                self.conn = self.engine.connect()
            if self.leader:
                self.conn.execute(text("SELECT 1"))  # still connected means still holding it
                return True
            got = self.conn.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}
            ).scalar()
            self.conn.commit()
            if got and not self.leader:
                log.info("this process is now the scheduler leader")
            self.leader = bool(got)
        except Exception as exc:  # connection lost: no longer leader
            log.warning("leader lock check failed: %s", exc)
            self._drop()
        return self.leader

    def _drop(self) -> None:
        self.leader = False
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
        self.conn = None

    def release(self) -> None:
        if self.conn is not None and self.leader:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self.conn.commit()
            except Exception:
                pass
        self._drop()


class FileLock:
    kind = "file"

    def __init__(self, path: str):
        self.path = Path(path)
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        if self.fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def make_leadership(
    mode: str, engine: Engine, api_client: Any = None, *, in_cluster: bool = False
) -> Leadership:
    """``lease``: a Kubernetes Lease (several replicas in a cluster); ``lock`` (or
    ``postgres``): the PostgreSQL advisory lock, a file lock on SQLite; ``none``: always the
    leader; ``auto``: the Lease when running in a cluster, else the lock."""
    if mode not in MODES:
        raise ValueError(f"BARISTA_LEADER_ELECTION: {mode!r} is not one of {', '.join(MODES)}")
    if mode == "none":
        return AlwaysLeader()
    if mode == "lease" or (mode == "auto" and in_cluster and api_client is not None):
        if api_client is None:
            raise ValueError("BARISTA_LEADER_ELECTION=lease needs a cluster connection")
        return LeaseElector(api_client, pod_namespace())
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        return PostgresAdvisoryLock(engine)
    if backend == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return FileLock(str(engine.url.database) + ".scheduler-lock")
    return AlwaysLeader()
