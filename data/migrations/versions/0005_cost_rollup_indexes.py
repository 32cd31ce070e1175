"""cost: covering indexes on the daily roll-up, one per way reports sum it, and on the replica
history for reading a stretch of time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 16:10:00.000000

Sums by day and team read ``ix_cost_daily_day_team`` in day order, sums by model read
``ix_cost_daily_model`` in model order: both without a sort and without touching the table. The segments of a stretch of time (today,
a mid-day start) are read from ``ix_segment_end_cover`` or ``ix_segment_start_cover`` alone
(they replace ``ix_segment_end`` and ``ix_replica_segment_start``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEGMENT_READ = [
    "namespace",
    "name",
    "team",
    "replicas",
    "hourly_rate",
    "scheduled_down",
    "baseline_replicas",
]
SUMS = ["hours", "replica_hours", "cost_usd", "would_have_usd", "saved_usd"]


def upgrade() -> None:
    with op.batch_alter_table("cost_daily", schema=None) as batch_op:
        batch_op.create_index("ix_cost_daily_day_team", ["tz", "day", "team", *SUMS], unique=False)
        batch_op.create_index(
            "ix_cost_daily_model", ["tz", "namespace", "model", "team", "day", *SUMS], unique=False
        )

    with op.batch_alter_table("replica_segment", schema=None) as batch_op:
        batch_op.drop_index("ix_segment_end")
        batch_op.create_index("ix_segment_end_cover", ["end", "start", *SEGMENT_READ])
        batch_op.drop_index("ix_replica_segment_start")
        batch_op.create_index("ix_segment_start_cover", ["start", "end", *SEGMENT_READ])


def downgrade() -> None:
    with op.batch_alter_table("replica_segment", schema=None) as batch_op:
        batch_op.drop_index("ix_segment_start_cover")
        batch_op.create_index("ix_replica_segment_start", ["start"], unique=False)
        batch_op.drop_index("ix_segment_end_cover")
        batch_op.create_index("ix_segment_end", ["end"], unique=False)
    with op.batch_alter_table("cost_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_daily_model")
        batch_op.drop_index("ix_cost_daily_day_team")
