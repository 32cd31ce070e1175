"""cost: covering indexes on the daily roll-up, one per way reports sum it

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 16:10:00.000000

Sums by day and team read ``ix_cost_daily_day_team`` in day order, sums by model read
``ix_cost_daily_model`` in model order: both without a sort and without touching the table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUMS = ["hours", "replica_hours", "cost_usd", "would_have_usd", "saved_usd"]


def upgrade() -> None:
    with op.batch_alter_table("cost_daily", schema=None) as batch_op:
        batch_op.create_index("ix_cost_daily_day_team", ["tz", "day", "team", *SUMS], unique=False)
        batch_op.create_index(
            "ix_cost_daily_model", ["tz", "namespace", "model", "team", "day", *SUMS], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cost_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_daily_model")
        batch_op.drop_index("ix_cost_daily_day_team")
