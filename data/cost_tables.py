"""Tables of the cost engine: replica history, prices, budgets, imported billing data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from data.types import UTCDateTime, utcnow

SEGMENT_READ = (
    "namespace",
    "name",
    "team",
    "replicas",
    "hourly_rate",
    "scheduled_down",
    "baseline_replicas",
)


class ReplicaSegment(SQLModel, table=True):
    """A stretch of time during which a model ran a constant number of replicas."""

    __tablename__ = "replica_segment"
    __table_args__ = (
        Index("ix_segment_model_start", "namespace", "name", "start"),
        Index("ix_segment_open", "namespace", "name", "end"),
        # covering indexes for reading the segments of a stretch of time (today, a mid-day
        # start) without a table lookup per segment, by either end of the stretch
        Index("ix_segment_end_cover", "end", "start", *SEGMENT_READ),
        Index("ix_segment_start_cover", "start", "end", *SEGMENT_READ),
    )

    id: int | None = Field(default=None, primary_key=True)
    namespace: str = Field(max_length=63)
    name: str = Field(max_length=63)
    team: str = Field(max_length=63, index=True)
    start: datetime = Field(sa_type=UTCDateTime, nullable=False)
    end: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    replicas: int
    reason: str = Field(max_length=24)  # watch apply toggle schedule holiday override manual ...
    hourly_rate: float  # USD per replica-hour in force during the segment
    gpu_type: str | None = Field(default=None, max_length=64)
    scheduled_down: bool = False
    baseline_replicas: int | None = None
    demo: bool = False


class PriceEntryRow(SQLModel, table=True):
    __tablename__ = "price_entry"
    __table_args__ = (UniqueConstraint("region", "machine_family", name="uq_price_region_family"),)

    id: int | None = Field(default=None, primary_key=True)
    region: str = Field(max_length=64)
    machine_family: str = Field(max_length=64)
    cpu_hourly: float
    memory_gib_hourly: float
    gpu_hourly: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = ""
    as_of: date
    updated_by: str = Field(default="", max_length=254)  # who saved the table


class TeamBudget(SQLModel, table=True):
    __tablename__ = "team_budget"

    team: str = Field(primary_key=True, max_length=63)
    monthly_usd: float
    updated_by: str = Field(default="", max_length=254)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class BillingImport(SQLModel, table=True):
    __tablename__ = "billing_import"

    id: int | None = Field(default=None, primary_key=True)
    file_sha256: str = Field(max_length=64, unique=True)
    filename: str = ""
    format: str = Field(max_length=8)  # focus | gcp
    rows: int = 0
    total_usd: float = 0.0
    imported_by: str = Field(default="", max_length=254)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class BillingRowRecord(SQLModel, table=True):
    __tablename__ = "billing_row"
    __table_args__ = (UniqueConstraint("row_hash", name="uq_billing_row_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(index=True)
    line: int
    time: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    cost_usd: float
    currency: str = Field(default="USD", max_length=8)
    team: str | None = Field(default=None, max_length=63)
    model: str | None = Field(default=None, max_length=63)
    service: str | None = None
    resource: str | None = None
    row_hash: str = Field(max_length=64)


ROLLUP_SUMS = ("hours", "replica_hours", "cost_usd", "would_have_usd", "saved_usd")


class CostDaily(SQLModel, table=True):
    """Roll-up of replica history: one row per model and complete local day, per timezone.

    Written once a day has ended (the segments inside it can no longer change), so reports
    over weeks read thousands of these instead of millions of segments.
    """

    __tablename__ = "cost_daily"
    # covering indexes, one per way reports sum the roll-up (in their GROUP BY order)
    __table_args__ = (
        Index("ix_cost_daily_day_team", "tz", "day", "team", *ROLLUP_SUMS),
        Index("ix_cost_daily_model", "tz", "namespace", "model", "team", "day", *ROLLUP_SUMS),
    )

    tz: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)
    namespace: str = Field(primary_key=True, max_length=63)
    model: str = Field(primary_key=True, max_length=63)
    team: str = Field(max_length=63, index=True)
    hours: float
    replica_hours: float
    cost_usd: float
    would_have_usd: float
    saved_usd: float


class ReplicaHourly(SQLModel, table=True):
    """Running replica-hours per team and local hour of complete days (the heatmap)."""

    __tablename__ = "replica_hourly"

    tz: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)
    hour: int = Field(primary_key=True)
    team: str = Field(primary_key=True, max_length=63)
    hours: float
    replica_hours: float


class CostRollupState(SQLModel, table=True):
    """Days before ``through`` (local, in ``tz``) are rolled up."""

    __tablename__ = "cost_rollup_state"

    tz: str = Field(primary_key=True, max_length=64)
    through: date
