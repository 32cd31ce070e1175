"""The models table: search, filters, sorting, paging; live columns filled by the cluster view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from nicegui import run, ui

from barista_ui.app import Services
from barista_ui.records.registry import ModelRecord, NotFound
from components.models.editor import ModelEditor
from components.models.panel import open_panel
from components.theme import GPU_SHORT, ago, exact

COLUMNS: list[dict[str, Any]] = [
    {"name": "name", "label": "Model", "field": "name", "sortable": True, "align": "left"},
    {"name": "team", "label": "Team", "field": "team", "sortable": True, "align": "left"},
    {
        "name": "namespace",
        "label": "Namespace",
        "field": "namespace",
        "sortable": True,
        "align": "left",
        "classes": "gt-sm",
        "headerClasses": "gt-sm",
    },
    {
        "name": "tag",
        "label": "Image tag",
        "field": "tag",
        "sortable": True,
        "align": "left",
        "classes": "gt-xs",
        "headerClasses": "gt-xs",
    },
    {
        "name": "replicas",
        "label": "Replicas",
        "field": "replicas",
        "sortable": True,
        "align": "left",
    },
    {
        "name": "resources",
        "label": "Resources",
        "field": "resources",
        "align": "left",
        "classes": "gt-sm",
        "headerClasses": "gt-sm",
    },
    {
        "name": "updated",
        "label": "Updated",
        "field": "updated_ts",
        "sortable": True,
        "align": "left",
        "classes": "gt-xs",
        "headerClasses": "gt-xs",
    },
]


def table_row(record: ModelRecord, now: datetime | None = None) -> dict[str, Any]:
    spec = record.spec
    res = spec.resources
    gpu = (
        f"{res.gpu.count}× {GPU_SHORT.get(res.gpu.type or '', res.gpu.type)}"
        if res.gpu.count
        else ""
    )
    return {
        "key": f"{spec.namespace}/{spec.name}",
        "name": spec.name,
        "namespace": spec.namespace,
        "description": spec.description,
        "team": spec.team,
        "owner": spec.owner,
        "image": spec.image,
        "tag": spec.tag(),
        "replicas": spec.replicas,
        "enabled": spec.enabled,
        "resources": f"{res.requests.cpu} CPU · {res.requests.memory}",
        "gpu": gpu,
        "updated_ts": record.updated_at.timestamp(),
        "updated": ago(record.updated_at, now),
        "updated_exact": exact(record.updated_at),
        "version": record.version,
        # searchable text (the client-side filter looks at every field of a row)
        "search": f"{spec.name} {spec.team} {spec.image} {spec.owner}".lower(),
    }


NAME_SLOT = r"""
<q-td :props="props" class="cursor-pointer" @click="$parent.$emit('open', props.row)">
  <div class="font-medium text-primary">{{ props.row.name }}</div>
  <div class="text-xs text-grey-7 ellipsis" style="max-width: 300px">{{ props.row.description }}</div>
</q-td>
"""
REPLICAS_SLOT = r"""
<q-td :props="props">
  <span v-if="props.row.enabled">{{ props.row.replicas }}</span>
  <q-badge v-else color="grey-5" text-color="black" label="off" />
</q-td>
"""
RESOURCES_SLOT = r"""
<q-td :props="props">
  <span class="text-xs">{{ props.row.resources }}</span>
  <q-badge v-if="props.row.gpu" color="deep-purple-5" class="q-ml-xs" :label="props.row.gpu" />
