"""State → Deleted on the Models tab: the deleted models (who deleted them, when), each with
its history and a Restore (a rollback to its last revision with settings recreates it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nicegui import run, ui

from barista_ui.activity import DeletedModel
from barista_ui.fleet import Fleet
from components.models.actions import OnDone
from components.models.history import confirm_rollback, open_history
from components.theme import ago, exact
from components.viewer_zone import viewer_zone

COLUMNS = [
    {"name": "name", "label": "Model", "field": "name", "align": "left", "sortable": True},
    {"name": "namespace", "label": "Namespace", "field": "namespace", "align": "left"},
    {"name": "team", "label": "Team", "field": "team", "align": "left", "sortable": True},
    {"name": "deleted", "label": "Deleted", "field": "deleted_ts", "align": "left"},
    {"name": "actions", "label": "", "field": "key", "align": "right"},
]
SLOT = r"""
<q-td :props="props" class="no-wrap">
  <q-btn flat dense no-caps size="sm" icon="history" label="History"
    @click="$parent.$emit('history', props.row)" />
  <q-btn flat dense no-caps size="sm" color="primary" icon="restore_from_trash" label="Restore"
    @click="$parent.$emit('restore', props.row)" />
</q-td>
"""
DELETED_SLOT = r"""
<q-td :props="props"><span :title="props.row.deleted_exact">{{ props.row.deleted }}</span>
  <span class="text-grey-7"> by {{ props.row.by }}</span></q-td>
"""


@dataclass(frozen=True)
class _Ref:
    """What the history dialog needs of a model that no longer has a record."""

    namespace: str
    name: str


def _row(d: DeletedModel, tz: str) -> dict[str, Any]:
    return {
        "key": f"{d.namespace}/{d.name}",
        "name": d.name,
        "namespace": d.namespace,
        "team": d.team,
        "deleted": ago(d.deleted_at),
        "deleted_exact": exact(d.deleted_at, tz),
        "deleted_ts": d.deleted_at.timestamp(),
        "by": f"{d.deleted_by} ({d.source})",
        "restore_to": d.restore_to,
    }


class DeletedView:
    def __init__(self, fleet: Fleet, on_restored: OnDone):
        self.fleet = fleet
        self.on_restored = on_restored
        self.box = ui.column().classes("w-full gap-1").mark("deleted-view")
        with self.box:
            ui.label(
                "Deleted models keep their history; Restore recreates one from its last settings."
            ).classes("text-sm text-grey-7")
            self.table = (
                ui.table(columns=COLUMNS, rows=[], row_key="key")
                .props('flat bordered dense no-data-label="No deleted models"')
                .classes("w-full barista-card")
                .mark("deleted-table")
            )
        self.table.add_slot("body-cell-actions", SLOT)
        self.table.add_slot("body-cell-deleted", DELETED_SLOT)
        self.table.on("history", lambda e: self.history(e.args))
        self.table.on("restore", lambda e: self.restore(e.args))
        self.box.set_visibility(False)

    def show(self, on: bool) -> None:
        self.box.set_visibility(on)

    async def refresh(self, team: str | None, namespace: str | None) -> int | None:
        """Read the deleted models (of this team and namespace); returns how many show."""
        deleted = await run.io_bound(self.fleet.activity.deleted)
        if deleted is None or self.table.is_deleted:
            return None
        tz = viewer_zone()
        self.table.rows = [
            _row(d, tz)
            for d in deleted
            if (not team or d.team == team) and (not namespace or d.namespace == namespace)
        ]
        self.table.update()
        return len(self.table.rows)

    async def history(self, row: dict[str, Any]) -> None:
        await open_history(self.fleet, _Ref(row["namespace"], row["name"]), self.on_restored)

    def restore(self, row: dict[str, Any]) -> None:
        ref = _Ref(row["namespace"], row["name"])
        with ui.dialog() as holder:  # confirm_rollback closes the dialog it was opened from
            pass
        confirm_rollback(self.fleet, ref, int(row["restore_to"]), holder, self.on_restored)
