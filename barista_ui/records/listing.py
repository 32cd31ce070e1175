"""Every stored record in memory, for the Models table's pages: filter, search and sort on the
server so the browser only ever receives one page of rows.

Reading and validating 10,000 rows takes seconds, so the index reads the table once and then
follows the registry's stamp: when it moved, only the models with a newer revision are read
again. A query over 10,000 entries is a few milliseconds (sorted orders are kept per column),
cheap enough to answer a keystroke. Readers get an immutable snapshot; :meth:`sync` (a worker
thread) swaps in a new one.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from barista_ui.records.registry import ModelRecord, RegistryService, UnreadableRecord

log = logging.getLogger("barista.listing")

Key = tuple[str, str]
Item = ModelRecord | UnreadableRecord
FULL_READ_OVER = 400  # more changed models than this since the last read: read them all
RECENT_QUERIES = 16
FREEZE_FROM = 1000  # records: from here on, a full garbage collection is worth avoiding
_frozen = False  # gc.freeze() done in this process
SORTABLE = ("name", "team", "namespace", "tag", "replicas", "updated")


def search_text(item: Item) -> str:
    """What a search looks in: name, namespace, team, image, owner (lower case)."""
    if isinstance(item, ModelRecord):
        s = item.spec
        return f"{s.name} {s.namespace} {s.team} {s.image} {s.owner}".lower()
    image = item.stored.get("image") or ""
    return f"{item.name} {item.namespace} {item.team} {image}".lower()


@dataclass(frozen=True)
class Entry:
    """One stored row with what filters, search and sort look at."""

    item: Item
    team: str
    enabled: bool
    search: str
    sort: dict[str, Any]

    @classmethod
    def of(cls, item: Item) -> Entry:
        if isinstance(item, ModelRecord):
            spec = item.spec
            team, enabled, tag, replicas = spec.team, spec.enabled, spec.tag(), spec.replicas
        else:
            team, enabled = item.team, bool(item.stored.get("enabled"))
            tag, replicas = "", int(item.stored.get("replicas") or 0)
        sort = {  # as the browser's table compared them: numbers, or lower-case text
            "name": item.name.lower(),
            "team": team.lower(),
            "namespace": item.namespace.lower(),
            "tag": tag.lower(),
            "replicas": replicas,
            "updated": item.updated_at.timestamp(),
        }
        return cls(item, team, enabled, search_text(item), sort)


@dataclass(frozen=True)
class Query:
    team: str | None = None
    namespace: str | None = None
    enabled: bool | None = None
    search: str = ""  # lower-case, trimmed
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class Match:
    """The models a query selects, in its order (filters and search), and how many the
    filters alone select (the "N of M models" count)."""

    keys: list[Key]
    total: int
    version: int


@dataclass
class _Snapshot:
    stamp: tuple[int, int]
    entries: dict[Key, Entry]
    version: int
    # (sort, descending) -> keys in that order, and their search texts alongside (filled on use)
    orders: dict[tuple[str, bool], tuple[list[Key], list[str]]] = field(default_factory=dict)

    def order(self, sort: str, descending: bool) -> tuple[list[Key], list[str]]:
        """Keys by ``sort`` (ties by namespace, name, as the table always showed them)."""
        sort = sort if sort in SORTABLE else "name"
        cached = self.orders.get((sort, descending))
        if cached is None:
            base = sorted(self.entries)  # (namespace, name)
            keys = sorted(base, key=lambda k: self.entries[k].sort[sort], reverse=descending)
            cached = (keys, [self.entries[k].search for k in keys])
            self.orders[(sort, descending)] = cached  # a race computes it twice, harmlessly
        return cached


class RecordIndex:
    """The fleet's records (and rows that no longer validate) held in memory."""

    def __init__(self, registry: RegistryService):
        self.registry = registry
        self._snap: _Snapshot | None = None
        self._lock = threading.Lock()  # one sync at a time
        # told which models were re-read (None: all) after a sync that changed something
        self.on_change: Callable[[set[Key] | None], None] | None = None
        self._recent: dict[Query, Match] = {}  # the last answers (typing narrows them)

    @property
    def ready(self) -> bool:
        return self._snap is not None

    @property
    def version(self) -> int:
        return self._snap.version if self._snap is not None else 0

    def sync(self) -> set[Key] | None:
        """Follow the registry (a worker thread): the keys re-read (None: everything was read);
        an empty set when nothing changed."""
        with self._lock:
            stamp = self.registry.fleet_stamp()  # before the read: a later write shows next time
            snap = self._snap
            if snap is not None and snap.stamp == stamp:
                return set()
            keys: set[Key] | None = None
            if snap is not None:
                keys = self.registry.keys_changed_since(snap.stamp[1])
                if len(keys) > FULL_READ_OVER:
                    keys = None
            entries = self._read(snap, keys)
            if keys is not None and len(entries) != stamp[0]:  # a row written around us
                keys, entries = None, self._read(None, None)
            self._snap = _Snapshot(stamp, entries, (snap.version if snap else 0) + 1)
        if self.on_change is not None:
            self.on_change(keys)
        return keys

    def _read(self, snap: _Snapshot | None, keys: set[Key] | None) -> dict[Key, Entry]:
        if snap is None or keys is None:
            good, bad = self.registry.read_models()
            items: list[Item] = [*good, *bad]
            entries = {item.key: Entry.of(item) for item in items}
            # The records live as long as the process: keep the cyclic garbage collector from
            # walking them (hundreds of thousands of objects at 10,000 models) in every full
            # collection, which took 0.2-0.7 s and fell on page loads. Freed by reference
            # counting when replaced, as before. Small fleets (and test runs) are left alone.
            # Once per process: a frozen object that later ends in a reference cycle (a closed
            # page's elements) is never collected, so freezing again would leak those.
            global _frozen
            if len(entries) >= FREEZE_FROM and not _frozen:
                gc.freeze()
                _frozen = True
            return entries
        entries = dict(snap.entries)
        if not keys:
            return entries
        for key in keys:
            entries.pop(key, None)
        good, bad = self.registry.read_models(names={name for _, name in keys})
        changed: list[Item] = [*good, *bad]
        entries.update({i.key: Entry.of(i) for i in changed if i.key in keys})
        return entries

    def warm(self) -> None:
        """Read everything in a background thread now, so the first page does not wait."""

        def read() -> None:
            try:
                self.sync()
            except Exception as exc:  # the first page reads again (and reports)
                log.debug("warming the record index failed: %s", exc)

        threading.Thread(target=read, name="record-index-warm", daemon=True).start()

    # ------------------------------------------------------------------ reading (any thread)

    def get(self, key: Key) -> Item | None:
        snap = self._snap
        entry = snap.entries.get(key) if snap is not None else None
        return entry.item if entry is not None else None

    def keys(self) -> list[Key]:
        snap = self._snap
        return list(snap.entries) if snap is not None else []

    def items(self, keys: list[Key]) -> list[Item]:
        snap = self._snap
        if snap is None:
            return []
        return [e.item for k in keys if (e := snap.entries.get(k)) is not None]

    def teams(self) -> list[str]:
        snap = self._snap
        return sorted({e.team for e in snap.entries.values()}) if snap is not None else []

    def namespaces(self) -> list[str]:
        snap = self._snap
        return sorted({k[0] for k in snap.entries}) if snap is not None else []

    def match(self, query: Query) -> Match:
        """The keys ``query`` selects, in order. A few milliseconds at 10,000 models; typing on
        (a search that holds an earlier one) only looks among the earlier matches."""
        snap = self._snap
        if snap is None:
            return Match([], 0, 0)
        same = self._recent.get(query)
        if same is not None and same.version == snap.version:
            return same
        wider = self._narrowest_before(snap, query) if query.search else None
        if wider is not None:
            term, entries = query.search, snap.entries
            keys = [k for k in wider.keys if term in entries[k].search]
            found = Match(keys, wider.total, snap.version)
        else:
            found = _select(snap, query)
        self._recent[query] = found
        while len(self._recent) > RECENT_QUERIES:
            self._recent.pop(next(iter(self._recent)))
        return found

    def _narrowest_before(self, snap: _Snapshot, query: Query) -> Match | None:
        """The smallest remembered answer whose search the new one holds (same filters)."""
        best = None
        for old, found in list(self._recent.items()):
            if (
                found.version == snap.version
                and old.search in query.search
                and old == replace(query, search=old.search)
                and (best is None or len(found.keys) < len(best.keys))
            ):
                best = found
        return best


def _select(snap: _Snapshot, query: Query) -> Match:
    entries = snap.entries
    keys, texts = snap.order(query.sort, query.descending)
    if query.team or query.namespace or query.enabled is not None:
        team, ns, on = query.team, query.namespace, query.enabled
        pairs = [
            (k, t)
            for k, t in zip(keys, texts, strict=True)
            if (not team or entries[k].team == team)
            and (not ns or k[0] == ns)
            and (on is None or entries[k].enabled == on)
        ]
        keys, texts = [k for k, _ in pairs], [t for _, t in pairs]
    total = len(keys)
    if query.search:
        term = query.search
        keys = [k for k, t in zip(keys, texts, strict=True) if term in t]
    return Match(keys, total, snap.version)
