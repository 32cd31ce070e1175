"""Secrets in env: which variable names look secret, their values masked wherever a record is
shown (page, CLI, history diffs, export, rendered manifests), and the editor's text form of a
Secret reference (``NAME=secret:SECRET/KEY``).

A plain value whose name looks secret is still stored and deployed as typed: masking is for
display. The way to keep it out of Barista altogether is a Secret reference.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from barista_ui.records.names import SECRET_REF, EnvValue

MASK = "********"
SECRET_PREFIX = "secret:"
SECRET_LOOKING = re.compile(r"(_KEY$|TOKEN|SECRET|PASSWORD)", re.IGNORECASE)
SECRET_HINT = (
    "{names} look{s} secret: its value is masked when shown, but stored as typed. Keep it in a "
    "Kubernetes Secret and write NAME=secret:SECRET_NAME/KEY instead."
)


def is_secret_name(name: str) -> bool:
    """``*_KEY``, ``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*`` (any case)."""
    return bool(SECRET_LOOKING.search(name))


def is_secret_ref(value: Any) -> bool:
    return isinstance(value, dict) and SECRET_REF in value


def masked(name: str, value: Any) -> Any:
    """The value as it may be shown: a non-empty plain value of a secret-looking name masked."""
    if isinstance(value, str) and value and is_secret_name(name):
        return MASK
    return value


def mask_env(env: dict[str, Any] | None) -> dict[str, Any]:
    return {k: masked(k, v) for k, v in (env or {}).items()}


def mask_record(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of a record (file format) with secret-looking plain env values masked."""
    out = dict(record)
    if isinstance(out.get("env"), dict):
        out["env"] = mask_env(out["env"])
    return out


def mask_changes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History diffs ``[{field, old, new}]`` with secret-looking env values masked."""
    out = []
    for change in changes:
        field = str(change.get("field", ""))
        if field.startswith("env."):
            var = field.removeprefix("env.")
            change = {**change, "old": masked(var, change.get("old"))}
            change["new"] = masked(var, change.get("new"))
        elif field == "env":
            change = {**change, "old": _mask_any(change.get("old"))}
            change["new"] = _mask_any(change.get("new"))
        out.append(change)
    return out


def mask_manifests(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rendered Kubernetes objects with secret-looking plain container env values masked."""
    out = copy.deepcopy(objects)
    for obj in out:
        pod = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        for container in pod.get("containers") or []:
            for var in container.get("env") or []:
                if "value" in var:
                    var["value"] = masked(str(var.get("name", "")), var["value"])
    return out


def check_not_masked(env: dict[str, Any]) -> None:
    """Refuse a mask as a value: a masked export re-imported would overwrite the real secret."""
    for name, value in env.items():
        if value == MASK and is_secret_name(name):
            raise ValueError(
                f"value of {name} is the mask {MASK} (from an export without --show-secrets); "
                "give the real value or a Secret reference"
            )


def plain_secret_names(env: dict[str, Any] | None) -> list[str]:
    """Secret-looking names that hold a plain value (where a Secret reference belongs)."""
    return [k for k, v in (env or {}).items() if isinstance(v, str) and v and is_secret_name(k)]


def secret_hint(env: dict[str, Any] | None) -> str:
    """The hint to use a Secret reference, or "" when no plain value looks secret."""
    names = plain_secret_names(env)
    if not names:
        return ""
    return SECRET_HINT.format(names=", ".join(names), s="s" if len(names) == 1 else "")


def env_value_text(value: Any) -> str:
    """One env value as the editor and the panel write it: text, or ``secret:NAME/KEY``."""
    if isinstance(value, dict) and isinstance(value.get(SECRET_REF), dict):
        ref = value[SECRET_REF]
        return f"{SECRET_PREFIX}{ref.get('name', '')}/{ref.get('key', '')}"
    return "" if value is None else str(value)


def env_text(env: dict[str, Any] | None, *, mask: bool = False) -> str:
    """KEY=value lines; Secret references as ``KEY=secret:NAME/KEY``."""
    shown = mask_env(env) if mask else (env or {})
    return "\n".join(f"{k}={env_value_text(v)}" for k, v in shown.items())


def parse_env_value(text: str) -> EnvValue:
    """``secret:NAME/KEY`` → a Secret reference (checked by the record's validation); other
    text stays text."""
    if not text.startswith(SECRET_PREFIX):
        return text
    name, _, key = text.removeprefix(SECRET_PREFIX).partition("/")
    return {SECRET_REF: {"name": name.strip(), "key": key.strip()}}


def _mask_any(value: Any) -> Any:
    return mask_env(value) if isinstance(value, dict) else value
