"""``pods/log``: simulated container output as text/plain, with the options kubectl uses
(``container``, ``tailLines``, ``sinceSeconds``, ``timestamps``, ``limitBytes``, ``follow``).

A running container prints three start-up lines and then one request line every
``LINE_EVERY_S`` seconds of its life, derived from its start time, so the same pod always shows
the same log. A container that has not started answers 400 as the kubelet does.
"""

from __future__ import annotations

import time
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from k8s.simulator.resources import ApiError

Obj = dict[str, Any]
LINE_EVERY_S = 5.0
MAX_LINES = 10_000


def _container(pod: Obj, query: dict) -> Obj:
    name, pod_name = query.get("container"), pod["metadata"]["name"]
    containers = (pod.get("spec") or {}).get("containers") or []
    names = [c["name"] for c in containers]
    if not name:
        if len(containers) != 1:
            raise ApiError(
                400,
                "BadRequest",
                f"a container name must be specified for pod {pod_name}, choose one of: "
                f"[{' '.join(names)}]",
            )
        return containers[0]
    for c in containers:
        if c["name"] == name:
            return c
    raise ApiError(400, "BadRequest", f"container {name} is not valid for pod {pod_name}")


def _started(pod: Obj, container: Obj, query: dict) -> datetime:
    pod_name, name = pod["metadata"]["name"], container["name"]
    if query.get("previous") in ("true", "1"):
        raise ApiError(
            400,
            "BadRequest",
            f'previous terminated container "{name}" in pod "{pod_name}" not found',
        )
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    status: Obj = next((s for s in statuses if s.get("name") == name), {})
    state = status.get("state") or {}
    if "running" not in state:
        reason = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
        raise ApiError(
            400,
            "BadRequest",
            f'container "{name}" in pod "{pod_name}" is waiting to start: {reason}',
        )
    stamp = state["running"].get("startedAt") or pod["metadata"]["creationTimestamp"]
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def log_lines(
    pod: Obj, container: Obj, started: datetime, now: datetime
) -> list[tuple[datetime, str]]:
    """The container's output up to ``now``: (time, text) per line."""
    image = container.get("image", "")
    seed = zlib.crc32(pod["metadata"]["name"].encode())
    lines = [
        (started, f"INFO starting {container['name']} ({image})"),
        (started, "INFO model loaded"),
        (started, "INFO listening on 0.0.0.0:8080"),
    ]
    count = min(int((now - started).total_seconds() / LINE_EVERY_S), MAX_LINES)
    for i in range(1, count + 1):
        at = started + timedelta(seconds=i * LINE_EVERY_S)
        latency = 5 + (seed + i * 7919) % 90
        lines.append((at, f'INFO 10.0.0.{(seed + i) % 250 + 1} "POST /v1/predict" 200 {latency}ms'))
    return lines[-MAX_LINES:]


def _render(lines: list[tuple[datetime, str]], timestamps: bool) -> bytes:
    out = []
    for at, text in lines:
        prefix = at.strftime("%Y-%m-%dT%H:%M:%S.000000000Z ") if timestamps else ""
        out.append(f"{prefix}{text}\n")
    return "".join(out).encode()


def _int(query: dict, key: str) -> int | None:
    if key not in query:
        return None
    try:
        value = int(query[key])
    except ValueError:
        raise ApiError(400, "BadRequest", f"{key}: Invalid value: {query[key]!r}") from None
    if value < (0 if key == "tailLines" else 1):
        raise ApiError(400, "BadRequest", f"{key}: Invalid value: {value}: must be positive")
    return value


def select(
    query: dict, lines: list[tuple[datetime, str]], now: datetime
) -> list[tuple[datetime, str]]:
    since = _int(query, "sinceSeconds")
    if since is not None:
        lines = [ln for ln in lines if ln[0] >= now - timedelta(seconds=since)]
    tail = _int(query, "tailLines")
    if tail is not None:
        lines = lines[-tail:] if tail else []
    return lines


def serve_log(h: Any, route: dict, query: dict) -> None:
    srv = h.server
    ns, name = route["namespace"], route["name"]
    pod = srv.api._get_or_404(route["res"], ns, name)
    container = _container(pod, query)
    started = _started(pod, container, query)
    now = datetime.now(UTC)
    lines = select(query, log_lines(pod, container, started, now), now)
    timestamps = query.get("timestamps") in ("true", "1")
    data = _render(lines, timestamps)
    limit = _int(query, "limitBytes")
    h.record(route, "get", 200)
    if query.get("follow") not in ("true", "1"):
        return h.send_bytes(200, data[:limit] if limit else data, "text/plain")
    h.send_response(200)
    h.send_header("Content-Type", "text/plain")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    sent = len(log_lines(pod, container, started, now))
    try:
        _chunk(h, data)
        while not srv.stopping.is_set():
            time.sleep(0.5)
            current = srv.store.get("pods", ns, name)
            if current is None or current["metadata"]["uid"] != pod["metadata"]["uid"]:
                break
            fresh = log_lines(pod, container, started, datetime.now(UTC))
            _chunk(h, _render(fresh[sent:], timestamps))
            sent = len(fresh)
        h.wfile.write(b"0\r\n\r\n")
    except OSError:
        h.close_connection = True


def _chunk(h: Any, data: bytes) -> None:
    if data:
        h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        h.wfile.flush()
