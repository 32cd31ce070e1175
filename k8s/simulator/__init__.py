"""A loopback Kubernetes API server with controllers, for the demo, the tests and benchmarks.

It speaks the REST subset Barista uses (core/v1 namespaces, nodes, pods, services, events,
configmaps; apps/v1 deployments with scale and status, replicasets; autoscaling/v2 HPAs;
coordination.k8s.io/v1 leases) with real semantics, so the official client works unchanged.

    sim = start_simulator(SimulatorConfig(speed=10))
    sim.write_kubeconfig("var/sim.kubeconfig")
"""

from __future__ import annotations

import base64
import os
import secrets
import signal
import ssl
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from k8s.simulator.api import BY_KIND, BY_PLURAL
from k8s.simulator.controllers import Controllers, default_bad_image
from k8s.simulator.server import WRITE_VERBS, Api, Faults, RequestRecord, SimulatorServer
from k8s.simulator.store import Store
from k8s.simulator.tls import serving_credentials

__all__ = [
    "DEFAULT_NODES",
    "NodeSpec",
    "Simulator",
    "SimulatorConfig",
    "start_simulator",
    "run_standalone",
    "default_bad_image",
    "RequestRecord",
]


@dataclass(frozen=True)
class NodeSpec:
    name: str
    cpu: str = "16"
    memory: str = "64Gi"
    gpu_count: int = 0
    gpu_type: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    instance_type: str = "n2-standard-16"


DEFAULT_NODES = (
    *(NodeSpec(f"pool-cpu-{i}") for i in range(1, 7)),
    *(
        NodeSpec(
            f"pool-t4-{i}", "32", "128Gi", 4, "nvidia-tesla-t4", instance_type="n1-standard-32"
        )
        for i in range(1, 7)
    ),
    NodeSpec("pool-l4-1", "48", "192Gi", 8, "nvidia-l4", instance_type="g2-standard-48"),
    *(
        NodeSpec(
            f"pool-a100-{i}", "12", "85Gi", 1, "nvidia-tesla-a100", instance_type="a2-highgpu-1g"
        )
        for i in range(1, 3)
    ),
)


@dataclass
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0
    speed: float = 1.0
    pod_schedule_delay_s: float = 0.2
    pod_start_delay_s: float = 1.0
    hpa_interval_s: float = 15.0
    nodes: tuple[NodeSpec, ...] = DEFAULT_NODES
    history_size: int = 10_000
    # a fresh bearer token per start: a fixed one would let anything on the host drive it
    token: str | None = field(default_factory=lambda: secrets.token_urlsafe(24))
    bookmark_interval_s: float = 5.0
    seed: int = 7
    bad_image: Callable[[str], bool] | None = None
    # HTTPS with a self-signed CA written into the kubeconfig (kubectl sends its token only
    # over TLS); False serves plain HTTP
    tls: bool = True


