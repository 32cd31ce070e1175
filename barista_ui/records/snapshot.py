"""All records, re-read only when the registry changed (one cheap stamp query per call)."""

from __future__ import annotations

import threading

from barista_ui.records.registry import ModelRecord, RegistryService


class RecordsSnapshot:
    def __init__(self, registry: RegistryService):
        self.registry = registry
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, int], list[ModelRecord]] | None = None

    def __call__(self) -> list[ModelRecord]:
        stamp = self.registry.fleet_stamp()
        with self._lock:
            cached = self._cached
        if cached is None or cached[0] != stamp:
            cached = (stamp, self.registry.list_models())
            with self._lock:
                self._cached = cached
        return cached[1]
