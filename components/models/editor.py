"""Create/edit dialog: a form and a YAML view over the same validation as the service layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from nicegui import run, ui

from barista_ui.app import Services
from barista_ui.records.registry import Conflict, ModelRecord, RegistryError
from barista_ui.records.spec import GPU_TYPES, RecordInvalid, dump_records_yaml, validate_record
from components.theme import current_user

NEW_RECORD: dict[str, Any] = {
    "name": "",
    "namespace": "ml-staging",
    "team": "",
    "owner": "",
    "description": "",
    "image": "",
    "model_uri": "",
    "model_version": "",
    "port": 8080,
    "replicas": 1,
    "resources": {
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"cpu": None, "memory": None},
        "gpu": {"count": 0, "type": None},
    },
    "autoscaling": {"enabled": False, "min": 1, "max": 4, "target_cpu_percent": 70},
    "env": {},
    "labels": {},
    "enabled": True,
}


def _get(d: dict, path: str) -> Any:
    for part in path.split("."):
        d = d.get(part) if isinstance(d, dict) else None  # type: ignore[assignment]
    return d


def _set(d: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        d = d.setdefault(part, {})
    d[parts[-1]] = value


class ModelEditor:
    """One open editor. ``record`` None means "new model"."""

    def __init__(
        self,
        services: Services,
        record: ModelRecord | None,
        on_saved: Callable[[ModelRecord], None],
        *,
        initial: dict[str, Any] | None = None,
    ):
        self.services = services
        self.record = record
        self.on_saved = on_saved
        import copy

        base = record.to_file_dict() if record else copy.deepcopy(NEW_RECORD)
        if initial:
            base = initial
        base.setdefault("schedule", None)
        self.data: dict[str, Any] = base
        self.inputs: dict[str, Any] = {}
        self.error_labels: dict[str, ui.label] = {}
        self.yaml_mode = False
        self.dialog = ui.dialog().props("persistent maximized-on-mobile")
        self.dialog.mark("model-editor")
        self._build()
        self.dialog.open()

    # ------------------------------------------------------------------ layout

    def _field(
        self, path: str, label: str, *, kind: str = "text", readonly: bool = False, **props: Any
    ) -> None:
        value = _get(self.data, path)
        with ui.column().classes("gap-0 w-full"):
            if kind == "number":
                el = ui.number(label, value=value, format="%d", **props)
            elif kind == "select":
                if value not in props.get("options", []):
                    value = None
                el = ui.select(label=label, value=value, **props)
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
            self.error_labels[path] = ui.label("").classes("field-error").mark(f"error-{path}")
            self.error_labels[path].set_visibility(False)

    def _build(self) -> None:
        creating = self.record is None
        registry = self.services.registry
        with self.dialog, ui.card().classes("w-full max-w-3xl barista-card p-0"):
            with ui.row().classes("w-full items-center justify-between px-5 pt-4"):
                title = (
                    "New model" if creating else f"Edit {self.record.namespace}/{self.record.name}"
                )
                ui.label(title).classes("text-lg font-semibold")
                self.mode = ui.toggle(["Form", "YAML"], value="Form", on_change=self._mode)
                self.mode.props("dense no-caps size=sm").mark("editor-mode")
            self.top_errors = ui.column().classes("px-5 gap-1 w-full").mark("editor-errors")
            with ui.scroll_area().classes("w-full").style("height: min(62vh, 640px)"):
                self.form = ui.column().classes("w-full px-5 gap-2")
                with self.form:
                    with ui.grid(columns="repeat(auto-fit, minmax(220px, 1fr))").classes(
                        "w-full gap-x-4 gap-y-1"
                    ):
                        self._field("name", "Name", readonly=not creating)
                        self._field("namespace", "Namespace", readonly=not creating)
                        teams = sorted(set(registry.teams()) | {self.data.get("team") or ""} - {""})
                        self._field(
                            "team",
                            "Team",
                            kind="select",
                            options=teams,
                            new_value_mode="add-unique",
                            with_input=True,
                        )
                        self._field("owner", "Owner (e-mail)")
                    self._field("description", "Description")
                    with ui.grid(columns="repeat(auto-fit, minmax(220px, 1fr))").classes(
                        "w-full gap-x-4 gap-y-1"
                    ):
                        self._field("image", "Image (registry/path:tag)")
                        self._field("model_uri", "Model URI")
                        self._field("model_version", "Model version")
                        self._field("port", "Serving port", kind="number", min=1, max=65535)
                    ui.label("Resources per replica").classes("text-sm font-semibold mt-2")
                    with ui.grid(columns="repeat(auto-fit, minmax(150px, 1fr))").classes(
                        "w-full gap-x-4 gap-y-1"
                    ):
                        self._field("resources.requests.cpu", "CPU request")
                        self._field("resources.limits.cpu", "CPU limit")
                        self._field("resources.requests.memory", "Memory request")
                        self._field("resources.limits.memory", "Memory limit")
                        self._field("resources.gpu.count", "GPUs", kind="number", min=0, max=16)
                        self._field(
                            "resources.gpu.type",
                            "GPU type",
                            kind="select",
                            options=[None, *GPU_TYPES],
                            clearable=True,
                        )
                    ui.label("Replicas and autoscaling").classes("text-sm font-semibold mt-2")
                    with ui.grid(columns="repeat(auto-fit, minmax(150px, 1fr))").classes(
                        "w-full gap-x-4 gap-y-1 items-center"
                    ):
                        self._field("replicas", "Replicas", kind="number", min=0)
                        self._field("enabled", "Enabled", kind="switch")
                        self._field("autoscaling.enabled", "Autoscaling", kind="switch")
                        self._field("autoscaling.min", "Min", kind="number", min=1)
                        self._field("autoscaling.max", "Max", kind="number", min=1)
                        self._field(
                            "autoscaling.target_cpu_percent",
                            "Target CPU %",
                            kind="number",
                            min=1,
                            max=100,
                        )
                    ui.label("Environment and labels (one KEY=value per line)").classes(
                        "text-sm font-semibold mt-2"
                    )
                    with ui.grid(columns="repeat(auto-fit, minmax(250px, 1fr))").classes(
                        "w-full gap-x-4"
                    ):
                        for path, label in (("env", "Environment"), ("labels", "Labels")):
                            text = "\n".join(
                                f"{k}={v}" for k, v in (self.data.get(path) or {}).items()
                            )
                            with ui.column().classes("gap-0 w-full"):
                                el = ui.textarea(label, value=text).props("dense outlined autogrow")
                                el.classes("w-full mono").mark(f"field-{path}")
                                el.on_value_change(lambda e, p=path: self._changed_kv(p, e.value))
                                self.inputs[path] = el
                                self.error_labels[path] = ui.label("").classes("field-error")
                                self.error_labels[path].set_visibility(False)
                self.yaml_box = (
                    ui.textarea(value="").props("outlined autogrow").classes("w-full mono px-5")
                )
                self.yaml_box.mark("editor-yaml")
                self.yaml_box.set_visibility(False)
                self.yaml_box.on_value_change(lambda e: self._yaml_changed(e.value))
            self.cost_line = ui.label("").classes("px-5 text-sm text-grey-8").mark("editor-cost")
            with ui.row().classes("w-full justify-end px-5 pb-4 gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat").mark("editor-cancel")
                self.save_button = ui.button("Create" if creating else "Save", on_click=self.save)
                self.save_button.props("unelevated").mark("editor-save")
        self._validate(show_missing=False)

    # ------------------------------------------------------------------ events

    def _changed(self, path: str, value: Any, kind: str) -> None:
        if kind == "number" and value is not None:
            value = int(value)
        if (
            kind == "text"
            and isinstance(value, str)
            and value.strip() == ""
            and path.startswith("resources.limits")
        ):
            value = None
        _set(self.data, path, value)
        self._validate(show_missing=False)

    def _changed_kv(self, path: str, text: str) -> None:
        out: dict[str, str] = {}
        bad = []
        for line in (text or "").splitlines():
            if not line.strip():
                continue
            if "=" not in line:
                bad.append(line.strip())
                continue
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
        self.data[path] = out
        self._validate(show_missing=False)
        if bad:
            self._show_field_error(path, f"'{bad[0]}' is not KEY=value")

    def _mode(self, e: Any) -> None:
        self.yaml_mode = e.value == "YAML"
        if self.yaml_mode:
            self.yaml_box.value = dump_records_yaml([self._clean(self.data)])
        else:
            for path, el in self.inputs.items():
                if path in ("env", "labels"):
                    el.value = "\n".join(f"{k}={v}" for k, v in (self.data.get(path) or {}).items())
                else:
                    v = _get(self.data, path)
                    el.value = v if not isinstance(el, ui.input) else ("" if v is None else str(v))
        self.form.set_visibility(not self.yaml_mode)
        self.yaml_box.set_visibility(self.yaml_mode)

    def _yaml_changed(self, text: str) -> None:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            self._show_top([f"not valid YAML{where}: {getattr(exc, 'problem', exc)}"])
            return
        if not isinstance(doc, dict):
            self._show_top(["the YAML must be one record (a mapping of keys)"])
            return
        self.data = doc
        self._validate(show_missing=True)

    # ------------------------------------------------------------------ validation

    @staticmethod
    def _clean(data: dict[str, Any]) -> dict[str, Any]:
        d = dict(data)
        if d.get("schedule") is None:
            d.pop("schedule", None)
        return d

    def _validate(self, *, show_missing: bool) -> Any:
        for label in self.error_labels.values():
            label.set_visibility(False)
        try:
            spec = validate_record(
                self._clean(self.data), max_replicas=self.services.registry.max_replicas
            )
        except RecordInvalid as exc:
            top = []
            for err in exc.errors:
                if (
                    not show_missing
                    and err.message == "is required"
                    and not _get(self.data, err.field)
                ):
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

    def _update_cost(self, spec: Any) -> None:
        estimator = self.services.extras.get("estimate_edit_text")
        if estimator is None or spec is None:
            self.cost_line.text = ""
            return
        try:
            self.cost_line.text = estimator(self.record.spec if self.record else None, spec)
        except Exception as exc:  # estimate is advisory; never block an edit on it
            self.cost_line.text = f"cost estimate unavailable: {exc}"

    # ------------------------------------------------------------------ save

    async def save(self) -> None:
        spec = self._validate(show_missing=True)
        if spec is None:
            ui.notify("Fix the highlighted fields first", type="warning")
            return
        models, record, user = self.services.models, self.record, current_user()
        try:
            if record is None:
                result = await run.io_bound(models.create, spec, actor=user, source="ui")
                verb = "created"
            else:
                result = await run.io_bound(
                    lambda: models.update(
                        record.namespace,
                        record.name,
                        spec,
                        expected_version=record.version,
                        actor=user,
                        source="ui",
                    )
                )
                verb = "saved" if result.record.version != record.version else "unchanged"
        except RecordInvalid as exc:
            self._apply_invalid(exc)
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        except Conflict as exc:
            self._conflict(exc)
            return
        except RegistryError as exc:  # the cluster refused it, or the model is gone
            ui.notify(f"Not saved: {exc}", type="negative", multi_line=True, timeout=10000)
            return
        saved = result.record
        if result.pending:
            ui.notify(result.notice, type="warning", multi_line=True, timeout=10000)
        else:
            ui.notify(f"{saved.namespace}/{saved.name} {verb}", type="positive")
        self.dialog.close()
        self.on_saved(saved)

    def _apply_invalid(self, exc: RecordInvalid) -> None:
        for err in exc.errors:
            if err.field in self.error_labels and not self.yaml_mode:
                self._show_field_error(err.field, err.message)
            else:
                self._show_top([str(err)])

    def _conflict(self, exc: Conflict) -> None:
        mine = dump_records_yaml([self._clean(self.data)])
        with ui.dialog() as d, ui.card().classes("max-w-xl"):
            d.mark("conflict-dialog")
            ui.label("Someone else saved this model first").classes("text-lg font-semibold")
            ui.label(str(exc)).classes("text-sm")
            ui.label("Your edit is kept below; nothing was overwritten.").classes("text-sm")
            ui.textarea(value=mine).props("outlined readonly autogrow").classes("w-full mono")

            def reload_theirs() -> None:
                d.close()
                self.dialog.close()
                ModelEditor(self.services, exc.current, self.on_saved)

            with ui.row().classes("justify-end w-full"):
                ui.button("Keep editing mine", on_click=d.close).props("flat")
                ui.button("Reload theirs", on_click=reload_theirs).mark("conflict-reload")
        d.open()
        ui.notify("Conflict: the model changed since you opened it", type="warning")