class Simulator:
    def __init__(self, config: SimulatorConfig):
        self.config = config
        self.store = Store(config.history_size)
        self.api = Api(self.store)
        self.faults = Faults(seed=config.seed)
        self.controllers = Controllers(self.store, self.api, config)
        self.credentials = serving_credentials((config.host,)) if config.tls else None
        self.server = SimulatorServer(
            (config.host, config.port),
            self.store,
            self.api,
            self.faults,
            config.token,
            config.bookmark_interval_s,
            self.credentials.server_context() if self.credentials else None,
        )
        scheme = "https" if self.credentials else "http"
        self.url = f"{scheme}://{config.host}:{self.server.server_address[1]}"
        # stop() waits for the serving loop to notice: poll often (the default 0.5 s is the
        # whole cost of stopping)
        self._thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), name="sim-http", daemon=True
        )
        self._kubeconfigs: list[str] = []

    def start(self) -> Simulator:
        for node in self.config.nodes:
            self._add_node(node)
        for ns in ("default", "kube-system"):
            self.api.create(BY_PLURAL["namespaces"], "", {"metadata": {"name": ns}})
        self.controllers.start()
        self._thread.start()
        return self

    def _add_node(self, spec: NodeSpec) -> None:
        capacity = {"cpu": spec.cpu, "memory": spec.memory, "pods": "110"}
        labels = {
            "kubernetes.io/hostname": spec.name,
            "kubernetes.io/os": "linux",
            "node.kubernetes.io/instance-type": spec.instance_type,
            **spec.labels,
        }
        if spec.gpu_count:
            capacity["nvidia.com/gpu"] = str(spec.gpu_count)
            if spec.gpu_type:
                labels["cloud.google.com/gke-accelerator"] = spec.gpu_type
        self.api.create(
            BY_PLURAL["nodes"],
            "",
            {
                "metadata": {"name": spec.name, "labels": labels},
                "status": {
                    "capacity": capacity,
                    "allocatable": dict(capacity),
                    "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                    "nodeInfo": {
                        "kubeletVersion": "v1.31.0",
                        "kubeProxyVersion": "v1.31.0",
                        "architecture": "amd64",
                        "operatingSystem": "linux",
                        "osImage": "Container-Optimized OS",
                        "kernelVersion": "6.6.0",
                        "containerRuntimeVersion": "containerd://1.7.0",
                        "bootID": spec.name,
                        "machineID": spec.name,
                        "systemUUID": spec.name,
                    },
                },
            },
        )

    def stop(self) -> None:
        self.server.stopping.set()
        self.store.drop_watches()
        self.server.shutdown()
        self.server.server_close()
        self.controllers.stop()

    # -- clients

    @property
    def ca_pem(self) -> str | None:
        """The CA certificate (PEM) that signs the serving certificate; None over plain HTTP."""
        return self.credentials.ca_pem if self.credentials else None

    def client_ssl_context(self) -> ssl.SSLContext | None:
        """An SSL context trusting the simulator, for clients that read no kubeconfig."""
        return self.credentials.client_context() if self.credentials else None

    def kubeconfig(self, token: str | None = None) -> dict[str, Any]:
        user = {"token": token or self.config.token} if (token or self.config.token) else {}
        cluster: dict[str, Any] = {"server": self.url}
        if self.ca_pem:
            cluster["certificate-authority-data"] = base64.b64encode(self.ca_pem.encode()).decode()
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "barista-sim",
            "clusters": [{"name": "barista-sim", "cluster": cluster}],
            "users": [{"name": "barista-sim", "user": user}],
            "contexts": [
                {
                    "name": "barista-sim",
                    "context": {"cluster": "barista-sim", "user": "barista-sim"},
                }
            ],
        }

    def write_kubeconfig(self, path: str, token: str | None = None) -> str:
        """Write a kubeconfig readable by its owner only (mode 0600: it holds the token)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(self.kubeconfig(token), sort_keys=False)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            os.fchmod(out.fileno(), 0o600)  # an existing file keeps its mode on O_CREAT
            out.write(text)
        return path

    def api_client(self):
        from kubernetes import config as kconfig

        fd = tempfile.NamedTemporaryFile("w", suffix=".kubeconfig", delete=False)  # noqa: SIM115
        fd.close()  # NamedTemporaryFile creates it with mode 0600
        self.write_kubeconfig(fd.name)
        self._kubeconfigs.append(fd.name)
        return kconfig.new_client_from_config(config_file=fd.name)

    # -- observation and control for tests and benchmarks

    @property
    def requests(self) -> list[RequestRecord]:
        with self.server.requests_lock:
            return list(self.server.requests)

    def reset_request_log(self) -> None:
        with self.server.requests_lock:
            self.server.requests.clear()

    def write_count(
        self,
        *,
        resource: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        subresource: str | None = None,
        verb: str | None = None,
    ) -> int:
        """Successful client writes (create/update/patch/delete), optionally filtered."""
        n = 0
        for r in self.requests:
            if r.verb not in WRITE_VERBS or r.status >= 400 or r.dry_run:
                continue
            if resource and r.resource != resource or namespace and r.namespace != namespace:
                continue
            if name and r.name != name or subresource is not None and r.subresource != subresource:
                continue
            if verb and r.verb != verb:
                continue
            n += 1
        return n

    def set_load(self, namespace: str, deployment: str, cpu_percent: float) -> None:
        self.controllers.loads[(namespace, deployment)] = cpu_percent

    def set_pod_ready(self, namespace: str, pod: str, ready: bool) -> None:
        with self.store.lock:
            self.controllers.set_pod_ready(namespace, pod, ready)

    def drop_watches(self) -> int:
        return self.store.drop_watches()

    def compact(self, keep_last: int = 0) -> None:
        self.store.compact(keep_last)

    def get_object(self, kind: str, namespace: str, name: str) -> dict | None:
        res = BY_KIND.get(kind) or BY_PLURAL.get(kind)
        if res is None:
            raise KeyError(f"unknown kind {kind!r}")
        return self.store.get(res.plural, namespace if res.namespaced else "", name)

    def list_objects(self, kind: str, namespace: str | None = None) -> list[dict]:
        res = BY_KIND.get(kind) or BY_PLURAL.get(kind)
        if res is None:
            raise KeyError(f"unknown kind {kind!r}")
        return self.store.list(res.plural, namespace)[0]


def start_simulator(config: SimulatorConfig | None = None) -> Simulator:
    return Simulator(config or SimulatorConfig()).start()


def run_standalone(port: int, kubeconfig_path: str, speed: float = 1.0) -> None:
    """Serve until SIGINT/SIGTERM, with a kubeconfig for kubectl and other clients at PATH."""
    sim = start_simulator(SimulatorConfig(port=port, speed=speed))
    sim.write_kubeconfig(kubeconfig_path)
    print(f"cluster simulator on {sim.url}; kubeconfig written to {kubeconfig_path}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
