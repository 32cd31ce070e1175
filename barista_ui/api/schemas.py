"""Request and response bodies of the API. Records are in the record format (``ModelSpec``, the
same fields and keys as the YAML files and the CLI's JSON), so the OpenAPI schema is exact."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from barista_ui.records.spec import ModelSpec, ScheduleConfig

SPEC_REF = {"$ref": "#/components/schemas/ModelSpec"}
# A record as sent: validated by the service (so the errors read as on the page and in the CLI),
# documented as the record format.
RecordBody = Annotated[dict[str, Any], WithJsonSchema(SPEC_REF)]
MERGE_PATCH_SCHEMA = {
    "type": "object",
    "description": "JSON merge patch (RFC 7396) of the record format (ModelSpec): keys to set, "
    'null to remove, e.g. {"replicas": 3} or {"enabled": false}',
}
MergePatch = Annotated[dict[str, Any], WithJsonSchema(MERGE_PATCH_SCHEMA)]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelResource(_Out):
    namespace: str
    name: str
    version: int = Field(description="the record version; also the ETag")
    created_at: datetime
    updated_at: datetime
    record: ModelSpec


class UnreadableItem(_Out):
    namespace: str
    name: str
    team: str
    version: int
    updated_at: datetime
    problem: str
    message: str = Field(description="what to do about it, as the CLI's warning says")


class ModelPage(_Out):
    items: list[ModelResource]
    unreadable: list[UnreadableItem] = Field(
        default_factory=list, description="stored rows of this page that no longer validate"
    )
    continue_: str | None = Field(
        None, alias="continue", description="pass as ?continue= for the next page; null at the end"
    )
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class WriteResult(_Out):
    model: ModelResource
    pending: bool = Field(False, description="saved, but the cluster could not check it yet")
    notice: str = ""
    runs: int | None = Field(None, description="replicas the cluster is asked for now")


class DeleteResult(_Out):
    namespace: str
    name: str
    pending: bool = False
    notice: str = ""


class ApplyRequest(BaseModel):
    records: list[RecordBody] = Field(min_length=1)
    reason: str = ""
    create_only: bool = Field(False, description="refuse (409) if any record already exists")


class ApplyOutcomeOut(_Out):
    namespace: str
    name: str
    action: Literal["created", "updated", "unchanged"]
    version: int


class ApplyResult(_Out):
    outcomes: list[ApplyOutcomeOut]
    pending: bool = False
    notice: str = ""


class Change(_Out):
    field: str
    old: Any = None
    new: Any = None


class RevisionOut(_Out):
    number: int
    action: str
    actor: str
    source: str
    reason: str
    created_at: datetime
    record_version: int | None
    snapshot: dict[str, Any] | None = Field(description="the record format, null for a deletion")
    changes: list[Change]


class DiffOut(_Out):
    namespace: str
    name: str
    from_revision: int
    to_revision: int
    changes: list[Change]


class RollbackRequest(BaseModel):
    revision: int = Field(ge=1)
    reason: str = ""


class ManifestsOut(_Out):
    desired_replicas: int
    objects: list[dict[str, Any]]


class PodOut(_Out):
    name: str
    phase: str
    ready: bool
    restarts: int
    reason: str | None = None
    node: str | None = None
    message: str | None = None


class EventOut(_Out):
    type: str
    reason: str
    message: str
    count: int
    last_timestamp: str | None
    object: str


class StatusOut(_Out):
    namespace: str
    name: str
    connected: bool
    status: str | None = None
    ready: int = 0
    desired: int = 0
    diffs: list[str] = Field(default_factory=list)
    message: str = ""
    pods: list[PodOut] = Field(default_factory=list)
    events: list[EventOut] = Field(default_factory=list)


# ------------------------------------------------------------------ schedules


class PolicyOut(_Out):
    scope: Literal["global", "team"]
    team: str
    uptime: str | None
    downtime: str | None
    timezone: str | None
    holiday_country: str | None
    holiday_subdiv: str | None
    updated_by: str
    updated_at: datetime


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uptime: str | None = None
    downtime: str | None = None
    timezone: str | None = None
    holidays: str | None = Field(None, description="country[-subdivision], e.g. DE-BY")


class ModelScheduleOut(_Out):
    namespace: str
    name: str
    at: datetime
    state: str
    rule: str
    explanation: str
    schedule: ScheduleConfig | None = Field(description="the model's own schedule, if any")


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["up", "down"]
    until: datetime = Field(description="RFC 3339, at most 7 days ahead")
    reason: str = ""


class OverrideOut(_Out):
    namespace: str
    name: str
    state: str
    until: datetime
    actor: str
    reason: str


class Cleared(_Out):
    cleared: int


class ActionOut(_Out):
    at: datetime
    namespace: str
    name: str
    action: str
    reason: str
    detail: str
    before: int | None
    after: int | None
    actor: str
    dry_run: bool
    ok: bool
    error: str


# ------------------------------------------------------------------ cost


class EstimatePrices(_Out):
    region: str
    machine_family: str
    source: str
    as_of: date


class EstimateOut(_Out):
    hourly_usd: float
    total_usd: float
    replicas: int
    hours: float
    breakdown_usd: dict[str, float]
    prices: EstimatePrices


class ReportOut(_Out):
    source: Literal["modeled", "billing", "opencost", "compare"]
    by: str = Field(description="model, team, namespace, day or label:KEY")
    days: str = Field(description="The period's days, both included, and their zone")
    coverage: str | None = Field(
        None, description="compare: the days billing data covers and billed ÷ modeled over them"
    )
    rows: list[dict[str, str | float | int | bool | None]]


class ImportOut(_Out):
    already: bool
    rows: int
    new_rows: int
    new_usd: float


class PriceOut(BaseModel):
    region: str
    machine_family: str
    cpu_hourly: float
    memory_gib_hourly: float
    gpu_hourly: dict[str, float] = Field(default_factory=dict)
    source: str = ""
    as_of: date | None = None


class PricesIn(BaseModel):
    entries: list[PriceOut] = Field(min_length=1)


class PricesSaved(_Out):
    entries: int
    rerated: int


class BudgetOut(_Out):
    team: str
    monthly_usd: float | None


class BudgetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    monthly_usd: float


# ------------------------------------------------------------------ errors


class FieldProblem(_Out):
    field: str = Field(description="dotted path, e.g. resources.requests.cpu")
    message: str


class ProblemOut(BaseModel):
    """RFC 9457 problem document (``application/problem+json``); more members by type, e.g.
    ``current_version`` on 412, ``errors`` on 422."""

    type: str
    title: str
    status: int
    detail: str
    instance: str = ""
    errors: list[FieldProblem] | None = None
    current_version: int | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"model": ProblemOut, "description": "Invalid input (errors name each field)"},
    "default": {"model": ProblemOut, "description": "A problem document (RFC 9457)"},
}


# ------------------------------------------------------------------ access


class BindingOut(_Out):
    subject: str = Field(description="user:EMAIL or group:NAME")
    role: Literal["viewer", "editor", "admin"]
    team: str = ""
    created_by: str = ""
    created_at: datetime | None = None


class BindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(max_length=300, description="user:EMAIL or group:NAME")
    role: Literal["viewer", "editor", "admin"]
    team: str | None = Field(None, max_length=63, description="required for editor")


class Granted(_Out):
    granted: bool = Field(description="false when the binding existed already")


class AuditOut(_Out):
    at: datetime
    actor: str
    action: str
    subject: str
    role: str
    team: str
    detail: str


class TokenOut(_Out):
    id: int
    owner: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100)
    owner: str | None = Field(None, max_length=254, description="another user (admins)")
    days: int | None = Field(None, ge=1, le=3650)


class NewTokenOut(_Out):
    secret: str = Field(description="shown this once; send as Authorization: Bearer <secret>")
    token: TokenOut
