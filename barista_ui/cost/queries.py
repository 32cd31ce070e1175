"""Reading cost tables into pandas: textual queries straight into DataFrames."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlmodel import Session

SessionFactory = Callable[[], Session]


def query_frame(new_session: SessionFactory, query: Any, params: dict[str, Any]) -> pd.DataFrame:
    """Rows of a textual query as a DataFrame, built column-wise from plain tuples
    (handing SQLAlchemy rows to pandas costs a failed attribute lookup per row)."""
    with new_session() as s:
        result = s.connection().execute(query, params)
        columns = list(result.keys())
        rows = [tuple(r) for r in result.fetchall()]
    data = dict(zip(columns, zip(*rows, strict=True), strict=True)) if rows else {}
    return pd.DataFrame({c: list(data.get(c, ())) for c in columns}, columns=columns)


def dialect_name(new_session: SessionFactory) -> str:
    with new_session() as s:
        return s.connection().dialect.name


def utc_naive(t: datetime) -> datetime:
    """``t`` as the naive UTC timestamp the tables store."""
    return t.astimezone(UTC).replace(tzinfo=None)
