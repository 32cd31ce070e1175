"""Tables of the off-hours scheduler: policies, overrides, remembered state, action log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from data.types import UTCDateTime, utcnow


class SchedulePolicy(SQLModel, table=True):
    """The global default (scope 'global', team '') or one team's schedule (scope 'team')."""

    __tablename__ = "schedule_policy"
    __table_args__ = (UniqueConstraint("scope", "team", name="uq_schedule_policy_scope_team"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=16)
    team: str = Field(default="", max_length=63)
    uptime: str | None = None
    downtime: str | None = None
    timezone: str | None = Field(default=None, max_length=64)
    holiday_country: str | None = Field(default=None, max_length=8)
    holiday_subdiv: str | None = Field(default=None, max_length=16)
    updated_by: str = Field(default="", max_length=254)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = 1


class ScheduleOverride(SQLModel, table=True):
    """'Keep up/down until': explicit (by a person) or implicit (a manual scale in downtime)."""

    __tablename__ = "schedule_override"
    __table_args__ = (Index("ix_override_model", "namespace", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    namespace: str = Field(max_length=63)
    name: str = Field(max_length=63)
    state: str = Field(max_length=8)  # up | down
    until: datetime = Field(sa_type=UTCDateTime, nullable=False)
    kind: str = Field(default="manual", max_length=16)  # manual | implicit
    actor: str = Field(max_length=254)
    reason: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    cleared_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class ScheduleMemory(SQLModel, table=True):
    """What the scheduler did last to a model, and the replica count to restore."""

    __tablename__ = "schedule_memory"
    __table_args__ = (UniqueConstraint("namespace", "name", name="uq_schedule_memory_model"),)

    id: int | None = Field(default=None, primary_key=True)
    namespace: str = Field(max_length=63)
    name: str = Field(max_length=63)
    state: str = Field(default="up", max_length=8)  # the state the scheduler last enforced
    original_replicas: int | None = None  # running count before the scheduled scale-down
    scaled_down_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    rule: str = Field(default="", max_length=32)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class SchedulerAction(SQLModel, table=True):
    """Append-only log of every scheduler action and failure (also dry-run decisions)."""

    __tablename__ = "scheduler_action"
    __table_args__ = (Index("ix_scheduler_action_model", "namespace", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    namespace: str = Field(max_length=63)
    name: str = Field(max_length=63)
    action: str = Field(max_length=24)  # scale-down scale-up keep-manual error
    reason: str = Field(max_length=24)  # schedule holiday override manual catch-up
    detail: str = ""
    before: int | None = None
    after: int | None = None
    actor: str = Field(default="scheduler", max_length=254)
    dry_run: bool = False
    ok: bool = True
    error: str = ""
