"""The model record: its fields (the YAML/JSON keys), their validation and conversions.

One schema serves every interface: the page, the CLI and the API all validate through
:func:`validate_record`, so an error reads the same everywhere and names the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
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

from barista_ui.records.cross_checks import merged
from barista_ui.records.errors import FieldError, FieldValueError, RecordInvalid, field_errors
from barista_ui.records.limits import (
    DEFAULT_BOUNDS,
    HOLIDAY_COUNTRY_CHARS,
    HOLIDAY_SUBDIV_CHARS,
    MAX_LENGTH,
    TIMEZONE_CHARS,
    ResourceBounds,
    check_cpu,
    check_env_sizes,
    check_memory,
    length_problem,
    quantity,
    shown,
)
from barista_ui.records.names import (
    DNS_LABEL,
    IMAGE,
    EnvValue,
    check_team_name,
    env_mapping,
    label_mapping,
)
from barista_ui.records.secrets import check_not_masked
from barista_ui.schedule.language import ScheduleError, holiday_name, parse_spec, zone

GPU_TYPES = (
    "nvidia-tesla-t4",
    "nvidia-l4",
    "nvidia-tesla-a100",
    "nvidia-a100-80gb",
    "nvidia-h100-80gb",
    "nvidia-tesla-v100",
)
DEFAULT_MAX_REPLICAS = 50
_HOLIDAY_PROBE = datetime(2026, 1, 1, tzinfo=UTC)  # any day: only the calendar's name is checked


def _checked(info: ValidationInfo) -> bool:
    """False for rows read back from the database: they are shown as stored, not judged again."""
    return not (info.context or {}).get("stored")


def _bounds(info: ValidationInfo) -> ResourceBounds:
    return (info.context or {}).get("bounds") or DEFAULT_BOUNDS


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
    def _cpu(cls, v: Any, info: ValidationInfo) -> str | None:
        if v is None:
            return None
        if _checked(info):
            check_cpu(v, _bounds(info))
        else:
            quantity(v, kind="cpu")
        return str(v).strip()

    @field_validator("memory", mode="before")
    @classmethod
    def _mem(cls, v: Any, info: ValidationInfo) -> str | None:
        if v is None:
            return None
        if _checked(info):
            check_memory(v, _bounds(info))
        else:
            quantity(v, kind="memory")
        return str(v).strip()


class Gpu(_Strict):
    count: int = Field(default=0, ge=0)
    type: str | None = None

    @field_validator("count")
    @classmethod
    def _count_cap(cls, v: int, info: ValidationInfo) -> int:
        cap = _bounds(info).max_gpus
        if _checked(info) and v > cap:
            raise ValueError(
                f"{v} is above the maximum of {cap} GPUs per replica (BARISTA_MAX_GPUS)"
            )
        return v

    @model_validator(mode="after")
    def _type(self) -> Gpu:
        if self.count > 0 and not self.type:
            raise FieldValueError(
                "type", f"is required when count > 0; one of {', '.join(GPU_TYPES)}"
            )
        if self.type and self.type not in GPU_TYPES:
            raise FieldValueError(
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
            raise FieldValueError("requests.cpu", 'is required, e.g. "500m" or "1"')
        if not self.requests.memory:
            raise FieldValueError("requests.memory", 'is required, e.g. "512Mi" or "2Gi"')
        for key, kind in (("cpu", "cpu"), ("memory", "memory")):
            req, lim = getattr(self.requests, key), getattr(self.limits, key)
            if req and lim and quantity(lim, kind=kind) < quantity(req, kind=kind):
                raise FieldValueError(
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
            raise FieldValueError("min", f"{self.min} is greater than max ({self.max})")
        return self


def _within(field: str, value: str, limit: int) -> None:
    problem = length_problem(value, limit)
    if problem:
        raise FieldValueError(field, problem)


class Holidays(_Strict):
    """A holiday calendar, checked by the schedule language's own lookup."""

    country: str
    subdiv: str | None = None

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> Holidays:
        if not _checked(info):
            return self
        _within("country", self.country, HOLIDAY_COUNTRY_CHARS)
        try:
            holiday_name(_HOLIDAY_PROBE, self.country, None, "UTC")
        except ScheduleError as exc:
            raise FieldValueError("country", str(exc)) from None
        if self.subdiv is not None:
            _within("subdiv", self.subdiv, HOLIDAY_SUBDIV_CHARS)
            try:
                holiday_name(_HOLIDAY_PROBE, self.country, self.subdiv, "UTC")
            except ScheduleError as exc:
                raise FieldValueError("subdiv", str(exc)) from None
        return self


