"""Create/edit dialog: a form and a YAML view over the same validation as the service layer,
checked as you type. The cost of the change is estimated and the record saved in worker
threads (through the fleet's one write path)."""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui import background_tasks, run, ui

from barista_ui.access.actor import Actor
from barista_ui.fleet import Fleet
from barista_ui.records.file_format import FileFormatError, dump_records_yaml, load_record_yaml
from barista_ui.records.registry import Conflict, ModelRecord, RegistryError
from barista_ui.records.secrets import secret_hint
from barista_ui.records.service import ClusterRefused, Saved
from barista_ui.records.spec import ModelSpec, RecordInvalid
from components.models.actions import OnDone, run_done
from components.models.form import (
    ENV_HINT,
    blank_record,
    get_path,
    kv_text,
    parse_kv,
    sections,
    set_path,
)
from components.theme import current_user, page_dialog
from components.widgets.cost_lines import edit_cost_text_off_loop


async def open_editor(
    fleet: Fleet,
    record: ModelRecord | None,
    on_saved: OnDone,
    *,
    initial: dict[str, Any] | None = None,
) -> ModelEditor:
    """Open the editor on ``record`` (None: a new model). The form is built one section per
    event-loop step: ~25 fields at once would hold the loop for a noticeable time."""
    editor = ModelEditor(fleet, record, on_saved, initial=initial)
    await editor.build()
    return editor


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    d = dict(data)
    if d.get("schedule") is None:
        d.pop("schedule", None)
    return d


