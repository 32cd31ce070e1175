"""The Models tab: a toolbar (search, filters, count, new model) over the models table.

The table is built empty and filled from a worker thread; a 2 s poll of the fleet's stamp picks
up changes made elsewhere (the CLI, another browser), and live pushes patch single rows. The
search runs in the browser (the keystroke sets the table's filter prop directly)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nicegui import background_tasks, events, run, ui

from barista_ui.fleet import Fleet, FleetRow
from barista_ui.records.registry import ModelRecord, NotFound, RegistryError, UnreadableRecord
from components.models import actions
from components.models.columns import add_slots, columns
from components.models.editor import open_editor
from components.models.panel import open_panel
from components.models.push import LivePatcher, patch_rows
from components.models.rows import live_fields, row_key, table_row, unreadable_row
from components.models.unreadable import open_unreadable_panel

Stamp = tuple[int, int]


@dataclass(frozen=True)
class Loaded:
    """One read of the table's contents (made in a worker thread)."""

    records: dict[str, ModelRecord]
    rows: list[dict[str, Any]]
    stamp: Stamp
    unreadable: dict[str, UnreadableRecord]  # stored rows that no longer validate


@dataclass(frozen=True)
class Filters:
    team: str | None
    namespace: str | None
    enabled: bool | None


def build_models_tab(fleet: Fleet) -> None:
    ModelsTable(fleet).build()


def _load(fleet: Fleet, filters: Filters) -> Loaded:
    stamp = fleet.stamp()  # before the read: a write in between shows at the next poll
    fleet_rows, unreadable = fleet.listing(
        team=filters.team, namespace=filters.namespace, enabled=filters.enabled
    )
    now = datetime.now(UTC)
    rows = [table_row(r, now) for r in fleet_rows]
    broken = [unreadable_row(u, now) for u in unreadable]
    return Loaded(
        {row["key"]: r.record for row, r in zip(rows, fleet_rows, strict=True)},
        sorted([*rows, *broken], key=lambda r: (r["namespace"], r["name"])),
        stamp,
        {row["key"]: u for row, u in zip(broken, unreadable, strict=True)},
    )


