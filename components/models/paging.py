"""One page of the models table, read in a worker thread: the fleet's record index picks the
models (filters, search, sort), and only that page's rows are built (schedule text, live
status, budget badge, whether the viewer may edit) and sent to the browser."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from barista_ui.fleet import Fleet
from barista_ui.records.listing import Key, Query
from barista_ui.records.registry import ModelRecord, UnreadableRecord
from components.models.budget_note import budget_fields
from components.models.rows import row_key, table_row, unreadable_row

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class PageRead:
    rows: list[dict[str, Any]]  # the page's rows, as the browser gets them
    records: dict[str, ModelRecord]  # row key -> record (the rows' actions act on these)
    keys: list[Key]  # every model the query selects, in order (all pages)
    total: int  # how many the filters select (before the search)
    page: int  # the page shown (a deep link's model moves it; past the end: the last)
    version: int  # the index's version the page was cut from


def page_of(keys: list[Key], page: int, per_page: int, focus: Key | None = None) -> int:
    """The page to show: the one holding ``focus`` when it is selected, never past the end."""
    if focus is not None and focus in keys:
        return keys.index(focus) // per_page + 1
    last = max(1, -(-len(keys) // per_page))
    return min(max(1, page), last)


def read_page(
    fleet: Fleet,
    query: Query,
    page: int,
    per_page: int,
    *,
    tz: str,
    can_edit: Callable[[str], bool],
    alerts: dict[str, str],
    sync: bool = True,
    focus: Key | None = None,
) -> PageRead:
    """Select, cut and build one page. ``sync`` first follows the registry (a cheap stamp read,
    then only the changed models); a keystroke skips it (the table's poll keeps it current)."""
    if sync or not fleet.index.ready:
        fleet.index.sync()
    match = fleet.index.match(query)
    page = page_of(match.keys, page, per_page, focus)
    shown = fleet.index.items(match.keys[(page - 1) * per_page : page * per_page])
    records = [i for i in shown if isinstance(i, ModelRecord)]
    built = {r.record.key: r for r in fleet.rows_of(records, tz=tz)} if records else {}
    now = datetime.now(UTC)
    rows = [
        table_row(built[i.key], now, tz)
        if isinstance(i, ModelRecord)
        else unreadable_row(i, now, tz)
        for i in shown
    ]
    for row in rows:  # the row's controls show only to editors of its team
        row.update(edit=can_edit(row["team"]), **budget_fields(alerts.get(row["team"])))
    return PageRead(
        rows,
        {row_key(*r.key): r for r in records},
        match.keys,
        match.total,
        page,
        match.version,
    )


def unreadable_of(fleet: Fleet, key: str) -> UnreadableRecord | None:
    item = fleet.index.get(split_key(key))
    return item if isinstance(item, UnreadableRecord) else None


def split_key(key: str) -> Key:
    """The table's "namespace/name" back to (namespace, name)."""
    namespace, _, name = key.partition("/")
    return (namespace, name)
