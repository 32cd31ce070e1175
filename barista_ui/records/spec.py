"""The model record: its fields (the YAML/JSON keys), their validation and conversions.

One schema serves every interface: the page, the CLI and the API all validate through
:func:`validate_record`, so an error reads the same everywhere and names the field.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from k8s.quantity import parse_quantity

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# [host[:port]/]path[:tag][@sha256:hex]; path components are lowercase alnum with separators.
IMAGE = re.compile(
    r"^(?:(?P<host>[a-zA-Z0-9.-]+(?::[0-9]+)?)/)?"
    r"(?P<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)
RESERVED_LABELS = {"app.kubernetes.io/name", "app.kubernetes.io/managed-by", "team", "model"}
GPU_TYPES = (
    "nvidia-tesla-t4",
    "nvidia-l4",
    "nvidia-tesla-a100",
    "nvidia-a100-80gb",
    "nvidia-h100-80gb",
    "nvidia-tesla-v100",
)
DEFAULT_MAX_REPLICAS = 50


class _FieldValueError(ValueError):
    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class FieldError(BaseModel):
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class RecordInvalid(ValueError):
    """Validation failed; ``errors`` name each field and what is allowed."""

    def __init__(self, errors: list[FieldError], name: str | None = None):
        self.errors = errors
        self.name = name
        prefix = f"{name}: " if name else ""
        super().__init__(prefix + "; ".join(str(e) for e in errors))

    def by_field(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for e in self.errors:
            out.setdefault(e.field, e.message)
        return out


def quantity(value: Any, field: str, *, kind: str) -> Decimal:
    """Parse a Kubernetes quantity, rejecting negatives and free text with a useful message."""
    example = '"500m", "1", "2.5"' if kind == "cpu" else '"512Mi", "2Gi", "1G"'
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise ValueError(f"must be a Kubernetes quantity such as {example}")
    try:
        parsed = parse_quantity(str(value).strip() if isinstance(value, str) else value)
    except (ValueError, TypeError):
        raise ValueError(f"'{value}' is not a Kubernetes quantity; use e.g. {example}") from None
    if parsed < 0:
        raise ValueError(f"'{value}' is negative; a quantity must be zero or more")
    return parsed


def _cap(info: ValidationInfo) -> int:
    ctx = info.context or {}
    return int(ctx.get("max_replicas") or DEFAULT_MAX_REPLICAS)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CpuMem(_Strict):
    cpu: str | None = None
    memory: str | None = None

    @field_validator("cpu", mode="before")
    @classmethod
    def _cpu(cls, v: Any) -> str | None:
        if v is None:
            return None
        quantity(v, "cpu", kind="cpu")
        return str(v).strip()

    @field_validator("memory", mode="before")
    @classmethod
    def _mem(cls, v: Any) -> str | None:
        if v is None:
            return None
        q = quantity(v, "memory", kind="memory")
        if 0 < q < 1024 * 1024:
            raise ValueError(f"'{v}' is less than 1Mi; did you mean '{v}Mi' or '{v}Gi'?")
        return str(v).strip()


class Gpu(_Strict):
    count: int = Field(default=0, ge=0, le=16)
    type: str | None = None

    @model_validator(mode="after")
    def _type(self) -> Gpu:
        if self.count > 0 and not self.type:
            raise _FieldValueError(
                "type", f"is required when count > 0; one of {', '.join(GPU_TYPES)}"
            )
        if self.type and self.type not in GPU_TYPES:
            raise _FieldValueError(
                "type", f"'{self.type}' is not known; one of {', '.join(GPU_TYPES)}"
            )
        if self.count == 0:
            self.type = self.type or None
        return self


class Resources(_Strict):
    requests: CpuMem = Field(default_factory=lambda: CpuMem(cpu="500m", memory="1Gi"))
    limits: CpuMem = Field(default_factory=CpuMem)
    gpu: Gpu = Field(default_factory=Gpu)

    @model_validator(mode="after")
    def _limits(self) -> Resources:
        if not self.requests.cpu:
            raise _FieldValueError("requests.cpu", 'is required, e.g. "500m" or "1"')
        if not self.requests.memory:
            raise _FieldValueError("requests.memory", 'is required, e.g. "512Mi" or "2Gi"')
        for key, kind in (("cpu", "cpu"), ("memory", "memory")):
            req, lim = getattr(self.requests, key), getattr(self.limits, key)
            if req and lim and quantity(lim, key, kind=kind) < quantity(req, key, kind=kind):
                raise _FieldValueError(
                    f"limits.{key}",
                    f"{lim} is below requests.{key} ({req}); a limit must be at least the request",
                )
        return self


class Autoscaling(_Strict):
    enabled: bool = False
    min: int = Field(default=1, ge=1)
    max: int = Field(default=4, ge=1)
    target_cpu_percent: int = Field(default=70, ge=1, le=100)

    @field_validator("max")
    @classmethod
    def _max_cap(cls, v: int, info: ValidationInfo) -> int:
        cap = _cap(info)
        if v > cap:
            raise ValueError(f"{v} is above the limit of {cap}")
        return v

    @model_validator(mode="after")
    def _range(self) -> Autoscaling:
        if self.min > self.max:
            raise _FieldValueError("min", f"{self.min} is greater than max ({self.max})")
        return self


class Holidays(_Strict):
    country: str
    subdiv: str | None = None


class ScheduleConfig(_Strict):
    uptime: str | None = None
    downtime: str | None = None
    timezone: str | None = None
    downtime_replicas: int = Field(default=0, ge=0)
    exclude: bool = False
    holidays: Holidays | None = None

    @model_validator(mode="after")
    def _one(self) -> ScheduleConfig:
        if self.uptime and self.downtime:
            raise ValueError("give either an uptime or a downtime schedule, not both")
        return self


class ModelSpec(_Strict):
    """A model deployment record in Barista's file format."""

    name: str
    namespace: str = "default"
    team: str
    owner: str = ""
    description: str = ""
    image: str
    model_uri: str = ""
    model_version: str = ""
    port: int = Field(default=8080, ge=1, le=65535)
    replicas: int = Field(default=1, ge=0)
    resources: Resources = Field(default_factory=Resources)
    autoscaling: Autoscaling = Field(default_factory=Autoscaling)
    env: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True
    schedule: ScheduleConfig | None = None

    @field_validator("name", "namespace")
    @classmethod
    def _dns(cls, v: str) -> str:
        if not v:
            raise ValueError("is required")
        if len(v) > 63 or not DNS_LABEL.match(v):
            raise ValueError(
                f"'{v}' is not a valid DNS-1123 label: use at most 63 lowercase letters, digits "
                "and '-', starting and ending with a letter or digit"
            )
        return v

    @field_validator("team")
    @classmethod
    def _team(cls, v: str) -> str:
        if not v:
            raise ValueError("is required")
        if len(v) > 63 or not LABEL_VALUE.match(v):
            raise ValueError(
                f"'{v}' is not a valid label value: at most 63 letters, digits, '-', '_' or '.', "
                "starting and ending with a letter or digit"
            )
        return v

    @field_validator("image")
    @classmethod
    def _image(cls, v: str) -> str:
        m = IMAGE.match(v or "")
        if not v or not m:
            raise ValueError(
                f"'{v}' is not a valid image reference; use registry/path:tag or "
                "registry/path@sha256:<64 hex>, e.g. registry.example.com/fraud-scorer:1.4.2"
            )
        if not m.group("tag") and not m.group("digest"):
            raise ValueError(f"'{v}' has no tag or digest; pin a version, e.g. '{v}:1.0.0'")
        return v

    @field_validator("env", mode="before")
    @classmethod
    def _env(cls, v: Any) -> dict[str, str]:
        if v is None:
            return {}
        if not isinstance(v, dict):
            raise ValueError("must be a mapping of NAME: value")
        out = {}
        for k, val in v.items():
            if not isinstance(k, str) or not ENV_NAME.match(k):
                raise ValueError(
                    f"'{k}' is not a valid variable name: letters, digits and '_', "
                    "not starting with a digit"
                )
            if isinstance(val, (dict, list)):
                raise ValueError(f"value of {k} must be text, not a {type(val).__name__}")
            out[k] = (
                "" if val is None else (str(val).lower() if isinstance(val, bool) else str(val))
            )
        return out

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, v: Any) -> dict[str, str]:
        if v is None:
            return {}
        if not isinstance(v, dict):
            raise ValueError("must be a mapping of key: value")
        out = {}
        for k, val in v.items():
            k = str(k)
            prefix, _, name = k.rpartition("/")
            if (
                not name
                or len(name) > 63
                or not LABEL_NAME.match(name)
                or (prefix and (len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix)))
            ):
                raise ValueError(f"'{k}' is not a valid label key")
            if k in RESERVED_LABELS:
                raise ValueError(f"'{k}' is set by Barista and cannot be overridden")
            sval = "" if val is None else str(val)
            if len(sval) > 63 or not LABEL_VALUE.match(sval):
                raise ValueError(f"value '{sval}' of label '{k}' is not a valid label value")
            out[k] = sval
        return out

    @field_validator("replicas")
    @classmethod
    def _replica_cap(cls, v: int, info: ValidationInfo) -> int:
        cap = _cap(info)
        if v > cap:
            raise ValueError(f"{v} is above the limit of {cap}")
        return v

    def tag(self) -> str:
        m = IMAGE.match(self.image)
        if m and m.group("tag"):
            return m.group("tag")
        return (m.group("digest") or "")[:19] if m else ""

    def to_file_dict(self) -> dict[str, Any]:
        """The record as written to YAML/JSON: stable key order, schedule only when set."""
        d = self.model_dump(mode="json")
        if d.get("schedule") is None:
            d.pop("schedule", None)
        return d


def validate_record(data: Any, *, max_replicas: int = DEFAULT_MAX_REPLICAS) -> ModelSpec:
    """Validate one record (a dict in the file format); raise RecordInvalid naming each field."""
    if isinstance(data, ModelSpec):
        data = data.model_dump()
    if not isinstance(data, dict):
        raise RecordInvalid([FieldError(field="", message="a record must be a mapping of keys")])
    try:
        return ModelSpec.model_validate(data, context={"max_replicas": max_replicas})
    except ValidationError as exc:
        raise RecordInvalid(_field_errors(exc), name=data.get("name")) from None


def _field_errors(exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        ctx_err = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_err, _FieldValueError):
            field = f"{loc}.{ctx_err.field}" if loc else ctx_err.field
            errors.append(FieldError(field=field, message=ctx_err.message))
            continue
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            msg = "unknown key; check the spelling (unknown keys are not ignored)"
        elif err["type"] == "missing":
            msg = "is required"
        errors.append(FieldError(field=loc, message=msg))
    return errors
