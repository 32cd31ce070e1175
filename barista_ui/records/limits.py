"""How long and how large a record's values may be: the one home of every bound.

Lengths follow the database columns (``data/tables.py``) and Kubernetes' own limits, so SQLite
and PostgreSQL refuse the same values, before any SQL. Resource ceilings are configurable
(``BARISTA_MAX_CPU``, ``BARISTA_MAX_MEMORY``, ``BARISTA_MAX_GPUS``) and reach validation through
its context, as ``max_replicas`` does; precision is Kubernetes' (1m CPU, whole bytes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from k8s.quantity import parse_quantity

MAX_LENGTH: dict[str, int] = {
    "name": 63,  # DNS-1123 label: a Kubernetes object name
    "namespace": 63,  # DNS-1123 label
    "team": 63,  # a label value on every object
    "owner": 254,  # an e-mail address; also the owner annotation
    "description": 4096,  # a paragraph; the column is TEXT, this keeps pages and exports sane
    "image": 512,
    "model_uri": 1024,
    "model_version": 128,
}
QUANTITY_CHARS = 32  # the cpu_request/cpu_limit/memory_* columns
LABEL_NAME_CHARS = 63  # Kubernetes: the name part of a label key
LABEL_PREFIX_CHARS = 253  # Kubernetes: the DNS-subdomain prefix of a label key
LABEL_VALUE_CHARS = 63  # Kubernetes: a label value
ENV_NAME_CHARS = 256
ENV_VALUE_CHARS = 32 * 1024
ENV_TOTAL_CHARS = 256 * 1024  # names and values together: far below etcd's 1.5 MiB per object
TIMEZONE_CHARS = 64  # the schedule_policy.timezone column; IANA names are shorter
HOLIDAY_COUNTRY_CHARS = 8
HOLIDAY_SUBDIV_CHARS = 16
ACTOR_CHARS = 254  # who made a change: the revision's and every log's actor column
MEBIBYTE = 1024**2

_BINARY_SUFFIX = re.compile(r"(Ki|Mi|Gi|Ti|Pi|Ei)$")
_CPU_EXAMPLE = '"500m", "1", "2.5"'
_MEMORY_EXAMPLE = '"512Mi", "2Gi", "1G"'


@dataclass(frozen=True)
class ResourceBounds:
    """The largest CPU, memory and GPU count one replica may request or be limited to."""

    max_cpu: Decimal = Decimal(64)
    max_memory: Decimal = Decimal(512 * 1024**3)
    max_gpus: int = 8

    @classmethod
    def parse(cls, max_cpu: str, max_memory: str, max_gpus: int) -> ResourceBounds:
        """From the settings' text (quantities such as ``64`` and ``512Gi``)."""
        return cls(parse_quantity(max_cpu), parse_quantity(max_memory), max_gpus)


DEFAULT_BOUNDS = ResourceBounds()


def shown(value: Any, width: int = 40) -> str:
    """A value quoted in an error, cut to ``width`` characters (an error never echoes 30 MB)."""
    text = str(value)
    return f"'{text}'" if len(text) <= width else f"'{text[:width]}…' ({len(text):,} characters)"


def length_problem(value: str, limit: int) -> str | None:
    """What is wrong with ``value``'s length, or None when it fits."""
    if len(value) <= limit:
        return None
    return f"is {len(value):,} characters long; at most {limit:,} are allowed"


def quantity(value: Any, *, kind: str) -> Decimal:
    """Parse a Kubernetes quantity, rejecting negatives and free text with a useful message."""
    example = _CPU_EXAMPLE if kind == "cpu" else _MEMORY_EXAMPLE
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise ValueError(f"must be a Kubernetes quantity such as {example}")
    text = str(value).strip()
    if len(text) > QUANTITY_CHARS:
        raise ValueError(
            f"{shown(text)} is too long for a quantity: at most {QUANTITY_CHARS} characters"
        )
    try:
        parsed = parse_quantity(text if isinstance(value, str) else value)
    except (ValueError, TypeError, ArithmeticError):
        raise ValueError(
            f"{shown(value)} is not a Kubernetes quantity; use e.g. {example}"
        ) from None
    if parsed < 0:
        raise ValueError(f"{shown(value)} is negative; a quantity must be zero or more")
    return parsed


def check_cpu(value: Any, bounds: ResourceBounds) -> Decimal:
    """A CPU quantity within Kubernetes' precision (1m) and the configured maximum."""
    cores = quantity(value, kind="cpu")
    text = str(value).strip()
    if _BINARY_SUFFIX.search(text):
        raise ValueError(
            f"{shown(text)} uses a memory unit; give CPU in cores ('2') or millicores ('500m')"
        )
    if cores > bounds.max_cpu:
        raise ValueError(
            f"{shown(text)} is above the maximum of {_number(bounds.max_cpu)} CPU per replica "
            "(BARISTA_MAX_CPU)"
        )
    if (cores * 1000) % 1:
        raise ValueError(
            f"{shown(text)} is finer than 1m (a thousandth of a CPU), Kubernetes' precision; "
            "use whole millicores such as '1m' or '250m'"
        )
    return cores


def check_memory(value: Any, bounds: ResourceBounds) -> Decimal:
    """A memory quantity of whole bytes, at least 1Mi (when not 0) and at most the maximum."""
    size = quantity(value, kind="memory")
    text = str(value).strip()
    if 0 < size < MEBIBYTE:
        raise ValueError(f"{shown(text)} is less than 1Mi; did you mean '{text}Mi' or '{text}Gi'?")
    if size > bounds.max_memory:
        raise ValueError(
            f"{shown(text)} is above the maximum of {_bytes(bounds.max_memory)} per replica "
            "(BARISTA_MAX_MEMORY)"
        )
    if size % 1:
        raise ValueError(f"{shown(text)} is not a whole number of bytes")
    return size


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _bytes(value: Decimal) -> str:
    for power, unit in ((5, "Pi"), (4, "Ti"), (3, "Gi"), (2, "Mi"), (1, "Ki")):
        if value >= 1024**power and value % 1024**power == 0:
            return f"{_number(value / 1024**power)}{unit}"
    return f"{_number(value)} bytes"


def check_env_sizes(env: dict[str, Any]) -> None:
    """Lengths of variable names and values (values are never quoted: they may be secrets).
    A Secret reference counts as its name and key."""
    env = {k: val if isinstance(val, str) else _ref_text(val) for k, val in env.items()}
    for k, val in env.items():
        if len(k) > ENV_NAME_CHARS:
            raise ValueError(f"variable name {shown(k)} is longer than {ENV_NAME_CHARS} characters")
        if len(val) > ENV_VALUE_CHARS:
            raise ValueError(
                f"value of {k} is {len(val):,} characters long; at most {ENV_VALUE_CHARS:,} "
                "are allowed"
            )
    total = sum(len(k) + len(val) for k, val in env.items())
    if total > ENV_TOTAL_CHARS:
        raise ValueError(
            f"names and values come to {total:,} characters; at most {ENV_TOTAL_CHARS:,} "
            "are allowed"
        )


def _ref_text(value: Any) -> str:
    ref = (value or {}).get("secretKeyRef") or {} if isinstance(value, dict) else {}
    return f"{ref.get('name', '')}/{ref.get('key', '')}"
