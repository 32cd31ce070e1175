"""The Models tab: a toolbar (search, filters, count, new model) over the models table.

The table is built empty and filled from a worker thread; a 2 s poll of the fleet's stamp picks
up changes made elsewhere (the CLI, another browser), and live pushes patch single rows (the
live fields, and the Schedule column after a schedule change or a scheduler transition). The
search runs in the browser (the keystroke sets the table's filter prop directly). On a phone
(Quasar's xs screen) the same rows are drawn as cards. Search, filters, sort and the open panel
are kept in the address bar; State → Deleted lists deleted models with a restore."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nicegui import background_tasks, events, run, ui

from barista_ui.access.roles import MODELS_CREATE, MODELS_EDIT, allowed
from barista_ui.fleet import Fleet, FleetRow
from barista_ui.records.registry import ModelRecord, NotFound, RegistryError, UnreadableRecord
from components.models import actions
from components.models.budget_note import budget_fields, budget_note, show_budget_note
from components.models.columns import add_slots, columns
from components.models.deleted import DeletedView
from components.models.editor import open_editor
from components.models.panel import open_panel
from components.models.push import LivePatcher, SchedulePatcher, patch_rows
from components.models.rows import live_fields, row_key, table_row, unreadable_row
from components.models.unreadable import open_unreadable_panel
from components.theme import current_user
from components.url_state import UrlState
from components.viewer_zone import viewer_zone
from components.widgets.guard import guard

# every 30 s the browser rewrites the Updated column from each row's timestamp ("3 min ago")
AGO_JS = """(() => { const id = %d; const tick = () => { const el = mounted_app.elements[id];
  if (!el) { clearInterval(window.__ago[id]); return; } const now = Date.now() / 1000;
  for (const r of el.props.rows || []) { const s = Math.max(0, Math.floor(now - r.updated_ts));
    const d = Math.floor(s / 86400);
    r.updated = s < 60 ? 'just now' : s < 3600 ? Math.floor(s / 60) + ' min ago'
      : s < 86400 ? Math.floor(s / 3600) + ' h ago' : d + (d === 1 ? ' day ago' : ' days ago'); } };
  window.__ago = window.__ago || {}; clearInterval(window.__ago[id]);
  window.__agoTick = tick; window.__ago[id] = setInterval(tick, 30000); })()"""

Stamp = tuple[int, int]


@dataclass(frozen=True)
class Loaded:
    """One read of the table's contents (made in a worker thread)."""

    records: dict[str, ModelRecord]
    rows: list[dict[str, Any]]
    stamp: Stamp
    unreadable: dict[str, UnreadableRecord]  # stored rows that no longer validate
    teams: list[str]  # the filters' options, read with the rows (never left empty)
    namespaces: list[str]
    alerts: dict[str, str]  # teams over budget -> the sentence saying so


@dataclass(frozen=True)
class Filters:
    team: str | None
    namespace: str | None
    enabled: bool | None


def build_models_tab(fleet: Fleet, url: UrlState | None = None) -> None:
    ModelsTable(fleet, url or UrlState({})).build()


def _load(fleet: Fleet, filters: Filters, tz: str, can_edit: Callable[[str], bool]) -> Loaded:
    stamp = fleet.stamp()  # before the read: a write in between shows at the next poll
    fleet_rows, unreadable = fleet.listing(
        team=filters.team, namespace=filters.namespace, enabled=filters.enabled, tz=tz
    )
    now = datetime.now(UTC)
    rows = [table_row(r, now, tz) for r in fleet_rows]
    broken = [unreadable_row(u, now, tz) for u in unreadable]
    alerts = fleet.budget_alerts()
    for row in (*rows, *broken):  # the row's controls show only to editors of its team
        row.update(edit=can_edit(row["team"]), **budget_fields(alerts.get(row["team"])))
    return Loaded(
        {row["key"]: r.record for row, r in zip(rows, fleet_rows, strict=True)},
        sorted([*rows, *broken], key=lambda r: (r["namespace"], r["name"])),
        stamp,
        {row["key"]: u for row, u in zip(broken, unreadable, strict=True)},
        fleet.teams(),
        fleet.namespaces(),
        alerts,
    )