</q-td>
"""
UPDATED_SLOT = r"""
<q-td :props="props"><span :title="props.row.updated_exact">{{ props.row.updated }}</span></q-td>
"""
TAG_SLOT = r"""
<q-td :props="props"><span class="mono text-xs">{{ props.row.tag }}</span></q-td>
"""


class ModelsTable:
    """Builds the toolbar and the table; ``extend`` hooks let other views add live columns."""

    def __init__(self, services: Services):
        self.services = services
        self.columns = [dict(c) for c in COLUMNS]
        self.row_extenders: list[Callable[[ModelRecord, dict[str, Any]], None]] = []
        self.records: dict[str, ModelRecord] = {}
        self.stamp: tuple[int, int] | None = None

    def build(self) -> None:
        registry = self.services.registry
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            self.search = (
                ui.input(placeholder="Search name, team, image, owner")
                .props("dense outlined clearable debounce=0")
                .classes("w-72 max-w-full")
            )
            self.search.mark("search")
            with self.search.add_slot("prepend"):
                ui.icon("search")
            self.team = (
                ui.select([], label="Team", clearable=True).props("dense outlined").classes("w-40")
            )
            self.team.mark("filter-team")
            self.namespace = (
                ui.select([], label="Namespace", clearable=True)
                .props("dense outlined")
                .classes("w-40")
            )
            self.namespace.mark("filter-namespace")
            self.enabled = (
                ui.select({"on": "Enabled", "off": "Switched off"}, label="State", clearable=True)
                .props("dense outlined")
                .classes("w-36")
            )
            self.enabled.mark("filter-enabled")
            ui.space()
            self.count = ui.label("").classes("text-sm text-grey-7").mark("model-count")
            ui.button("New model", icon="add", on_click=self.new_model).props("unelevated").mark(
                "new-model"
            )
        for sel in (self.team, self.namespace, self.enabled):
            sel.on_value_change(self.refresh)
        self.table = (
            ui.table(
                columns=self.columns,
                rows=[],
                row_key="key",
                pagination={"rowsPerPage": 50, "sortBy": "name"},
            )
            .props("flat bordered dense :rows-per-page-options='[25, 50, 100, 0]'")
            .classes("w-full barista-card")
        )
        self.table.mark("models-table")
        # Filter on the row's search text (name, team, image, owner), in the browser: instant.
        self.table.props(
            ":filter-method=\"(rows, terms) => { const t = (terms || '').toLowerCase(); "
            'return rows.filter(r => r.search.includes(t)); }"'
        )
        self.table.add_slot("body-cell-name", NAME_SLOT)
        self.table.add_slot("body-cell-replicas", REPLICAS_SLOT)
        self.table.add_slot("body-cell-resources", RESOURCES_SLOT)
        self.table.add_slot("body-cell-updated", UPDATED_SLOT)
        self.table.add_slot("body-cell-tag", TAG_SLOT)
        self.table.on("open", lambda e: self.open(e.args["key"]))
        # Filtering happens in the browser: the keystroke sets the table's filter prop directly, so
        # 2,000 rows are never re-sent. The server keeps its copy of the prop in step silently.
        self.search.on(
            "update:model-value",
            js_handler=f"(v) => {{ mounted_app.elements[{self.table.id}].props.filter = "
            "(v || '').trim().toLowerCase(); emit(v); }",
        )
        self.search.on_value_change(self._search_changed)
        self.refresh()
        self.team.options = registry.teams()
        self.namespace.options = registry.namespaces()
        ui.timer(2.0, self.poll)

    # ------------------------------------------------------------------ data

    def refresh(self, *_: Any) -> None:
        self._show(*self._load())

    async def refresh_async(self) -> None:
        """:meth:`refresh` with the database read off the event loop."""
        loaded = await run.io_bound(self._load)
        if not self.table.is_deleted:
            self._show(*loaded)

    def _load(self) -> tuple[list[ModelRecord], tuple[int, int]]:
        enabled = {"on": True, "off": False}.get(self.enabled.value or "")
        registry = self.services.registry
        stamp = registry.fleet_stamp()
        recs = registry.list_models(
            team=self.team.value or None, namespace=self.namespace.value or None, enabled=enabled
        )
        return recs, stamp

    def _show(self, recs: list[ModelRecord], stamp: tuple[int, int]) -> None:
        self.records = {f"{r.namespace}/{r.name}": r for r in recs}
        now = datetime.now(UTC)
        rows = []
        for r in recs:
            row = table_row(r, now)
            for extend in self.row_extenders:
                extend(r, row)
            rows.append(row)
        self.table.rows = rows
        self.table.update()
        self.stamp = stamp
        self._update_count()

    def update_rows(self, keys: set[tuple[str, str]]) -> None:
        """Refresh only the given models' live fields (called on cluster changes)."""
        if not self.row_extenders:
            return
        wanted = {f"{ns}/{name}" for ns, name in keys}
        changed = False
        for row in self.table.rows:
            if row["key"] in wanted and row["key"] in self.records:
                for extend in self.row_extenders:
                    extend(self.records[row["key"]], row)
                changed = True
        if changed:
            self.table.update()

    def _search_changed(self, _e: Any = None) -> None:
        self.table._props["filter"] = (self.search.value or "").strip().lower()
        self._update_count()

    def _update_count(self) -> None:
        total = len(self.table.rows)
        q = (self.search.value or "").strip().lower()
        if q:
            shown = sum(1 for r in self.table.rows if q in r["search"])
            self.count.text = f"{shown} of {total} models"
        else:
            self.count.text = f"{total} models"

    async def poll(self) -> None:
        """Pick up changes made elsewhere (CLI, another browser) — a cheap server-side check."""
        registry = self.services.registry
        if await run.io_bound(registry.fleet_stamp) == self.stamp:
            return
        teams, namespaces = await run.io_bound(lambda: (registry.teams(), registry.namespaces()))
        self.team.options, self.namespace.options = teams, namespaces
        self.team.update()
        self.namespace.update()
        await self.refresh_async()

    # ------------------------------------------------------------------ actions

    async def open(self, key: str) -> None:
        rec = self.records.get(key)
        if rec is None:
            return
        try:
            rec = await run.io_bound(self.services.registry.get, rec.name, rec.namespace)
        except NotFound:
            ui.notify(f"{key} no longer exists", type="warning")
            self.refresh()
            return
        open_panel(self.services, rec, self.refresh)

    def new_model(self) -> None:
        ModelEditor(self.services, None, lambda _r: self.refresh())
