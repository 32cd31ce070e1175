"""Live cluster state on the page: ready/desired and sync columns pushed from the watch,
one-click on/off and +/- replicas, the cluster badge, and pods/events in a model's panel."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from barista_ui.app import Services
from barista_ui.records.registry import ModelRecord, RegistryError
from barista_ui.records.service import Saved
from barista_ui.records.spec import RecordInvalid
from components.models.table import ModelsTable
from components.theme import current_user

SYNC_COLOURS = {
    "Synced": "positive",
    "OutOfSync": "warning",
    "Missing": "grey-6",
    "Unmanaged": "purple",
    "Error": "negative",
    "Unknown": "grey-5",
    "Pending": "blue-5",
    "Retrying": "deep-orange-6",
}

LIVE_SLOT = r"""
<q-td :props="props">
  <span :class="props.row.ready < props.row.desired ? 'text-orange-9 font-medium' : ''">
    {{ props.row.ready }}/{{ props.row.desired }}</span>
  <q-chip dense square size="sm" :color="props.row.sync_colour" text-color="white" class="q-ml-xs">
    {{ props.row.sync }}<q-tooltip v-if="props.row.sync_msg">{{ props.row.sync_msg }}</q-tooltip>
  </q-chip>
  <div v-if="props.row.reasons" class="text-xs text-negative">{{ props.row.reasons }}</div>
</q-td>
"""
ACTIONS_SLOT = r"""
<q-td :props="props" class="no-wrap">
  <q-toggle dense size="sm" :model-value="props.row.enabled" :disable="props.row.busy"
    @update:model-value="v => $parent.$emit('toggle', {key: props.row.key, value: v})">
    <q-tooltip>{{ props.row.enabled ? 'Switch off (0 replicas)' : 'Switch on' }}</q-tooltip></q-toggle>
  <q-btn flat dense round size="sm" icon="remove" :disable="props.row.busy || props.row.replicas <= 0"
    @click="$parent.$emit('step', {key: props.row.key, delta: -1})" />
  <span class="text-xs">{{ props.row.replicas }}</span>
  <q-btn flat dense round size="sm" icon="add" :disable="props.row.busy"
    @click="$parent.$emit('step', {key: props.row.key, delta: 1})" />
</q-td>
"""


def live_fields(services: Services, record: ModelRecord) -> dict[str, Any]:
    """The live columns of one model's row, from the one status-row builder."""
    if services.reconciler is None:
        return {
            "ready": 0,
            "desired": record.spec.replicas if record.spec.enabled else 0,
            "sync": "Unknown",
            "sync_colour": SYNC_COLOURS["Unknown"],
            "sync_msg": "",
            "reasons": "",
        }
    row = services.fleet_status().row(record)
    return {
        "ready": row.ready,
        "desired": row.desired,
        "sync": row.status,
        "sync_colour": SYNC_COLOURS.get(row.status, "grey-5"),
        "sync_msg": row.message,
        "reasons": ", ".join(row.reasons),
    }


async def change_replicas(
    services: Services,
    key: str,
    action: Callable[[], Saved],
    describe: str,
    on_done: Callable[[], None | Awaitable[None]],
) -> None:
    """Run a toggle/step in a worker thread; report the result, or the error with a retry."""

    def act() -> tuple[Saved, int]:
        saved = action()
        return saved, services.desired_for(saved.record.spec)

    try:
        saved, runs = await run.io_bound(act)
    except (RegistryError, RecordInvalid) as exc:  # refused, conflict, gone: nothing saved
        with ui.dialog() as d, ui.card().classes("max-w-lg"):
            d.mark("cluster-error-dialog")
            ui.label(f"Could not {describe}").classes("text-lg font-semibold")
            ui.label(str(exc)).classes("text-sm")
            ui.label("The record was not changed.").classes("text-sm text-grey-7")

            async def retry() -> None:
                d.close()
                await change_replicas(services, key, action, describe, on_done)

            with ui.row().classes("justify-end w-full"):
                ui.button("Close", on_click=d.close).props("flat")
                ui.button("Retry", on_click=retry).props("unelevated").mark("cluster-retry")
        d.open()
        return
    if saved.pending:
        ui.notify(f"{key}: {describe} — {saved.notice}", type="warning", multi_line=True)
    else:
        ui.notify(f"{key}: {describe} — cluster now asked for {runs} replica(s)", type="positive")
    done = on_done()
    if inspect.isawaitable(done):
        await done