class ModelsTable:
    def __init__(self, fleet: Fleet, url: UrlState):
        self.fleet = fleet
        self.url = url
        self.tz = viewer_zone()
        self.records: dict[str, ModelRecord] = {}
        self.unreadable: dict[str, UnreadableRecord] = {}
        self.rows_by_key: dict[str, dict[str, Any]] = {}
        self.stamp: Stamp | None = None
        self._generation = 0
        user = current_user()  # resolved once per page: the services check every action again
        self.can_edit: Callable[[str], bool] = lambda team: allowed(user, MODELS_EDIT, team)
        self._panel_from_url = url.get("model")  # opened once the rows are there

    def build(self) -> None:
        self._toolbar()
        self.deleted_box = ui.column().classes("w-full gap-0")  # State → Deleted, built on use
        self.deleted: DeletedView | None = None
        self.table = (
            ui.table(
                columns=columns(live=self.fleet.connected),
                rows=[],
                row_key="key",
                pagination=self._initial_sort(),
            )
            .props("flat bordered dense :rows-per-page-options='[25, 50, 100, 0]'")
            .props(':grid="Quasar.Screen.xs"')  # a card per model on a phone
            .classes("w-full barista-card models-table")
            .mark("models-table")
        )
        add_slots(self.table)
        self._search_in_browser()
        self.table.on("open", lambda e: self.open(e.args["key"]))
        self.table.on("toggle", self.on_toggle)
        self.table.on("step", self.on_step)
        self.table.on("bounds", lambda e: self.on_bounds(e.args["key"]))
        self.table.on("keep", self.on_keep)
        self.table.on_pagination_change(self._sorted)
        client = ui.context.client
        LivePatcher(self.fleet, self.table, lambda: self.records, lambda: self.rows_by_key).attach(
            client, self.refresh
        )
        SchedulePatcher(self.fleet, self.table, lambda: self.rows_by_key, self.tz).attach(client)
        ui.run_javascript(AGO_JS % self.table.id)
        self._show_deleted(self.enabled.value == "deleted")
        ui.timer(2.0, self.poll)  # its first run (at once) fills the table
        # another replica committed a change (PostgreSQL NOTIFY): look now, not at the next tick
        ui.context.client.on_delete(self.fleet.hub.subscribe_records(self._heard))

    def _initial_sort(self) -> dict[str, Any]:
        sort = self.url.get("sort")
        names = {c["name"] for c in columns() if c.get("sortable")}
        return {
            "rowsPerPage": 50,
            "sortBy": sort if sort in names else "name",
            "descending": self.url.get("desc") == "1",
        }

    def _sorted(self, e: Any) -> None:
        p = e.value or {}
        sort = p.get("sortBy") or ""
        self.url.update(
            push=False,
            sort=None if sort == "name" else sort,
            desc="1" if p.get("descending") else None,
        )

    def _toolbar(self) -> None:
        url_q = self.url.get("q")
        self.budget_note = budget_note()
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            self.search = (
                ui.input(placeholder="Search name, namespace, team, image, owner", value=url_q)
                .props("dense outlined clearable debounce=0")
                .classes("w-96 max-w-full")
                .mark("search")
            )
            with self.search.add_slot("prepend"):
                ui.icon("search")
            self.team = _select(self.url.get("team"), "Team", "w-40").mark("filter-team")
            self.namespace = _select(self.url.get("namespace"), "Namespace", "w-40")
            self.namespace.mark("filter-namespace")
            self.enabled = (
                ui.select(
                    {"on": "Enabled", "off": "Switched off", "deleted": "Deleted"},
                    label="State",
                    value=self.url.get("state") or None
                    if self.url.get("state") in ("on", "off", "deleted")
                    else None,
                    clearable=True,
                )
                .props("dense outlined")
                .classes("w-36")
            )
            self.enabled.mark("filter-enabled")
            ui.space()
            self.count = ui.label("loading models …").classes("text-sm text-grey-7")
            self.count.mark("model-count")
            guard(
                ui.button("New model", icon="add", on_click=self.new_model)
                .props("unelevated")
                .mark("new-model"),
                MODELS_CREATE,
            )
        for sel, param in ((self.team, "team"), (self.namespace, "namespace")):
            sel.on_value_change(lambda e, p=param: self._filtered(p, e.value))
        self.enabled.on_value_change(lambda e: self._filtered("state", e.value))

    async def _filtered(self, param: str, value: Any) -> None:
        self.url.update(**{param: value or None})
        if param == "state":
            self._show_deleted(value == "deleted")
        await self.refresh()

    def _show_deleted(self, on: bool) -> None:
        self.table.set_visibility(not on)
        if on and self.deleted is None:
            with self.deleted_box:
                self.deleted = DeletedView(self.fleet, self.refresh)
        if self.deleted is not None:
            self.deleted.show(on)

    def _search_in_browser(self) -> None:
        """Filter on each row's search text (name, team, image, owner) in the browser: the
        keystroke sets the table's filter prop directly, so the rows are never re-sent; the
        server keeps its copy of the prop in step silently."""
        self.table.props(
            ":filter-method=\"(rows, terms) => { const t = (terms || '').toLowerCase(); "
            'return rows.filter(r => r.search.includes(t)); }"'
        )
        self.table._props["filter"] = (self.search.value or "").strip().lower()
        self.search.on(
            "update:model-value",
            js_handler=f"(v) => {{ mounted_app.elements[{self.table.id}].props.filter = "
            "(v || '').trim().toLowerCase(); emit(v); }",
        )
        self.search.on_value_change(self._search_changed)

    # ------------------------------------------------------------------ data

    def _filters(self) -> Filters:
        enabled = {"on": True, "off": False}.get(self.enabled.value or "")  # "deleted": apart
        return Filters(self.team.value or None, self.namespace.value or None, enabled)

    async def refresh(self, *_: Any) -> None:
        """Read the rows in a worker thread and show them (only the newest read shows)."""
        self._generation += 1
        mine = self._generation
        deleted = None
        if self.enabled.value == "deleted":
            if self.deleted is not None:
                deleted = await self.deleted.refresh(self.team.value, self.namespace.value)
        loaded = await run.io_bound(_load, self.fleet, self._filters(), self.tz, self.can_edit)
        if loaded is not None and mine == self._generation and not self.table.is_deleted:
            self._show(loaded)
            if deleted is not None:
                self.count.text = f"{deleted} deleted model{'' if deleted == 1 else 's'}"
            await self._open_from_url()

    def _show(self, loaded: Loaded) -> None:
        self.records = loaded.records
        self.unreadable = loaded.unreadable
        with self.table._props.suspend_updates():  # one update below, not one per row
            self.table.rows = loaded.rows
            # the table's own (observed) copies: a push patches them without a re-send
            self.rows_by_key = {row["key"]: row for row in self.table.rows}
            if self.fleet.connected:  # pushes may have landed while the rows were read:
                live = self.fleet.live_rows(self.records.values())  # live fields, fresh
                for record in self.records.values():
                    row = self.rows_by_key[row_key(*record.key)]
                    row.update(live_fields(record, live[record.key]))
        self.table.update()
        self.stamp = loaded.stamp
        self._set_options(loaded.teams, loaded.namespaces)
        show_budget_note(self.budget_note, loaded.alerts, self.can_edit)
        self._update_count()

    def _set_options(self, teams: list[str], namespaces: list[str]) -> None:
        for select, options in ((self.team, teams), (self.namespace, namespaces)):
            if list(select.options) != options:
                value = select.value if select.value in options else None
                select.set_options(options, value=value)

    async def _open_from_url(self) -> None:
        key, self._panel_from_url = self._panel_from_url, ""
        if key:
            await self.open(key)

    async def poll(self) -> None:
        """Pick up changes made elsewhere (CLI, another browser): a cheap stamp read, then the
        filter options and the rows when it moved."""
        stamp = await run.io_bound(self.fleet.stamp)
        if stamp is None or stamp == self.stamp or self.table.is_deleted:  # None: stopping
            return
        await self.refresh()  # the rows and the filters' options

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
        self.url.update(push=False, q=(self.search.value or "").strip() or None)
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
                return self.fleet.rows_of([self.fleet.get(key[0], key[1])], tz=self.tz)[0]

            try:
                row = await run.io_bound(load)
            except RegistryError:
                await self.refresh()
                return
            if row is None or self.table.is_deleted:
                return
            k = row_key(*key)
            self.records[k] = row.record
            fresh = {**table_row(row, tz=self.tz), "edit": self.can_edit(row.record.spec.team)}
            patch_rows(self.table, self.rows_by_key, {k: fresh})

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
            dialog = open_panel(self.fleet, current, self.refresh)
            self.url.update(model=key)
            dialog.on_value_change(lambda e: None if e.value else self.url.update(model=None))

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
            await actions.keep(
                self.fleet, rec, str(e.args["choice"]), self._refresh_one(rec.key), tz=self.tz
            )

    async def on_bounds(self, key: str) -> None:
        rec = self.records.get(key)
        if rec is not None:
            await actions.open_bounds(self.fleet, rec.key, self._refresh_one(rec.key))


def _select(value: str, label: str, width: str) -> ui.select:
    """A filter; a value from the address bar is an option before the real ones are read."""
    options = [value] if value else []
    return (
        ui.select(options, label=label, value=value or None, clearable=True)
        .props("dense outlined")
        .classes(width)
    )
