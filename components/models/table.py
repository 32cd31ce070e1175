"""The Models tab: a toolbar (search, filters, count, new model) over the models table.

The table is paged on the server (Quasar's server-side pagination): the browser holds one page
of rows, whatever the fleet's size. Filters, search and sort run over the fleet's in-memory
record index (:mod:`barista_ui.records.listing`), and only the page's rows are built, in a
worker thread. A 2 s poll of the fleet's stamp picks up changes made elsewhere (the CLI, another
browser: the index re-reads just those models); live pushes patch the visible rows and the
status counts. On a phone (Quasar's xs screen) the same rows are drawn as cards. Search,
filters, sort and the open panel are kept in the address bar; a link to a model opens its panel
on the page that holds it. State → Deleted lists deleted models with a restore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import background_tasks, events, run, ui

from barista_ui.access.roles import MODELS_CREATE, MODELS_EDIT, allowed
from barista_ui.fleet import Fleet
from barista_ui.records.listing import Query
from barista_ui.records.registry import ModelRecord, NotFound
from components.models import actions
from components.models.budget_note import budget_note, show_budget_note
from components.models.columns import add_slots, columns
from components.models.counts import StatusCounts
from components.models.deleted import DeletedView
from components.models.editor import open_editor
from components.models.paging import DEFAULT_PAGE_SIZE, PAGE_SIZES, PageRead, read_page, split_key
from components.models.panel import open_panel
from components.models.push import LivePatcher, SchedulePatcher
from components.models.rows import live_fields, row_key
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


def build_models_tab(fleet: Fleet, url: UrlState | None = None) -> None:
    ModelsTable(fleet, url or UrlState({})).build()


class ModelsTable:
    def __init__(self, fleet: Fleet, url: UrlState):
        self.fleet = fleet
        self.url = url
        self.tz = viewer_zone()
        self.records: dict[str, ModelRecord] = {}  # the shown page's records by row key
        self.rows_by_key: dict[str, dict[str, Any]] = {}  # the shown page's rows
        self.alerts: dict[str, str] = {}  # teams over budget (read with a full refresh)
        self.shown: PageRead | None = None
        self.stamp: Stamp | None = None
        self._generation = 0
        user = current_user()  # resolved once per page: the services check every action again
        self.can_edit: Callable[[str], bool] = lambda team: allowed(user, MODELS_EDIT, team)
        self._panel_from_url = url.get("model")  # opened once the rows are there

    def build(self) -> None:
        self._toolbar()
        self.deleted_box = ui.column().classes("w-full gap-0")  # State → Deleted, built on use
        self.deleted: DeletedView | None = None
        options = str(list(PAGE_SIZES))
        self.table = (
            ui.table(
                columns=columns(live=self.fleet.connected),
                rows=[],
                row_key="key",
                pagination=self._initial_pagination(),
            )
            .props(f"flat bordered dense :rows-per-page-options='{options}'")
            .props('no-data-label="No models match"')
            .props(':grid="Quasar.Screen.xs"')  # a card per model on a phone
            .classes("w-full barista-card models-table")
            .mark("models-table")
        )
        add_slots(self.table)
        _server_paged(self.table)
        self.table.on("open", lambda e: self.open(e.args["key"]))
        self.table.on("toggle", self.on_toggle)
        self.table.on("step", self.on_step)
        self.table.on("bounds", lambda e: self.on_bounds(e.args["key"]))
        self.table.on("keep", self.on_keep)
        self.table.on("request", self._requested, ["pagination"])  # page, size or sort chosen
        client = ui.context.client
        LivePatcher(self.fleet, self.table, lambda: self.records, lambda: self.rows_by_key).attach(
            client, self.refresh
        )
        SchedulePatcher(self.fleet, self.table, lambda: self.rows_by_key, self.tz).attach(client)
        if self.fleet.connected:
            self.counts.attach(client)
        ui.run_javascript(AGO_JS % self.table.id)
        self._show_deleted(self.enabled.value == "deleted")
        ui.timer(2.0, self.poll)  # its first run (at once) fills the table
        # another replica committed a change (PostgreSQL NOTIFY): look now, not at the next tick
        ui.context.client.on_delete(self.fleet.hub.subscribe_records(self._heard))

    def _initial_pagination(self) -> dict[str, Any]:
        sort = self.url.get("sort")
        names = {c["name"] for c in columns() if c.get("sortable")}
        return {
            "page": 1,
            "rowsPerPage": DEFAULT_PAGE_SIZE,
            "sortBy": sort if sort in names else "name",
            "descending": self.url.get("desc") == "1",
            "rowsNumber": 0,  # set: Quasar pages on the server (it asks with "request")
        }

    @property
    def pagination(self) -> dict[str, Any]:
        return self.table._props["pagination"]

    async def _requested(self, e: events.GenericEventArguments) -> None:
        """Quasar asks for another page, page size or sort order."""
        wanted = (e.args or {}).get("pagination") or {}
        size = wanted.get("rowsPerPage")
        pag = self.pagination
        pag.update(
            page=int(wanted.get("page") or 1),
            rowsPerPage=size if size in PAGE_SIZES else pag["rowsPerPage"],
            sortBy=wanted.get("sortBy") or "name",
            descending=bool(wanted.get("descending")),
        )
        self.url.update(
            push=False,
            sort=None if pag["sortBy"] == "name" else pag["sortBy"],
            desc="1" if pag["descending"] else None,
        )
        await self.fetch()

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
            with ui.column().classes("gap-0 items-end"):
                self.count = ui.label("loading models …").classes("text-sm text-grey-7")
                self.count.mark("model-count")
                self.counts = StatusCounts(self.fleet, lambda: self.shown)
            guard(
                ui.button("New model", icon="add", on_click=self.new_model)
                .props("unelevated")
                .mark("new-model"),
                MODELS_CREATE,
            )
        for sel, param in ((self.team, "team"), (self.namespace, "namespace")):
            sel.on_value_change(lambda e, p=param: self._filtered(p, e.value))
        self.enabled.on_value_change(lambda e: self._filtered("state", e.value))
        self.search.on_value_change(self._search_changed)

    async def _filtered(self, param: str, value: Any) -> None:
        self.url.update(**{param: value or None})
        if param == "state":
            self._show_deleted(value == "deleted")
        self.pagination["page"] = 1
        await self.refresh()

    def _show_deleted(self, on: bool) -> None:
        self.table.set_visibility(not on)
        if on and self.deleted is None:
            with self.deleted_box:
                self.deleted = DeletedView(self.fleet, self.refresh)
        if self.deleted is not None:
            self.deleted.show(on)

    async def _search_changed(self, _e: Any = None) -> None:
        """A keystroke: the first page of the matches, from memory (no registry read)."""
        self.url.update(push=False, q=(self.search.value or "").strip() or None)
        self.pagination["page"] = 1
        await self.fetch()

    # ------------------------------------------------------------------ data

    def _query(self) -> Query:
        enabled = {"on": True, "off": False}.get(self.enabled.value or "")  # "deleted": apart
        pag = self.pagination
        return Query(
            team=self.team.value or None,
            namespace=self.namespace.value or None,
            enabled=enabled,
            search=(self.search.value or "").strip().lower(),
            sort=pag.get("sortBy") or "name",
            descending=bool(pag.get("descending")),
        )

    async def refresh(self, *_: Any) -> None:
        """Follow the registry, read the budgets, and show the current page."""
        deleted = None
        if self.enabled.value == "deleted" and self.deleted is not None:
            deleted = await self.deleted.refresh(self.team.value, self.namespace.value)
        alerts = await run.io_bound(self.fleet.budget_alerts)
        if alerts is not None:
            self.alerts = alerts
            show_budget_note(self.budget_note, alerts, self.can_edit)
        await self.fetch(sync=True)
        if deleted is not None and not self.table.is_deleted:
            self.count.text = f"{deleted} deleted model{'' if deleted == 1 else 's'}"
        await self._open_from_url()

    async def fetch(self, *, sync: bool = False) -> None:
        """Read the current page in a worker thread and show it (only the newest read shows)."""
        self._generation += 1
        mine = self._generation
        focus = split_key(self._panel_from_url) if self._panel_from_url else None
        pag = self.pagination
        read = await run.io_bound(
            read_page,
            self.fleet,
            self._query(),
            int(pag.get("page") or 1),
            int(pag.get("rowsPerPage") or DEFAULT_PAGE_SIZE),
            tz=self.tz,
            can_edit=self.can_edit,
            alerts=self.alerts,
            sync=sync,
            focus=focus,
        )
        if read is not None and mine == self._generation and not self.table.is_deleted:
            self._show(read)

    def _show(self, read: PageRead) -> None:
        self.shown = read
        self.records = read.records
        with self.table._props.suspend_updates():  # one update below
            self.table.rows = read.rows
            # the table's own (observed) copies: a push patches them without a re-send
            self.rows_by_key = {row["key"]: row for row in self.table.rows}
            if self.fleet.connected:  # pushes may have landed while the rows were read:
                live = self.fleet.live_rows(self.records.values())  # live fields, fresh
                for key, record in self.records.items():
                    self.rows_by_key[key].update(live_fields(record, live[record.key]))
            # a new object: Quasar's computed pagination follows the prop's identity
            self.table._props["pagination"] = {
                **self.pagination,
                "page": read.page,
                "rowsNumber": len(read.keys),
            }
        self.table.update()
        self._set_options(self.fleet.index.teams(), self.fleet.index.namespaces())
        self._update_count()
        self.counts.recount()

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
        """Pick up changes made elsewhere (CLI, another browser): a cheap stamp read, then
        the changed models and the page when it moved."""
        stamp = await run.io_bound(self.fleet.stamp)
        if stamp is None or stamp == self.stamp or self.table.is_deleted:  # None: stopping
            return
        self.stamp = stamp
        await self.refresh()

    def _heard(self, _keys: set[tuple[str, str]] | None) -> None:
        """Another process changed records: the index re-reads just those, now."""
        background_tasks.create(self.poll(), name="models-table-poll")

    def _update_count(self) -> None:
        read = self.shown
        if read is None:
            return
        if (self.search.value or "").strip():
            self.count.text = f"{len(read.keys)} of {read.total} models"
        else:
            self.count.text = f"{read.total} models"

    # ------------------------------------------------------------------ actions

    async def open(self, key: str) -> None:
        item = self.fleet.index.get(split_key(key))
        if item is None:
            return
        if not isinstance(item, ModelRecord):
            open_unreadable_panel(self.fleet, item, self.refresh)
            return
        try:
            current = await run.io_bound(self.fleet.get, item.namespace, item.name)
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

    def _record(self, key: str) -> ModelRecord | None:
        item = self.records.get(key) or self.fleet.index.get(split_key(key))
        return item if isinstance(item, ModelRecord) else None

    async def on_toggle(self, e: events.GenericEventArguments) -> None:
        rec = self._record(e.args["key"])
        if rec is not None:
            await actions.switch(self.fleet, rec.key, bool(e.args["value"]), self.refresh)

    async def on_step(self, e: events.GenericEventArguments) -> None:
        rec = self._record(e.args["key"])
        if rec is not None:
            await actions.step(self.fleet, rec.key, int(e.args["delta"]), self.refresh)

    async def on_keep(self, e: events.GenericEventArguments) -> None:
        rec = self._record(e.args["key"])
        if rec is not None:
            await actions.keep(self.fleet, rec, str(e.args["choice"]), self.refresh, tz=self.tz)

    async def on_bounds(self, key: str) -> None:
        rec = self._record(key)
        if rec is not None:
            await actions.open_bounds(self.fleet, rec.key, self.refresh)


def _server_paged(table: ui.table) -> None:
    """The server owns the pagination. Quasar follows the ``pagination`` prop only while an
    ``update:pagination`` listener is bound, but NiceGUI's own listener writes the browser's
    copy back over the server's (at mount: the first, empty one; a link to a model on page 5
    then showed "1-0 of 0"). So the listener stays, in the browser only, doing nothing; pages
    are asked for with ``request``."""
    listeners = table._event_listeners
    for listener_id in [k for k, v in listeners.items() if v.type == "update:pagination"]:
        del listeners[listener_id]
    table.on("update:pagination", js_handler="() => {}")


def _select(value: str, label: str, width: str) -> ui.select:
    """A filter; a value from the address bar is an option before the real ones are read."""
    options = [value] if value else []
    return (
        ui.select(options, label=label, value=value or None, clearable=True)
        .props("dense outlined")
        .classes(width)
    )


__all__ = ["ModelsTable", "build_models_tab", "row_key"]
