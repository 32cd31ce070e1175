"""The models table's columns and the Vue slots that draw their cells. Cells emit the table's
events: ``open`` (the name), ``toggle`` and ``step`` (on·replicas), ``bounds`` (an autoscaled
model's min/max), ``keep`` (the schedule menu). On a phone the ``item`` slot draws each row as a
card (name, ready/sync, switch, stepper)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from components.models.budget_note import TEAM_SLOT


def _column(name: str, label: str, field: str | None = None, *, hide_below: str = "", **kw: Any):
    col: dict[str, Any] = {"name": name, "label": label, "field": field or name, "align": "left"}
    if hide_below:  # Quasar's "gt-sm" / "gt-xs": shown on screens wider than that
        col.update(classes=hide_below, headerClasses=hide_below)
    col.update(kw)
    return col


def columns(*, live: bool = True) -> list[dict[str, Any]]:
    """Every column, in order (a fresh list per table). Without a cluster (``live`` False) the
    live status and the replica controls are left out: there is nothing to show or act on."""
    cols = [
        _column("name", "Model", sortable=True),
        _column("team", "Team", sortable=True),
        _column("namespace", "Namespace", hide_below="gt-sm", sortable=True),
        _column("tag", "Image tag", hide_below="gt-xs", sortable=True),
        _column("replicas", "Replicas", sortable=True),
        _column("live", "Ready · sync · health", "ready"),
        _column("actions", "On · replicas", "key"),
        _column("sched", "Schedule", hide_below="gt-sm"),
        _column("resources", "Resources", hide_below="gt-sm"),
        _column("updated", "Updated", "updated_ts", hide_below="gt-xs", sortable=True),
    ]
    return cols if live else [c for c in cols if c["name"] not in ("live", "actions")]


NAME_SLOT = r"""
<q-td :props="props" class="cursor-pointer" @click="$parent.$emit('open', props.row)">
  <div class="font-medium text-primary">{{ props.row.name }}
    <q-badge v-if="props.row.problem" color="negative" label="error" class="q-ml-xs">
      <q-tooltip>{{ props.row.problem }}</q-tooltip></q-badge></div>
  <div v-if="props.row.problem" class="text-xs text-negative ellipsis" style="max-width: 300px">
    {{ props.row.problem }}</div>
  <div v-else class="text-xs text-grey-7 ellipsis" style="max-width: 300px">
    {{ props.row.description }}</div>
</q-td>
"""
TAG_SLOT = r"""
<q-td :props="props"><span class="mono text-xs">{{ props.row.tag }}</span></q-td>
"""
REPLICAS_SLOT = r"""
<q-td :props="props">
  <span v-if="props.row.enabled">{{ props.row.replicas_text }}</span>
  <q-badge v-else color="grey-5" text-color="black" label="off" />
</q-td>
"""
LIVE_SLOT = r"""
<q-td :props="props">
  <span :class="props.row.ready < props.row.desired ? 'text-orange-9 font-medium' : ''">
    {{ props.row.ready }}/{{ props.row.desired }}</span>
  <q-chip dense square size="sm" :color="props.row.sync_colour" text-color="white" class="q-ml-xs">
    {{ props.row.sync }}<q-tooltip v-if="props.row.sync_msg">{{ props.row.sync_msg }}</q-tooltip>
  </q-chip>
  <q-chip v-if="props.row.health" dense square size="sm" :color="props.row.health_colour"
    text-color="white">{{ props.row.health }}<q-tooltip v-if="props.row.health_msg">
    {{ props.row.health_msg }}</q-tooltip></q-chip>
  <div v-if="props.row.reasons" class="text-xs text-negative">{{ props.row.reasons }}</div>
</q-td>
"""
CONTROLS = r"""
  <q-toggle dense size="sm" :model-value="props.row.enabled"
    :disable="!props.row.live || !props.row.edit"
    @update:model-value="v => $parent.$emit('toggle', {key: props.row.key, value: v})">
    <q-tooltip>{{ !props.row.edit ? 'editor of team \'' + props.row.team + '\' needed to change it'
      : !props.row.live ? 'No cluster connected'
      : props.row.enabled ? 'Switch off (0 replicas)' : 'Switch on' }}</q-tooltip></q-toggle>
  <span v-if="!props.row.edit" class="text-xs q-ml-sm">{{ props.row.step_block
    ? props.row.replicas_text.split(',')[0] : props.row.replicas }}</span>
  <q-btn v-else-if="props.row.step_block" flat dense no-caps size="sm" icon="tune"
    :label="props.row.replicas_text.split(',')[0]" :disable="!props.row.live"
    @click="$parent.$emit('bounds', {key: props.row.key})">
    <q-tooltip>{{ props.row.step_block }}</q-tooltip></q-btn>
  <template v-else>
  <q-btn flat dense round size="sm" icon="remove"
    :disable="!props.row.live || props.row.replicas <= 0"
    @click="$parent.$emit('step', {key: props.row.key, delta: -1})" />
  <span class="text-xs">{{ props.row.replicas }}</span>
  <q-btn flat dense round size="sm" icon="add" :disable="!props.row.live"
    @click="$parent.$emit('step', {key: props.row.key, delta: 1})" />
  </template>
