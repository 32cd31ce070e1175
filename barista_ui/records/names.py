"""Kubernetes' naming rules for what a record names: object names (DNS-1123 labels), label keys
and values, team names, environment variables and image references."""

from __future__ import annotations

import re
from typing import Any

from barista_ui.records.errors import FieldValueError
from barista_ui.records.limits import (
    LABEL_NAME_CHARS,
    LABEL_PREFIX_CHARS,
    LABEL_VALUE_CHARS,
    MAX_LENGTH,
    shown,
)

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
SECRET_REF = "secretKeyRef"
OBJECT_NAME_CHARS = 253  # a Secret's name (a DNS subdomain) and a key in it
# An env value: text, or a reference to a key of a Kubernetes Secret in the model's namespace,
# {"secretKeyRef": {"name": "model-secrets", "key": "api-key"}} (rendered as valueFrom).
EnvValue = str | dict[str, dict[str, str]]
# [host[:port]/]path[:tag][@sha256:hex]; path components are lowercase alnum with separators.
IMAGE = re.compile(
    r"^(?:(?P<host>[a-zA-Z0-9.-]+(?::[0-9]+)?)/)?"
    r"(?P<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)
RESERVED_LABELS = {"app.kubernetes.io/name", "app.kubernetes.io/managed-by", "team", "model"}


def check_team_name(value: str, field: str = "team") -> str:
    """The one rule for team names (records, team schedules, budgets, billing tags): a
    Kubernetes label value, since every object carries its team as one. Raises FieldValueError."""
    limit = MAX_LENGTH["team"]
    if not value:
        raise FieldValueError(field, "is required")
    if len(value) > limit or not LABEL_VALUE.match(value):
        raise FieldValueError(
            field,
            f"{shown(value)} is not a valid team name: at most {limit} letters, digits, '-', '_' "
            "or '.', starting and ending with a letter or digit",
        )
    return value


def check_label_key(key: str) -> None:
    """Kubernetes' label key rule: [prefix/]name, prefix a DNS subdomain of at most 253."""
    prefix, _, name = key.rpartition("/")
    if len(name) > LABEL_NAME_CHARS or len(prefix) > LABEL_PREFIX_CHARS:
        raise ValueError(
            f"label key {shown(key)} is too long: at most {LABEL_NAME_CHARS} characters after "
            f"the '/' and {LABEL_PREFIX_CHARS} before it"
        )
    if not name or not LABEL_NAME.match(name) or (prefix and not DNS_SUBDOMAIN.match(prefix)):
        raise ValueError(f"{shown(key)} is not a valid label key")
    if key in RESERVED_LABELS:
        raise ValueError(f"'{key}' is set by Barista and cannot be overridden")


def env_mapping(value: Any) -> dict[str, EnvValue]:
    """``NAME: value`` pairs as text, or ``NAME: {secretKeyRef: {name, key}}``; names follow
    the shell's rule (letters, digits, '_')."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("must be a mapping of NAME: value")
    out: dict[str, EnvValue] = {}
    for k, val in value.items():
        if not isinstance(k, str) or not ENV_NAME.match(k):
            raise ValueError(
                f"{shown(k)} is not a valid variable name: letters, digits and '_', "
                "not starting with a digit"
            )
        if isinstance(val, dict):
            out[k] = secret_ref(k, val)
        elif isinstance(val, list):
            raise ValueError(f"value of {shown(k)} must be text, not a list")
        else:
            out[k] = (
                "" if val is None else (str(val).lower() if isinstance(val, bool) else str(val))
            )
    return out


def secret_ref(var: str, value: dict[Any, Any]) -> dict[str, dict[str, str]]:
    """``{secretKeyRef: {name, key}}``: the Secret's name a DNS subdomain, the key Kubernetes'
    Secret key rule (letters, digits, '-', '_', '.'), each at most 253 characters."""
    ref = value.get(SECRET_REF)
    if set(value) != {SECRET_REF} or not isinstance(ref, dict) or set(ref) != {"name", "key"}:
        raise ValueError(
            f"value of {shown(var)} must be text or {{secretKeyRef: {{name: SECRET, key: KEY}}}}"
        )
    name, key = str(ref["name"] or "").strip(), str(ref["key"] or "").strip()
    if not name or len(name) > OBJECT_NAME_CHARS or not DNS_SUBDOMAIN.match(name):
        raise ValueError(
            f"secret name {shown(name)} of {var} is not a valid Secret name: at most "
            f"{OBJECT_NAME_CHARS} lowercase letters, digits, '-' and '.'"
        )
    if not key or len(key) > OBJECT_NAME_CHARS or not SECRET_KEY.match(key):
        raise ValueError(
            f"secret key {shown(key)} of {var} is not a valid key: at most "
            f"{OBJECT_NAME_CHARS} letters, digits, '-', '_' and '.'"
        )
    return {SECRET_REF: {"name": name, "key": key}}


def label_mapping(value: Any) -> dict[str, str]:
    """``key: value`` labels, each checked against Kubernetes' label rules."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("must be a mapping of key: value")
    out = {}
    for k, val in value.items():
        k = str(k)
        check_label_key(k)
        sval = "" if val is None else str(val)
        if len(sval) > LABEL_VALUE_CHARS:
            raise ValueError(
                f"value of label {shown(k)} is {len(sval):,} characters long; "
                f"at most {LABEL_VALUE_CHARS} are allowed"
            )
        if not LABEL_VALUE.match(sval):
            raise ValueError(f"value {shown(sval)} of label {shown(k)} is not a valid label value")
        out[k] = sval
    return out
