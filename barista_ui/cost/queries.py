"""Reading cost tables into pandas: textual queries straight into DataFrames."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlmodel import Session

SessionFactory = Callable[[], Session]


def query_frame(new_session: SessionFactory, query: Any, params: dict[str, Any]) -> pd.DataFrame:
    """Rows of a textual query as a DataFrame, built column-wise from the driver's own tuples
    (a textual query has no result types to apply, so SQLAlchemy's row objects, a Python
    object per row, are skipped; at a few hundred thousand rows that halves the read)."""
    with new_session() as s:
        result = s.connection().execute(query, params)
        columns = list(result.keys())
        rows = result.cursor.fetchall() if result.cursor is not None else []
    data = dict(zip(columns, zip(*rows, strict=True), strict=True)) if rows else {}
    return pd.DataFrame({c: list(data.get(c, ())) for c in columns}, columns=columns)


def dialect_name(new_session: SessionFactory) -> str:
    with new_session() as s:
        return s.connection().dialect.name


def utc_naive(t: datetime) -> datetime:
    """``t`` as the naive UTC timestamp the tables store."""
    return t.astimezone(UTC).replace(tzinfo=None)
