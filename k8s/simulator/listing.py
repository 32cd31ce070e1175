"""Lists (label and field selectors, paging) and watches (chunked streams of events)."""

from __future__ import annotations

import base64
import copy
import json
import time
from typing import Any

from k8s.simulator.resources import ApiError, Resource
from k8s.simulator.selectors import field_matcher, label_matcher
from k8s.simulator.store import Gone, Store

Obj = dict[str, Any]


def list_objects(store: Store, res: Resource, ns: str, query: dict) -> Obj:
    lmatch = label_matcher(query.get("labelSelector"))
    fmatch = field_matcher(query.get("fieldSelector"))
    start, rv_hint = 0, None
    token = query.get("continue")
    if token:
        try:
            state = json.loads(base64.urlsafe_b64decode(token.encode()))
            start, rv_hint = int(state["start"]), int(state["rv"])
        except (ValueError, KeyError, json.JSONDecodeError):
            raise ApiError(400, "BadRequest", "continue key is not valid") from None
    limit = int(query.get("limit") or 0)
    page, rv, total = store.list(
        res.plural,
        ns or None,
        match=lambda o: lmatch(o["metadata"].get("labels") or {}) and fmatch(o),
        start=start,
        limit=limit,
    )
    rv = rv_hint or rv
    meta: Obj = {"resourceVersion": str(rv)}
    if limit and start + limit < total:
        meta["continue"] = base64.urlsafe_b64encode(
            json.dumps({"start": start + limit, "rv": rv}).encode()
        ).decode()
        meta["remainingItemCount"] = total - start - limit
    for o in page:
        o["apiVersion"], o["kind"] = res.api_version, res.kind
    return {
        "kind": f"{res.kind}List",
        "apiVersion": res.api_version,
        "metadata": meta,
        "items": page,
    }


def chunk(h: Any, obj: Obj) -> None:
    data = (json.dumps(obj) + "\n").encode()
    h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    h.wfile.flush()


def stream_watch(h: Any, res: Resource, ns: str, query: dict) -> None:
    srv = h.server
    lmatch = label_matcher(query.get("labelSelector"))
    fmatch = field_matcher(query.get("fieldSelector"))
    rv_text = query.get("resourceVersion") or ""
    since = int(rv_text) if rv_text not in ("", "0") else None
    timeout = float(query.get("timeoutSeconds") or 1800)
    bookmarks = query.get("allowWatchBookmarks") in ("true", "1", "True")
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    try:
        try:
            watcher = srv.store.watch(
                res.plural,
                ns or None,
                lambda o: lmatch(o["metadata"].get("labels") or {}) and fmatch(o),
                since,
            )
        except Gone as gone:
            err = ApiError(410, "Expired", str(gone))
            chunk(h, {"type": "ERROR", "object": err.status()})
            h.wfile.write(b"0\r\n\r\n")
            return
        deadline = time.monotonic() + timeout
        next_bookmark = time.monotonic() + srv.bookmark_interval_s
        try:
            while not srv.stopping.is_set():
                now = time.monotonic()
                if now >= deadline:
                    break
                try:
                    item = watcher.events.get(timeout=min(0.5, deadline - now))
                except Exception:
                    item = ()
                if item is None:  # dropped by fault injection
                    h.close_connection = True
                    return
                if item:
                    etype, obj = item
                    out = copy.deepcopy(obj)
                    out["apiVersion"], out["kind"] = res.api_version, res.kind
                    chunk(h, {"type": etype, "object": out})
                    f = srv.faults
                    if f.watch_drop_rate and f.rng.random() < f.watch_drop_rate:
                        h.close_connection = True
                        return
                if bookmarks and not item and time.monotonic() >= next_bookmark:
                    next_bookmark = time.monotonic() + srv.bookmark_interval_s
                    with srv.store.lock:  # only when nothing for this watch is pending
                        rv_now = None if not watcher.events.empty() else srv.store.rv
                    if rv_now is not None:
                        chunk(
                            h,
                            {
                                "type": "BOOKMARK",
                                "object": {
                                    "kind": res.kind,
                                    "apiVersion": res.api_version,
                                    "metadata": {"resourceVersion": str(rv_now)},
                                },
                            },
                        )
            h.wfile.write(b"0\r\n\r\n")
        finally:
            srv.store.unwatch(watcher)
    except (BrokenPipeError, ConnectionResetError, OSError):
        h.close_connection = True
