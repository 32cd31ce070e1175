"""SQLModel tables of the model registry: records and their append-only revisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from data.types import UTCDateTime, utcnow


class ModelDeployment(SQLModel, table=True):
    """Intent: one deployed model's configuration. The cluster holds the live state."""

    __tablename__ = "model_deployment"
    __table_args__ = (UniqueConstraint("namespace", "name", name="uq_model_namespace_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=63, index=True)
    namespace: str = Field(max_length=63, index=True)
    team: str = Field(max_length=63, index=True)
    owner: str = Field(default="", max_length=254)
    description: str = Field(default="")
    image: str = Field(max_length=512)
    model_uri: str = Field(default="", max_length=1024)
    model_version: str = Field(default="", max_length=128)
    port: int = 8080
    cpu_request: str = Field(max_length=32)
    cpu_limit: str | None = Field(default=None, max_length=32)
    memory_request: str = Field(max_length=32)
    memory_limit: str | None = Field(default=None, max_length=32)
    gpu_count: int = 0
    gpu_type: str | None = Field(default=None, max_length=64)
    replicas: int = 1
    autoscaling_enabled: bool = False
    autoscaling_min: int = 1
    autoscaling_max: int = 4
    autoscaling_target_cpu: int = 70
    env: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    labels: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    enabled: bool = True
    schedule: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class Revision(SQLModel, table=True):
    """Append-only history: a full snapshot after every change, with who, how and why."""

    __tablename__ = "revision"
    __table_args__ = (
        UniqueConstraint("namespace", "name", "number", name="uq_revision_model_number"),
        Index("ix_revision_model", "namespace", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    namespace: str = Field(max_length=63)
    name: str = Field(max_length=63)
    number: int
    action: str = Field(max_length=16)  # create update delete rollback toggle scale import
    snapshot: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    actor: str = Field(max_length=254)
    source: str = Field(max_length=16)  # ui cli api scheduler
    reason: str = Field(default="")
    record_version: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
