"""HTTP front of the simulator: the server, its request log and injected faults.

Requests are handled in ``handler`` (routing, verbs), ``listing`` (lists and watches) and
``verbs``/``deletion`` (the API semantics, shared with the controllers).
"""

from __future__ import annotations

import random
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from k8s.simulator.store import Store
from k8s.simulator.verbs import Api

__all__ = ["Api", "Faults", "RequestRecord", "SimulatorServer", "WRITE_VERBS"]

Obj = dict[str, Any]


@dataclass
class Faults:
    """Injected failures; they apply to client requests, never to the simulator's controllers."""

    latency_s: float = 0.0
    error_rate_5xx: float = 0.0
    error_rate_429: float = 0.0
    watch_drop_rate: float = 0.0
    forbidden_namespaces: set[str] = field(default_factory=set)
    seed: int = 7
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


@dataclass
class RequestRecord:
    at: float  # time.time()
    method: str
    path: str
    resource: str
    namespace: str
    name: str
    subresource: str
    verb: str
    status: int
    dry_run: bool = False  # dryRun=All: answered as a write, nothing stored
    user_agent: str = ""


WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address,
        store: Store,
        api: Api,
        faults: Faults,
        token: str | None,
        bookmark_interval_s: float,
        tls: ssl.SSLContext | None = None,
    ):
        from k8s.simulator.handler import Handler

        super().__init__(address, Handler)
        self.store, self.api, self.faults, self.token = store, api, faults, token
        self.bookmark_interval_s = bookmark_interval_s
        self.requests: list[RequestRecord] = []
        self.requests_lock = threading.Lock()
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        if tls is not None:  # the handshake happens in the request's thread (Handler.setup)
            self.socket = tls.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up or fails the TLS handshake is no server error: stay quiet."""
        import sys

        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def process_request(self, request, client_address) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening and drop open keep-alive connections, as a server going away does."""
        super().server_close()
        with self._connections_lock:
            open_connections = list(self._connections)
        for conn in open_connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
