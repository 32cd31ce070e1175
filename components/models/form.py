"""The editor's form: its sections and fields (paths into the record's file format), the blank
record a new model starts from, and the KEY=value text of env and labels. Pure layout: the
editor (``editor.py``) supplies the field builders and owns the data."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from nicegui import ui

from barista_ui.records.secrets import env_text, parse_env_value
from barista_ui.records.spec import GPU_TYPES

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

Field = Callable[..., None]  # field(path, label, kind=..., readonly=..., **element props)
KeyValueField = Callable[[str, str], None]  # kv_field(path, label)
GRID = "repeat(auto-fit, minmax({}px, 1fr))"


def blank_record() -> dict[str, Any]:
    return copy.deepcopy(NEW_RECORD)


def get_path(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


ENV_HINT = "A Secret's key instead of a value: KEY=secret:SECRET_NAME/KEY"


def kv_text(mapping: dict[str, Any] | None, path: str = "labels") -> str:
    if path == "env":
        return env_text(mapping)  # the real values: the editor edits the record
    return "\n".join(f"{k}={v}" for k, v in (mapping or {}).items())


def parse_kv(text: str, path: str = "labels") -> tuple[dict[str, Any], list[str]]:
    """KEY=value lines into a mapping, and the lines that are not KEY=value. In env,
    ``KEY=secret:NAME/KEY`` is a reference to a Kubernetes Secret."""
    out: dict[str, Any] = {}
    bad = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        if "=" not in line:
            bad.append(line.strip())
            continue
        k, _, v = line.partition("=")
        out[k.strip()] = parse_env_value(v.strip()) if path == "env" else v.strip()
    return out, bad


def sections(creating: bool, teams: list[str]) -> list[Callable[[Field, KeyValueField], None]]:
    """The form's sections in order; the editor builds one per event-loop step."""

    def identity(field: Field, _kv: KeyValueField) -> None:
        with ui.grid(columns=GRID.format(220)).classes("w-full gap-x-4 gap-y-1"):
            field("name", "Name", readonly=not creating)
            field("namespace", "Namespace", readonly=not creating)
            field(
                "team",
                "Team",
                kind="select",
                options=teams,
                new_value_mode="add-unique",
                with_input=True,
            )
            field("owner", "Owner (e-mail)")
        field("description", "Description")

    return [identity, _serving, lambda f, _kv: _resources(f), lambda f, _kv: _scaling(f), _env]


def _serving(field: Field, _kv: KeyValueField) -> None:
    with ui.grid(columns=GRID.format(220)).classes("w-full gap-x-4 gap-y-1"):
        field("image", "Image (registry/path:tag)")
        field("model_uri", "Model URI")
        field("model_version", "Model version")
        field("port", "Serving port", kind="number", min=1, max=65535)


def _env(_field: Field, kv_field: KeyValueField) -> None:
    ui.label("Environment and labels (one KEY=value per line)").classes(
        "text-sm font-semibold mt-2"
    )
    with ui.grid(columns=GRID.format(250)).classes("w-full gap-x-4"):
        kv_field("env", "Environment")
        kv_field("labels", "Labels")


def _resources(field: Field) -> None:
    ui.label("Resources per replica").classes("text-sm font-semibold mt-2")
    with ui.grid(columns=GRID.format(150)).classes("w-full gap-x-4 gap-y-1"):
        field("resources.requests.cpu", "CPU request")
        field("resources.limits.cpu", "CPU limit")
        field("resources.requests.memory", "Memory request")
        field("resources.limits.memory", "Memory limit")
        field("resources.gpu.count", "GPUs", kind="number", min=0, max=16)
        field(
            "resources.gpu.type",
            "GPU type",
            kind="select",
            options=[None, *GPU_TYPES],
            clearable=True,
        )


def _scaling(field: Field) -> None:
    ui.label("Replicas and autoscaling").classes("text-sm font-semibold mt-2")
    with ui.grid(columns=GRID.format(150)).classes("w-full gap-x-4 gap-y-1 items-center"):
        field("replicas", "Replicas", kind="number", min=0)
        field("enabled", "Enabled", kind="switch")
        field("autoscaling.enabled", "Autoscaling", kind="switch")
        field("autoscaling.min", "Min", kind="number", min=1)
        field("autoscaling.max", "Max", kind="number", min=1)
        field("autoscaling.target_cpu_percent", "Target CPU %", kind="number", min=1, max=100)