class ScheduleConfig(_Strict):
    """A model's own schedule; specs are read by the schedule language's parser (one rule)."""

    uptime: str | None = None
    downtime: str | None = None
    timezone: str | None = None
    downtime_replicas: int = Field(default=0, ge=0)
    exclude: bool = False
    holidays: Holidays | None = None

    @model_validator(mode="after")
    def _parse(self, info: ValidationInfo) -> ScheduleConfig:
        if self.uptime and self.downtime:
            raise ValueError("give either an uptime or a downtime schedule, not both")
        if not _checked(info):
            return self
        if self.timezone is not None:
            _within("timezone", self.timezone, TIMEZONE_CHARS)
            try:
                zone(self.timezone)
            except ScheduleError as exc:
                raise FieldValueError("timezone", str(exc)) from None
        for field in ("uptime", "downtime"):
            text = getattr(self, field)
            if text is None:
                continue
            try:  # without a timezone, windows take the default one: any valid zone reads alike
                parse_spec(text, self.timezone or "UTC")
            except ScheduleError as exc:
                raise FieldValueError(field, str(exc)) from None
        if self.downtime_replicas > _cap(info):
            raise FieldValueError(
                "downtime_replicas", f"{self.downtime_replicas} is above the limit of {_cap(info)}"
            )
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
    env: dict[str, EnvValue] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True
    schedule: ScheduleConfig | None = None

    @field_validator("name", "namespace")
    @classmethod
    def _dns(cls, v: str) -> str:
        if not v:
            raise ValueError("is required")
        if len(v) > MAX_LENGTH["name"] or not DNS_LABEL.match(v):
            raise ValueError(
                f"{shown(v)} is not a valid DNS-1123 label: use at most 63 lowercase letters, "
                "digits and '-', starting and ending with a letter or digit"
            )
        return v

    @field_validator("team")
    @classmethod
    def _team(cls, v: str) -> str:
        try:
            return check_team_name(v)
        except FieldValueError as exc:
            raise ValueError(exc.message) from None

    @field_validator("owner", "description", "model_uri", "model_version")
    @classmethod
    def _length(cls, v: str, info: ValidationInfo) -> str:
        problem = length_problem(v, MAX_LENGTH[str(info.field_name)]) if _checked(info) else None
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("image")
    @classmethod
    def _image(cls, v: str, info: ValidationInfo) -> str:
        problem = length_problem(v, MAX_LENGTH["image"]) if _checked(info) else None
        if problem:
            raise ValueError(problem)
        m = IMAGE.match(v or "")
        if not v or not m:
            raise ValueError(
                f"{shown(v)} is not a valid image reference; use registry/path:tag or "
                "registry/path@sha256:<64 hex>, e.g. registry.example.com/fraud-scorer:1.4.2"
            )
        if not m.group("tag") and not m.group("digest"):
            raise ValueError(f"'{v}' has no tag or digest; pin a version, e.g. '{v}:1.0.0'")
        return v

    @field_validator("env", mode="before")
    @classmethod
    def _env(cls, v: Any, info: ValidationInfo) -> dict[str, EnvValue]:
        out = env_mapping(v)
        if _checked(info):
            check_env_sizes(out)
        check_not_masked(out)
        return out

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, v: Any) -> dict[str, str]:
        return label_mapping(v)

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


def validate_record(
    data: Any,
    *,
    max_replicas: int = DEFAULT_MAX_REPLICAS,
    bounds: ResourceBounds = DEFAULT_BOUNDS,
) -> ModelSpec:
    """Validate one record (a dict in the file format); raise RecordInvalid naming each field.
    ``bounds`` caps CPU, memory and GPUs per replica (the settings' BARISTA_MAX_*)."""
    if isinstance(data, ModelSpec):
        data = data.model_dump()
    if not isinstance(data, dict):
        raise RecordInvalid([FieldError(field="", message="a record must be a mapping of keys")])
    try:
        return ModelSpec.model_validate(
            data, context={"max_replicas": max_replicas, "bounds": bounds}
        )
    except ValidationError as exc:
        # every problem at once: comparisons between fields also where a sibling failed
        raise RecordInvalid(merged(field_errors(exc), data), name=data.get("name")) from None


__all__ = [
    "DEFAULT_BOUNDS",
    "GPU_TYPES",
    "FieldError",
    "FieldValueError",
    "ModelSpec",
    "RecordInvalid",
    "ResourceBounds",
    "check_team_name",
    "validate_record",
]