def extend_models_table(services: Services, models: ModelsTable) -> None:
    """Add live columns and replica controls to the models table; subscribe to pushes."""
    cols = models.table.columns
    at = next(i for i, c in enumerate(cols) if c["name"] == "replicas")
    cols.insert(
        at + 1, {"name": "live", "label": "Ready · sync", "field": "ready", "align": "left"}
    )
    cols.insert(
        at + 2, {"name": "actions", "label": "On · replicas", "field": "key", "align": "left"}
    )
    models.table.add_slot("body-cell-live", LIVE_SLOT)
    models.table.add_slot("body-cell-actions", ACTIONS_SLOT)
    models.row_extenders.append(lambda rec, row: row.update(live_fields(services, rec)))
    models.refresh()

    def act(key: str, make: Callable[[ModelRecord], Callable[[], Saved]], describe: str):
        rec = models.records.get(key)
        if rec is None or services.reconciler is None:
            if services.reconciler is None:
                ui.notify("No cluster is connected; edit the record instead", type="warning")
            return None
        return change_replicas(services, key, make(rec), describe, models.refresh)

    async def on_toggle(e: Any) -> None:
        key, value = e.args["key"], bool(e.args["value"])
        job = act(
            key,
            lambda r: (
                lambda: services.models.set_enabled(
                    r.namespace, r.name, value, actor=current_user(), source="ui"
                )
            ),
            "switch on" if value else "switch off",
        )
        if job is not None:
            await job

    async def on_step(e: Any) -> None:
        key, delta = e.args["key"], int(e.args["delta"])
        rec = models.records.get(key)
        if rec is None:
            return
        target = max(0, rec.spec.replicas + delta)
        job = act(
            key,
            lambda r: (
                lambda: services.models.set_replicas(
                    r.namespace, r.name, target, actor=current_user(), source="ui"
                )
            ),
            f"set replicas to {target}",
        )
        if job is not None:
            await job

    models.table.on("toggle", on_toggle)
    models.table.on("step", on_step)

    table = models.table

    def pushed(keys: set[tuple[str, str]]) -> None:
        """Patch only the changed rows in the browser (2,000 rows are never re-sent)."""
        if table.is_deleted:
            return
        patch: dict[str, dict[str, Any]] = {}
        for ns, name in keys:
            k = f"{ns}/{name}"
            rec = models.records.get(k)
            if rec is None:
                continue
            fields = live_fields(services, rec)
            patch[k] = fields
        if not patch:
            return
        for row in table.rows:
            if row["key"] in patch:
                row.update(patch[row["key"]])
        table.client.run_javascript(
            f"(() => {{ const el = mounted_app.elements[{table.id}]; if (!el) return;"
            f" const patch = {json.dumps(patch)};"
            " for (const r of el.props.rows) { const p = patch[r.key]; if (p) Object.assign(r, p); } })()"
        )

    unsubscribe = services.hub.subscribe(pushed)
    ui.context.client.on_disconnect(unsubscribe)


def cluster_badge(services: Services) -> None:
    if services.cluster_kind == "simulator":
        chip = ui.chip("Simulated cluster", icon="science").props(
            "dense color=amber-3 text-color=brown-10"
        )
        chip.tooltip(
            "A built-in cluster simulator: nothing runs on real machines. "
            "Set BARISTA_KUBECONFIG to use a real cluster."
        )
        chip.classes("gt-xs").mark("cluster-badge")
    elif services.cluster_kind == "cluster":
        ui.chip("Cluster connected", icon="cloud_done").props("dense color=green-2").mark(
            "cluster-badge"
        )
    elif services.cluster_error:
        chip = (
            ui.chip("Cluster unreachable", icon="cloud_off")
            .props("dense color=red-3")
            .mark("cluster-badge")
        )
        chip.tooltip(services.cluster_error)
    else:
        ui.chip("No cluster", icon="cloud_off").props("dense color=grey-4").mark("cluster-badge")


def console_link(services: Services, record: ModelRecord) -> str:
    s = services.settings
    return s.console_url_template.format(
        namespace=record.namespace,
        name=record.name,
        team=record.spec.team,
        region=s.region,
        cluster=s.cluster_name,
    )


