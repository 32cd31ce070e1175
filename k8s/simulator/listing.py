"""Lists (label and field selectors, paging) and watches (chunked streams of events)."""

from __future__ import annotations

import base64
import json
import queue
import time
from typing import Any

from k8s.simulator.resources import ApiError, Resource
from k8s.simulator.selectors import field_matcher, label_matcher
from k8s.simulator.store import Gone, Store, Watcher, WatchEvent
from k8s.simulator.tables import as_table, wants_table

Obj = dict[str, Any]


EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter."
)


def _continue_token(rv: int, last: Obj) -> str:
    meta = last["metadata"]
    key = f"{meta.get('namespace', '')}/{meta['name']}"
    state = {"v": "meta.k8s.io/v1", "rv": rv, "start": key + "\u0000"}
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _read_token(token: str) -> tuple[int, tuple[str, str]]:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
        ns, _, name = str(state["start"]).rstrip("\u0000").partition("/")
        return int(state["rv"]), (ns, name)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise ApiError(400, "BadRequest", "continue key is not valid") from None


def list_objects(store: Store, res: Resource, ns: str, query: dict) -> Obj:
    """A list, paged as a consistent snapshot: the continue token carries the resourceVersion of
    the first page and the last key served, so later pages show the objects as they were then."""
    lmatch = label_matcher(query.get("labelSelector"))
    fmatch = field_matcher(query.get("fieldSelector"), res.plural)
    at_rv, after = None, None
    if query.get("continue"):
        at_rv, after = _read_token(query["continue"])
    try:
        limit = int(query.get("limit") or 0)
    except ValueError:
        raise ApiError(400, "BadRequest", f"invalid limit: {query.get('limit')!r}") from None
    try:
        page, rv, remaining = store.list(
            res.plural,
            ns or None,
            match=lambda o: lmatch(o["metadata"].get("labels") or {}) and fmatch(o),
            after=after,
            limit=max(limit, 0),
            at_rv=at_rv,
            copy=False,  # stored objects never change: serialize them as they are
        )
    except Gone:
        raise ApiError(410, "Expired", EXPIRED) from None
    meta: Obj = {"resourceVersion": str(rv)}
    if limit > 0 and remaining and page:
        meta["continue"] = _continue_token(rv, page[-1])
        meta["remainingItemCount"] = remaining
    return {
        "kind": f"{res.kind}List",
        "apiVersion": res.api_version,
        "metadata": meta,
        "items": page,
    }


def framed(data: bytes) -> bytes:
    """``data`` as one chunk of a chunked HTTP body."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def chunk(h: Any, obj: Obj) -> None:
    h.wfile.write(framed((json.dumps(obj) + "\n").encode()))
    h.wfile.flush()


MAX_BATCH = 256  # events written with one send when a watch has fallen behind


INITIAL_END = "k8s.io/initial-events-end"


def _initial_events(query: dict, bookmarks: bool) -> bool:
    """``sendInitialEvents=true``: the current objects, then a bookmark marking their end."""
    send = query.get("sendInitialEvents")
    match = query.get("resourceVersionMatch")
    if send is None:
        if match:
            raise ApiError(
                422,
                "Invalid",
                "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch "
                "unless sendInitialEvents is provided",
            )
        return False
    if send in ("true", "1", "True"):
        if match != "NotOlderThan":
            raise ApiError(
                422,
                "Invalid",
                "resourceVersionMatch: Forbidden: sendInitialEvents requires setting "
                "resourceVersionMatch to NotOlderThan",
            )
        if not bookmarks:
            raise ApiError(
                422,
                "Invalid",
                "allowWatchBookmarks: Required value: sendInitialEvents requires "
                "allowWatchBookmarks=true",
            )
        return True
    return False


def _bookmark(res: Resource, meta: Obj) -> Obj:
    return {"kind": res.kind, "apiVersion": res.api_version, "metadata": meta}


def stream_watch(h: Any, res: Resource, ns: str, query: dict) -> None:
    srv = h.server
    lmatch = label_matcher(query.get("labelSelector"))
    fmatch = field_matcher(query.get("fieldSelector"), res.plural)
    rv_text = query.get("resourceVersion") or ""
    since = int(rv_text) if rv_text not in ("", "0") else None
    timeout = float(query.get("timeoutSeconds") or 1800)
    bookmarks = query.get("allowWatchBookmarks") in ("true", "1", "True")
    initial = _initial_events(query, bookmarks)
    if initial:
        since = None  # the current state (never older than any resourceVersion asked for)
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
                initial_events_end=initial,
            )
        except Gone as gone:
            err = ApiError(410, "Expired", str(gone))
            chunk(h, {"type": "ERROR", "object": err.status()})
            h.wfile.write(b"0\r\n\r\n")
            return
        try:
            if _pump(h, res, watcher, query, time.monotonic() + timeout, bookmarks):
                h.wfile.write(b"0\r\n\r\n")
        finally:
            srv.store.unwatch(watcher)
    except (BrokenPipeError, ConnectionResetError, OSError):
        h.close_connection = True


def _pump(
    h: Any, res: Resource, watcher: Watcher, query: dict, deadline: float, bookmarks: bool
) -> bool:
    """Send the watch's events until the deadline or the server stops (True), or until the
    watch is dropped (False). Events that queued up meanwhile go out with one write."""
    srv = h.server
    table = wants_table(h.headers.get("Accept") or "")
    next_bookmark = time.monotonic() + srv.bookmark_interval_s
    while not srv.stopping.is_set():
        now = time.monotonic()
        if now >= deadline:
            return True
        items: list[Any] = []
        try:
            items.append(watcher.events.get(timeout=min(0.5, deadline - now)))
            while len(items) < MAX_BATCH:
                items.append(watcher.events.get_nowait())
        except queue.Empty:
            pass
        out = bytearray()
        for item in items:
            if item is None:  # dropped by fault injection
                h.wfile.write(out)
                h.close_connection = True
                return False
            out += framed(_line(res, item, table, query))
            f = srv.faults
            if f.watch_drop_rate and f.rng.random() < f.watch_drop_rate:
                h.wfile.write(out)
                h.close_connection = True
                return False
        if out:
            h.wfile.write(out)
        elif bookmarks and time.monotonic() >= next_bookmark:
            next_bookmark = time.monotonic() + srv.bookmark_interval_s
            with srv.store.lock:  # only when nothing for this watch is pending
                rv_now = None if not watcher.events.empty() else srv.store.rv
            if rv_now is not None:
                meta = {"resourceVersion": str(rv_now)}
                chunk(h, {"type": "BOOKMARK", "object": _bookmark(res, meta)})
    return True


def _line(res: Resource, item: Any, table: bool, query: dict) -> bytes:
    """One queued watch item as a line of the stream."""
    if isinstance(item, WatchEvent):
        if not table:
            return item.line()
        out = as_table(res, item.obj, query.get("includeObject"))  # kubectl get -w: one row
        return (json.dumps({"type": item.type, "object": out}) + "\n").encode()
    meta = {**item[1]["metadata"], "annotations": {INITIAL_END: "true"}}  # INITIAL-END
    return (json.dumps({"type": "BOOKMARK", "object": _bookmark(res, meta)}) + "\n").encode()