class ModelsTable:
    def __init__(self, fleet: Fleet):
        self.fleet = fleet
        self.records: dict[str, ModelRecord] = {}
        self.unreadable: dict[str, UnreadableRecord] = {}
        self.rows_by_key: dict[str, dict[str, Any]] = {}
        self.stamp: Stamp | None = None
        self._generation = 0

    def build(self) -> None:
        self._toolbar()
        self.table = (
            ui.table(
                columns=columns(live=self.fleet.connected),
                rows=[],
                row_key="key",
                pagination={"rowsPerPage": 50, "sortBy": "name"},
            )
            .props("flat bordered dense :rows-per-page-options='[25, 50, 100, 0]'")
            .classes("w-full barista-card")
            .mark("models-table")
        )
        add_slots(self.table)
        self._search_in_browser()
        self.table.on("open", lambda e: self.open(e.args["key"]))
        self.table.on("toggle", self.on_toggle)
        self.table.on("step", self.on_step)
        self.table.on("keep", self.on_keep)
        LivePatcher(self.fleet, self.table, lambda: self.records, lambda: self.rows_by_key).attach(
            ui.context.client, self.refresh
        )
        ui.timer(2.0, self.poll)  # its first run (at once) fills the table
        # another replica committed a change (PostgreSQL NOTIFY): look now, not at the next tick
        ui.context.client.on_delete(self.fleet.hub.subscribe_records(self._heard))

    def _toolbar(self) -> None:
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            self.search = (
                ui.input(placeholder="Search name, team, image, owner")
                .props("dense outlined clearable debounce=0")
                .classes("w-72 max-w-full")
                .mark("search")
            )
            with self.search.add_slot("prepend"):
                ui.icon("search")
            self.team = _select([], "Team", "w-40").mark("filter-team")
            self.namespace = _select([], "Namespace", "w-40").mark("filter-namespace")
            self.enabled = _select({"on": "Enabled", "off": "Switched off"}, "State", "w-36")
            self.enabled.mark("filter-enabled")
            ui.space()
            self.count = ui.label("loading models …").classes("text-sm text-grey-7")
            self.count.mark("model-count")
            ui.button("New model", icon="add", on_click=self.new_model).props("unelevated").mark(
                "new-model"
            )
        for sel in (self.team, self.namespace, self.enabled):
            sel.on_value_change(self.refresh)

    def _search_in_browser(self) -> None:
        """Filter on each row's search text (name, team, image, owner) in the browser: the
        keystroke sets the table's filter prop directly, so the rows are never re-sent; the
        server keeps its copy of the prop in step silently."""
        self.table.props(
            ":filter-method=\"(rows, terms) => { const t = (terms || '').toLowerCase(); "
            'return rows.filter(r => r.search.includes(t)); }"'
        )
        self.search.on(
            "update:model-value",
            js_handler=f"(v) => {{ mounted_app.elements[{self.table.id}].props.filter = "
            "(v || '').trim().toLowerCase(); emit(v); }",
        )
        self.search.on_value_change(self._search_changed)

    # ------------------------------------------------------------------ data

    def _filters(self) -> Filters:
        enabled = {"on": True, "off": False}.get(self.enabled.value or "")
        return Filters(self.team.value or None, self.namespace.value or None, enabled)

    async def refresh(self, *_: Any) -> None:
        """Read the rows in a worker thread and show them (only the newest read shows)."""
        self._generation += 1
        mine = self._generation
        loaded = await run.io_bound(_load, self.fleet, self._filters())
        if loaded is not None and mine == self._generation and not self.table.is_deleted:
            self._show(loaded)

    def _show(self, loaded: Loaded) -> None:
        self.records = loaded.records
        self.unreadable = loaded.unreadable
        self.rows_by_key = {row["key"]: row for row in loaded.rows}
        if self.fleet.connected:  # pushes may have landed while the rows were read: live
            live = self.fleet.live_rows(self.records.values())  # fields from memory, fresh
            for record in self.records.values():
                self.rows_by_key[row_key(*record.key)].update(live_fields(record, live[record.key]))
        self.table.rows = loaded.rows
        self.table.update()
        self.stamp = loaded.stamp
        self._update_count()

    async def poll(self) -> None:
        """Pick up changes made elsewhere (CLI, another browser): a cheap stamp read, then the
        filter options and the rows when it moved."""
        if await run.io_bound(self.fleet.stamp) == self.stamp:
            return
        options = await run.io_bound(lambda: (self.fleet.teams(), self.fleet.namespaces()))
        if options is None or self.table.is_deleted:  # None: the app is stopping
            return
        teams, namespaces = options
        self.team.set_options(teams, value=self.team.value if self.team.value in teams else None)
        self.namespace.set_options(
            namespaces, value=self.namespace.value if self.namespace.value in namespaces else None
        )
        await self.refresh()

    def _heard(self, keys: set[tuple[str, str]] | None) -> None:
        """Another process changed these records: re-read just those rows when they are shown
        (a few), else look at everything."""
        shown = keys is not None and len(keys) <= 20
        if shown and all(row_key(*k) in self.rows_by_key for k in keys or ()):
            for key in keys or ():
                background_tasks.create(self._refresh_one(key)(), name="models-row-reread")
        else:
            background_tasks.create(self.poll(), name="models-table-poll")

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

    def _refresh_one(self, key: tuple[str, str]) -> Callable[[], Awaitable[None]]:
        """After a switch or a step: re-read that one row and patch it at once (a full reload
        of 2,000 rows would leave the switch showing the old state meanwhile)."""

        async def again() -> None:
            def load() -> FleetRow:
                return self.fleet.rows_of([self.fleet.get(key[0], key[1])])[0]

            try:
                row = await run.io_bound(load)
            except RegistryError:
                await self.refresh()
                return
            if row is None or self.table.is_deleted:
                return
            k = row_key(*key)
            self.records[k] = row.record
            patch_rows(self.table, self.rows_by_key, {k: table_row(row)})

        return again

    # ------------------------------------------------------------------ actions

    async def open(self, key: str) -> None:
        if key in self.unreadable:
            open_unreadable_panel(self.fleet, self.unreadable[key], self.refresh)
            return
        rec = self.records.get(key)
        if rec is None:
            return
        try:
            current = await run.io_bound(self.fleet.get, rec.namespace, rec.name)
        except NotFound:
            ui.notify(f"{key} no longer exists", type="warning")
            await self.refresh()
            return
        if current is not None:
            open_panel(self.fleet, current, self.refresh)

    async def new_model(self) -> None:
        await open_editor(self.fleet, None, self.refresh)

    async def on_toggle(self, e: events.GenericEventArguments) -> None:
        rec = self.records.get(e.args["key"])
        if rec is not None:
            await actions.switch(
                self.fleet, rec.key, bool(e.args["value"]), self._refresh_one(rec.key)
            )

    async def on_step(self, e: events.GenericEventArguments) -> None:
        rec = self.records.get(e.args["key"])
        if rec is not None:
            await actions.step(
                self.fleet, rec.key, int(e.args["delta"]), self._refresh_one(rec.key)
            )

    async def on_keep(self, e: events.GenericEventArguments) -> None:
        rec = self.records.get(e.args["key"])
        if rec is not None:
            await actions.keep(self.fleet, rec, str(e.args["choice"]), self.refresh)


def _select(options: Any, label: str, width: str) -> ui.select:
    return ui.select(options, label=label, clearable=True).props("dense outlined").classes(width)
