"""Store a record row that no longer validates, bypassing validation (as a row saved before a
check existed, or written around Barista, would be)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col

from data.db import make_engine
from data.tables import ModelDeployment

BAD_SCHEDULE = {"uptime": "whenever", "timezone": "Mars/Olympus"}


def spoil(database: Any, namespace: str, name: str, **columns: Any) -> None:
    """Overwrite columns of a stored row with SQL (``database``: an engine or a SQLite path)."""
    engine = database if hasattr(database, "begin") else make_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        result = conn.execute(
            update(ModelDeployment)
            .where(col(ModelDeployment.namespace) == namespace, col(ModelDeployment.name) == name)
            .values(**columns)
        )
        assert result.rowcount == 1, f"no row {namespace}/{name}"
