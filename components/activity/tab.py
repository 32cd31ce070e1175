"""The Activity tab: the last changes across the fleet (who, what, when, from where: ui, cli,
api, scheduler), newest first, filterable by team; a record change opens its revision's diff,
a model's name opens its panel on the Models tab. Read in a worker thread every 10 s."""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from barista_ui.activity import ActivityEntry, ActivityFeed
from barista_ui.records.secrets import mask_changes
from components.theme import ago, exact, page_dialog
from components.viewer_zone import viewer_zone
from components.widgets.diff import diff_view

REFRESH_S = 10.0
SOURCE_COLOURS = {"ui": "primary", "cli": "teal", "api": "indigo", "scheduler": "deep-orange"}
COLUMNS = [
    {"name": "when", "label": "When", "field": "ts", "align": "left", "sortable": True},
    {"name": "who", "label": "Who", "field": "who", "align": "left"},
    {"name": "model", "label": "Model", "field": "key", "align": "left"},
    {"name": "what", "label": "What", "field": "what", "align": "left"},
]
ITEM_SLOT = r"""
<div class="q-pa-xs col-12"><q-card flat bordered class="barista-card"><q-card-section class="q-pa-sm">
  <div class="row items-center justify-between no-wrap">
    <a class="text-primary font-medium ellipsis" :href="'/?tab=models&model=' + props.row.key">
      {{ props.row.name }}</a>
    <span class="text-xs text-grey-7 no-wrap" :title="props.row.exact">{{ props.row.when }}</span>
  </div>
  <div class="text-xs text-grey-7">{{ props.row.namespace }} · {{ props.row.team }} ·
    {{ props.row.who }} <q-chip dense square size="sm" :color="props.row.colour"
    text-color="white">{{ props.row.source }}</q-chip></div>
  <div class="text-sm"><span class="font-medium q-mr-xs">{{ props.row.action }}</span>
    <span class="text-grey-8">{{ props.row.summary }}</span>
    <q-btn v-if="props.row.revision" flat dense no-caps size="sm" color="primary"
      :label="'diff of revision ' + props.row.revision"
      @click="$parent.$emit('diff', props.row)" /></div>
</q-card-section></q-card></div>
"""
WHEN_SLOT = r"""
<q-td :props="props"><span :title="props.row.exact">{{ props.row.when }}</span></q-td>
"""
WHO_SLOT = r"""
<q-td :props="props">{{ props.row.who }}
  <q-chip dense square size="sm" :color="props.row.colour" text-color="white">
    {{ props.row.source }}</q-chip></q-td>
"""
MODEL_SLOT = r"""
<q-td :props="props"><a class="text-primary" :href="'/?tab=models&model=' + props.row.key">
  {{ props.row.name }}</a>
  <div class="text-xs text-grey-7">{{ props.row.namespace }} · {{ props.row.team }}</div></q-td>
"""
WHAT_SLOT = r"""
<q-td :props="props" style="white-space: normal; max-width: 520px">
  <span class="font-medium q-mr-xs">{{ props.row.action }}</span>
  <span class="text-grey-8">{{ props.row.summary }}</span>
  <q-btn v-if="props.row.revision" flat dense no-caps size="sm" color="primary"
    :label="'diff of revision ' + props.row.revision" @click="$parent.$emit('diff', props.row)" />
</q-td>
"""


def entry_row(e: ActivityEntry, tz: str, index: int) -> dict[str, Any]:
    return {
        "id": index,
        "ts": e.at.timestamp(),
        "when": ago(e.at),
        "exact": exact(e.at, tz),
        "who": e.actor,
        "source": e.source,
        "colour": SOURCE_COLOURS.get(e.source, "grey-6"),
        "key": f"{e.namespace}/{e.name}",
        "name": e.name,
        "namespace": e.namespace,
        "team": e.team or "—",
        "action": e.action,
        "summary": e.summary,
        "revision": e.revision,
    }


def build_activity_tab(feed: ActivityFeed) -> None:
    tz = viewer_zone()
    with ui.row().classes("w-full items-end gap-3"):
        team = (
            ui.select([], label="Team", clearable=True)
            .props("dense outlined")
            .classes("w-40")
            .mark("activity-team")
        )
        ui.space()
        count = ui.label("loading …").classes("text-sm text-grey-7").mark("activity-count")
    table = (
        ui.table(columns=COLUMNS, rows=[], row_key="id", pagination={"rowsPerPage": 25})
        .props('flat bordered dense :grid="Quasar.Screen.xs"')  # cards on a phone
        .classes("w-full barista-card")
        .mark("activity-table")
    )
    table.add_slot("item", ITEM_SLOT)
    for name, slot in (
        ("when", WHEN_SLOT),
        ("who", WHO_SLOT),
        ("model", MODEL_SLOT),
        ("what", WHAT_SLOT),
    ):
        table.add_slot(f"body-cell-{name}", slot)
    table.on("diff", lambda e: show_diff(feed, e.args, tz))

    async def load() -> None:
        entries = await run.io_bound(feed.entries, None, 500)
        if entries is None or table.is_deleted:
            return
        teams = sorted({e.team for e in entries if e.team})
        if list(team.options) != teams:
            team.set_options(teams, value=team.value if team.value in teams else None)
        shown = [e for e in entries if not team.value or e.team == team.value]
        table.rows = [entry_row(e, tz, i) for i, e in enumerate(shown)]
        table.update()
        count.text = f"last {len(shown)} changes" + (f" of team {team.value}" if team.value else "")

    team.on_value_change(load)
    ui.timer(REFRESH_S, load)


async def show_diff(feed: ActivityFeed, row: dict[str, Any], tz: str) -> None:
    number = int(row["revision"])
    try:
        view = await run.io_bound(feed.revision_diff, row["namespace"], row["name"], number)
    except LookupError as exc:
        ui.notify(str(exc), type="warning")
        return
    if view is None:
        return
    with page_dialog() as dialog, ui.card().classes("w-[760px] max-w-full barista-card"):
        dialog.mark("activity-diff")
        ui.label(f"{row['key']} · revision {number}").classes("text-lg font-semibold")
        ui.label(
            f"{view.action} by {view.actor} ({view.source}) · {exact(view.created_at, tz)}"
            + (f" · {view.reason}" if view.reason else "")
        ).classes("text-sm text-grey-8")
        box = ui.column().classes("w-full gap-0")
        before: int | str = "Before (none)" if view.action == "create" else number - 1
        diff_view(box, before, number, mask_changes(view.changes))
        ui.link("Open the model's history", f"/?tab=models&model={row['key']}").classes("text-sm")
    dialog.open()