"""
ACTIONS_SLOT = '<q-td :props="props" class="no-wrap">' + CONTROLS + "</q-td>"
ITEM_SLOT = (
    r"""
<div class="q-pa-xs col-12">
  <q-card flat bordered class="barista-card">
    <q-card-section class="q-pa-sm">
      <div class="row items-center no-wrap q-gutter-x-sm">
        <div class="col cursor-pointer" style="min-width: 0" @click="$parent.$emit('open', props.row)">
          <div class="font-medium text-primary ellipsis">{{ props.row.name }}
            <q-badge v-if="props.row.problem" color="negative" label="error" /></div>
          <div class="text-xs text-grey-7 ellipsis">{{ props.row.namespace }} · {{ props.row.team }}
            <q-badge v-if="props.row.budget" :color="props.row.budget_colour">
              {{ props.row.budget_label }}</q-badge>
            · {{ props.row.enabled ? props.row.replicas_text : 'off' }}</div>
        </div>
        <div v-if="props.row.sync" class="no-wrap text-xs">
          <span :class="props.row.ready < props.row.desired ? 'text-orange-9 font-medium' : ''">
            {{ props.row.ready }}/{{ props.row.desired }}</span>
          <q-chip dense square size="sm" :color="props.row.sync_colour" text-color="white">
            {{ props.row.sync }}</q-chip>
          <q-chip v-if="props.row.health" dense square size="sm" :color="props.row.health_colour"
            text-color="white">{{ props.row.health }}</q-chip>
        </div>
      </div>
      <div class="row items-center justify-between no-wrap">
        <span class="text-xs text-grey-8 ellipsis">{{ props.row.sched }}</span>
        <div v-if="props.row.sync" class="no-wrap">"""
    + CONTROLS
    + r"""</div>
      </div>
    </q-card-section>
  </q-card>
</div>
"""
)
_KEEP_ITEMS = (
    ("up1", "Keep up for 1 hour"),
    ("up3", "Keep up for 3 hours"),
    ("tomorrow", "Keep up until tomorrow 09:00"),
    ("down", "Scale down now"),
    ("clear", "Back to the schedule"),
)
SCHEDULE_SLOT = (
    r"""
<q-td :props="props">
  <span class="text-xs">{{ props.row.sched }}</span>
  <q-btn v-if="!props.row.problem && props.row.edit" flat dense round size="xs" icon="more_time"
    class="q-ml-xs">
    <q-menu auto-close>
      <q-list dense style="min-width: 190px">"""
    + "".join(
        f"""
        <q-item clickable @click="$parent.$emit('keep', {{key: props.row.key, choice: '{choice}'}})">
          <q-item-section>{label}</q-item-section></q-item>"""
        for choice, label in _KEEP_ITEMS
    )
    + r"""
      </q-list>
    </q-menu>
  </q-btn>
</q-td>
"""
)
RESOURCES_SLOT = r"""
<q-td :props="props">
  <span class="text-xs">{{ props.row.resources }}</span>
  <q-badge v-if="props.row.gpu" color="deep-purple-5" class="q-ml-xs" :label="props.row.gpu" />
</q-td>
"""
UPDATED_SLOT = r"""
<q-td :props="props"><span :title="props.row.updated_exact">{{ props.row.updated }}</span></q-td>
"""

SLOTS = {
    "name": NAME_SLOT,
    "team": TEAM_SLOT,
    "tag": TAG_SLOT,
    "replicas": REPLICAS_SLOT,
    "live": LIVE_SLOT,
    "actions": ACTIONS_SLOT,
    "sched": SCHEDULE_SLOT,
    "resources": RESOURCES_SLOT,
    "updated": UPDATED_SLOT,
}


def add_slots(table: ui.table) -> None:
    for name, template in SLOTS.items():
        table.add_slot(f"body-cell-{name}", template)
    table.add_slot("item", ITEM_SLOT)