class ModelEditor:
    """One open editor. ``record`` None means "new model"."""

    def __init__(
        self,
        fleet: Fleet,
        record: ModelRecord | None,
        on_saved: OnDone,
        *,
        initial: dict[str, Any] | None = None,
    ):
        self.fleet = fleet
        self.record = record
        self.on_saved = on_saved
        base = initial or (record.to_file_dict() if record else blank_record())
        base.setdefault("schedule", None)
        self.data: dict[str, Any] = base
        self.inputs: dict[str, Any] = {}
        self.error_labels: dict[str, ui.label] = {}
        self.yaml_mode = False
        self._cost_generation = 0
        self.dialog = page_dialog().props("persistent maximized-on-mobile").mark("model-editor")

    # ------------------------------------------------------------------ layout

    def _field(
        self, path: str, label: str, *, kind: str = "text", readonly: bool = False, **props: Any
    ) -> None:
        value = get_path(self.data, path)
        with ui.column().classes("gap-0 w-full"):
            el: Any
            if kind == "number":
                el = ui.number(label, value=value, format="%d", **props)
            elif kind == "select":
                el = ui.select(
                    label=label, value=value if value in props["options"] else None, **props
                )
            elif kind == "switch":
                el = ui.switch(label, value=bool(value))
            else:
                el = ui.input(label, value="" if value is None else str(value), **props)
            el.classes("w-full").props("dense outlined" if kind != "switch" else "dense")
            if readonly:
                el.props("readonly")
            el.mark(f"field-{path}")
            el.on_value_change(lambda e, p=path, k=kind: self._changed(p, e.value, k))
            self.inputs[path] = el
            self._error_label(path)

    def _kv_field(self, path: str, label: str) -> None:
        with ui.column().classes("gap-0 w-full"):
            el = ui.textarea(label, value=kv_text(self.data.get(path), path)).props(
                "dense outlined autogrow"
            )
            el.classes("w-full mono").mark(f"field-{path}")
            el.on_value_change(lambda e, p=path: self._changed_kv(p, e.value))
            self.inputs[path] = el
            if path == "env":
                el.props(f'hint="{ENV_HINT}"')
                self.secret_hint = ui.label("").classes("text-xs text-orange-9 mt-4")
                self.secret_hint.mark("hint-env-secret")
                self._show_secret_hint()
            self._error_label(path)

    def _show_secret_hint(self) -> None:
        """Plain values under secret-looking names: suggest a Secret reference."""
        text = secret_hint(self.data.get("env"))
        self.secret_hint.set_text(text)
        self.secret_hint.set_visibility(bool(text))

    def _error_label(self, path: str) -> None:
        label = ui.label("").classes("field-error").mark(f"error-{path}")
        label.set_visibility(False)
        self.error_labels[path] = label

    async def build(self) -> None:
        self._frame()
        self.dialog.open()
        team = self.data.get("team") or ""
        for section in sections(self.record is None, [team] if team else []):
            await asyncio.sleep(0)  # let the loop serve others between sections
            if self.dialog.is_deleted:
                return
            with self.form:
                section(self._field, self._kv_field)
        self._validate(show_missing=False)
        with self.dialog:
            ui.timer(0, self._load_teams, once=True)

    def _frame(self) -> None:
        """The dialog with its title, mode switch, error box, form area, cost line and buttons."""
        creating = self.record is None
        with self.dialog, ui.card().classes("w-full max-w-3xl barista-card p-0"):
            with ui.row().classes("w-full items-center justify-between px-5 pt-4"):
                rec = self.record
                title = "New model" if rec is None else f"Edit {rec.namespace}/{rec.name}"
                ui.label(title).classes("text-lg font-semibold")
                self.mode = ui.toggle(["Form", "YAML"], value="Form", on_change=self._mode)
                self.mode.props("dense no-caps size=sm").mark("editor-mode")
            self.top_errors = ui.column().classes("px-5 gap-1 w-full").mark("editor-errors")
            with ui.scroll_area().classes("w-full").style("height: min(62vh, 640px)"):
                self.form = ui.column().classes("w-full px-5 gap-2")
                self.yaml_box = (
                    ui.textarea(value="").props("outlined autogrow").classes("w-full mono px-5")
                )
                self.yaml_box.mark("editor-yaml").set_visibility(False)
                self.yaml_box.on_value_change(lambda e: self._yaml_changed(e.value))
            self.cost_line = ui.label("").classes("px-5 text-sm text-grey-8").mark("editor-cost")
            with ui.row().classes("w-full justify-end px-5 pb-4 gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat").mark("editor-cancel")
                self.save_button = ui.button("Create" if creating else "Save", on_click=self.save)
                self.save_button.props("unelevated").mark("editor-save")

    async def _load_teams(self) -> None:
        teams = await run.io_bound(self.fleet.teams)
        select = self.inputs["team"]
        if teams is not None and not select.is_deleted:
            current = self.data.get("team") or ""
            select.set_options(sorted(set(teams) | {current} - {""}), value=select.value)

    # ------------------------------------------------------------------ events

    def _changed(self, path: str, value: Any, kind: str) -> None:
        if kind == "number" and value is not None:
            value = int(value)
        blank = isinstance(value, str) and value.strip() == ""
        if kind == "text" and blank and path.startswith("resources.limits"):
            value = None
        set_path(self.data, path, value)
        self._validate(show_missing=False)

    def _changed_kv(self, path: str, text: str) -> None:
        self.data[path], bad = parse_kv(text, path)
        if path == "env":
            self._show_secret_hint()
        self._validate(show_missing=False)
        if bad:
            self._show_field_error(path, f"'{bad[0]}' is not KEY=value")

    def _mode(self, e: Any) -> None:
        self.yaml_mode = e.value == "YAML"
        if self.yaml_mode:
            self.yaml_box.value = dump_records_yaml([_clean(self.data)])
        else:
            for path, el in self.inputs.items():
                if path in ("env", "labels"):
                    el.value = kv_text(self.data.get(path), path)
                else:
                    v = get_path(self.data, path)
                    el.value = v if not isinstance(el, ui.input) else ("" if v is None else str(v))
        self.form.set_visibility(not self.yaml_mode)
        self.yaml_box.set_visibility(self.yaml_mode)

    def _yaml_changed(self, text: str) -> None:
        try:  # the one safe parser: size, nesting and alias limits before anything is built
            doc = load_record_yaml(text)
        except FileFormatError as exc:
            self._show_top([str(exc)])
            return
        self.data = doc
        self._validate(show_missing=True)

    # ------------------------------------------------------------------ validation

    def _validate(self, *, show_missing: bool) -> ModelSpec | None:
        for label in self.error_labels.values():
            label.set_visibility(False)
        try:
            spec = self.fleet.validate(_clean(self.data))
        except RecordInvalid as exc:
            top = []
            for err in exc.errors:
                if not show_missing and err.message == "is required":
                    if not get_path(self.data, err.field):
                        continue
                target = err.field
                while target and target not in self.error_labels:
                    target = target.rpartition(".")[0]
                if target and not self.yaml_mode:
                    self._show_field_error(target, err.message if target == err.field else str(err))
                else:
                    top.append(str(err))
            self._show_top(top)
            self._update_cost(None)
            return None
        self._show_top([])
        self._update_cost(spec)
        return spec

    def _show_field_error(self, path: str, message: str) -> None:
        label = self.error_labels[path]
        label.text = message
        label.set_visibility(True)

    def _show_top(self, messages: list[str]) -> None:
        self.top_errors.clear()
        with self.top_errors:
            for m in messages:
                with ui.row().classes("items-start gap-1 no-wrap"):
                    ui.icon("error_outline", color="negative").classes("text-base mt-[2px]")
                    ui.label(m).classes("field-error text-sm")

    def _update_cost(self, spec: ModelSpec | None) -> None:
        """Estimate the change's monthly cost in a worker thread; only the newest estimate shows."""
        self._cost_generation += 1
        if spec is None:
            self.cost_line.text = ""
            return
        self.cost_line.text = "estimating the cost …"
        background_tasks.create(self._estimate(self._cost_generation, spec), name="edit-cost")

    async def _estimate(self, generation: int, spec: ModelSpec) -> None:
        old = self.record.spec if self.record else None
        text = await edit_cost_text_off_loop(self.fleet.cost, old, spec)
        if generation == self._cost_generation and not self.cost_line.is_deleted:
            self.cost_line.text = text

    # ------------------------------------------------------------------ save

    def _write(self, spec: ModelSpec, user: Actor) -> Saved:
        """Create or update through the one write path (in a worker thread)."""
        models, record = self.fleet.models, self.record
        if record is None:
            return models.create(spec, actor=user, source="ui")
        return models.update(
            record.namespace,
            record.name,
            spec,
            expected_version=record.version,
            actor=user,
            source="ui",
        )

    async def save(self) -> None:
        spec = self._validate(show_missing=True)
        if spec is None:
            ui.notify("Fix the highlighted fields first", type="warning")
            return
        try:
            result = await run.io_bound(self._write, spec, current_user())
        except RecordInvalid as exc:
            self._apply_invalid(exc)
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        except Conflict as exc:
            self._conflict(exc)
            return
        except ClusterRefused as exc:  # the cluster's dry run refused it: nothing saved
            ui.notify(
                f"Not saved, the cluster refused it: {exc}",
                type="negative",
                multi_line=True,
                timeout=10000,
            )
            return
        except RegistryError as exc:  # the model is gone, or the name is taken
            ui.notify(f"Not saved: {exc}", type="negative", multi_line=True, timeout=10000)
            return
        if result is None:  # the app is stopping
            return
        self._saved(result)
        self.dialog.close()
        await run_done(self.on_saved)

    def _saved(self, result: Saved) -> None:
        saved, record = result.record, self.record
        if record is None:
            verb = "created"
        else:
            verb = "saved" if saved.version != record.version else "unchanged"
        if result.pending:
            ui.notify(result.notice, type="warning", multi_line=True, timeout=10000)
        else:
            ui.notify(f"{saved.namespace}/{saved.name} {verb}", type="positive")

    def _apply_invalid(self, exc: RecordInvalid) -> None:
        for err in exc.errors:
            if err.field in self.error_labels and not self.yaml_mode:
                self._show_field_error(err.field, err.message)
            else:
                self._show_top([str(err)])

    def _conflict(self, exc: Conflict) -> None:
        mine = dump_records_yaml([_clean(self.data)])
        with ui.dialog() as d, ui.card().classes("max-w-xl"):
            d.mark("conflict-dialog")
            ui.label("Someone else saved this model first").classes("text-lg font-semibold")
            ui.label(str(exc)).classes("text-sm")
            ui.label("Your edit is kept below; nothing was overwritten.").classes("text-sm")
            ui.textarea(value=mine).props("outlined readonly autogrow").classes("w-full mono")

            async def reload_theirs() -> None:
                d.close()
                await open_editor(self.fleet, exc.current, self.on_saved)
                self.dialog.close()

            with ui.row().classes("justify-end w-full"):
                ui.button("Keep editing mine", on_click=d.close).props("flat")
                ui.button("Reload theirs", on_click=reload_theirs).mark("conflict-reload")
        d.open()
        ui.notify("Conflict: the model changed since you opened it", type="warning")