def panel_live(services: Services, record: ModelRecord) -> None:
    """Pods, recent events, sync and a re-apply button in the model's panel (refreshed each second)."""
    if services.reconciler is None:
        ui.label("No cluster connected: live pods and events are not available.").classes(
            "text-sm text-grey-7"
        )
        return
    controls = ui.row().classes("items-center gap-1").mark("panel-controls")
    box = ui.column().classes("w-full gap-1").mark("panel-live")

    def current() -> ModelRecord:
        return services.registry.get(record.name, record.namespace)

    async def toggle(e: Any) -> None:
        rec = await run.io_bound(current)
        if bool(e.value) == rec.spec.enabled:
            return
        await change_replicas(
            services,
            f"{rec.namespace}/{rec.name}",
            lambda: services.models.set_enabled(
                rec.namespace, rec.name, bool(e.value), actor=current_user(), source="ui"
            ),
            "switch on" if e.value else "switch off",
            render_controls,
        )

    async def step(delta: int) -> None:
        rec = await run.io_bound(current)
        target = max(0, rec.spec.replicas + delta)
        await change_replicas(
            services,
            f"{rec.namespace}/{rec.name}",
            lambda: services.models.set_replicas(
                rec.namespace, rec.name, target, actor=current_user(), source="ui"
            ),
            f"set replicas to {target}",
            render_controls,
        )

    async def render_controls() -> None:
        rec = await run.io_bound(current)
        controls.clear()
        with controls:
            ui.switch("On", value=rec.spec.enabled, on_change=toggle).props("dense").mark(
                "panel-switch"
            )
            ui.button(icon="remove", on_click=lambda: step(-1)).props(
                "flat dense round size=sm"
            ).mark("panel-minus")
            ui.label(f"{rec.spec.replicas} replica(s)").classes("text-sm").mark("panel-replicas")
            ui.button(icon="add", on_click=lambda: step(1)).props("flat dense round size=sm").mark(
                "panel-plus"
            )

    ui.timer(0, render_controls, once=True)

    def render() -> None:
        box.clear()
        fields = live_fields(services, record)
        live = services.live.snapshot(record.key) if services.live else None
        with box:
            with ui.row().classes("items-center gap-2"):
                ui.label(f"{fields['ready']}/{fields['desired']} ready").classes(
                    "font-medium"
                ).mark("panel-ready")
                ui.chip(fields["sync"]).props(
                    f"dense square color={fields['sync_colour']} text-color=white"
                )
                ui.link(
                    "Open in cluster console", console_link(services, record), new_tab=True
                ).classes("text-sm")
            if fields["sync_msg"]:
                ui.label(fields["sync_msg"]).classes("text-xs text-grey-8")
            pods = live.pods if live else []
            if pods:
                rows = [
                    {
                        "name": p.name,
                        "phase": p.phase,
                        "ready": "yes" if p.ready else "no",
                        "restarts": p.restarts,
                        "age": _age(p.age_s()),
                        "node": p.node or "—",
                        "reason": p.reason or "",
                    }
                    for p in pods
                ]
                cols = [
                    {"name": k, "label": k.capitalize(), "field": k, "align": "left"}
                    for k in ("name", "phase", "ready", "restarts", "age", "node", "reason")
                ]
                ui.table(columns=cols, rows=rows, row_key="name").props(
                    "dense flat wrap-cells"
                ).classes("w-full text-xs").mark("panel-pods")
                hint = explain_reason(pods)
                if hint:
                    ui.label(hint).classes("text-xs text-negative")
            else:
                ui.label("No pods").classes("text-sm text-grey-7")
            events = list(live.events)[-6:] if live else []
            if events:
                ui.label("Recent events").classes("text-sm font-semibold mt-1")
                for ev in reversed(events):
                    colour = "text-negative" if ev.type == "Warning" else "text-grey-8"
                    ui.label(f"{ev.reason}: {ev.message}").classes(f"text-xs {colour}")

    render()
    ui.timer(1.0, render)

    async def reapply() -> None:
        reconciler = services.reconciler
        assert reconciler is not None
        report = await run.io_bound(reconciler.reconcile_now, record.key)
        ui.notify(
            f"{record.key[1]}: {report.message}",
            type="positive" if report.ok else "negative",
            multi_line=True,
        )

    ui.button("Re-apply to cluster", icon="sync", on_click=reapply).props("flat dense").mark(
        "panel-reapply"
    )


def explain_reason(pods: list[Any]) -> str:
    """Plain-language hint that points at the field to fix."""
    reasons = {p.reason for p in pods if p.reason}
    if reasons & {"ImagePullBackOff", "ErrImagePull"}:
        return "The image cannot be pulled: check the image name and tag."
    if "OOMKilled" in reasons:
        return "A container ran out of memory: raise the memory limit."
    if "CrashLoopBackOff" in reasons:
        return "The container keeps crashing: check the model's logs and environment."
    if "Unschedulable" in reasons:
        msg = next((p.message for p in pods if p.reason == "Unschedulable"), "") or ""
        if "nvidia.com/gpu" in msg:
            return "No node has a free GPU of this type: lower the GPU count or pick another type."
        return "No node has room for a replica: lower the CPU/memory requests or the replicas."
    return ""


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{int(seconds)}s"
    if seconds < 7200:
        return f"{int(seconds // 60)}m"
    return f"{int(seconds // 3600)}h"
