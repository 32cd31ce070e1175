"""Imported billing exports in the database: storing a parsed file (all rows or none, a row
seen before not counted twice) and billed cost per day, team and model."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import insert, text
from sqlmodel import Session, select

from barista_ui.cost.billing import BillingFileError, BillingRow, parse_billing
from barista_ui.cost.queries import SessionFactory, query_frame, utc_naive
from barista_ui.safe_input import MAX_BILLING_BYTES, InputError, check_size, decode_utf8
from data.cost_tables import BillingImport, BillingRowRecord
from data.db import transaction

UNALLOCATED = "(unallocated)"
BILLED_KEYS = ("day", "team", "model")
HASH_CHUNK = 500


def parse_export(
    content: bytes, fmt: str, team_key: str | None, model_key: str | None
) -> list[BillingRow]:
    """The rows of a billing export's bytes, at most ``MAX_BILLING_BYTES`` of UTF-8
    (``BillingFileError`` names the first bad line)."""
    try:
        check_size(len(content), MAX_BILLING_BYTES, "the file")
        text_ = decode_utf8(content, "the file")
    except InputError as exc:
        raise BillingFileError(None, str(exc)) from None
    return parse_billing(text_, fmt, team_key, model_key)


def _known_hashes(s: Session, hashes: list[str]) -> set[str]:
    known: set[str] = set()
    for i in range(0, len(hashes), HASH_CHUNK):
        chunk = hashes[i : i + HASH_CHUNK]
        known.update(
            s.exec(
                select(BillingRowRecord.row_hash).where(
                    BillingRowRecord.row_hash.in_(chunk)  # type: ignore[attr-defined]
                )
            ).all()
        )
    return known


def _row_values(import_id: int | None, r: BillingRow) -> dict[str, Any]:
    return {
        "import_id": import_id,
        "line": r.line,
        "time": r.time,
        "cost_usd": r.cost_usd,
        "currency": "USD",
        "team": r.team,
        "model": r.model,
        "service": r.service,
        "resource": r.resource,
        "row_hash": r.row_hash,
    }


def _summary(filename: str, rows: list[BillingRow], fresh: list[BillingRow], already: bool) -> dict:
    return {
        "file": filename,
        "rows": len(rows),
        "new_rows": len(fresh),
        "already": already,
        "new_usd": round(sum(r.cost_usd for r in fresh), 6),
    }


def store_import(
    new_session: SessionFactory,
    content: bytes,
    rows: list[BillingRow],
    *,
    fmt: str,
    filename: str,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """Store the rows of one export file in one transaction. The same file twice, or rows
    already imported from an overlapping file, are not counted again. Returns a summary:
    file, rows, new_rows, already (the same file before), new_usd."""
    sha = hashlib.sha256(content).hexdigest()
    with transaction(new_session) as s:
        if s.exec(select(BillingImport).where(BillingImport.file_sha256 == sha)).first():
            return _summary(filename, rows, [], already=True)
        known = _known_hashes(s, [r.row_hash for r in rows])
        fresh = [r for r in rows if r.row_hash not in known]
        imp = BillingImport(
            file_sha256=sha,
            filename=filename,
            format=fmt,
            rows=len(fresh),
            total_usd=sum(r.cost_usd for r in fresh),
            imported_by=actor,
            imported_at=now,
        )
        s.add(imp)
        s.flush()
        if fresh:
            s.execute(insert(BillingRowRecord), [_row_values(imp.id, r) for r in fresh])
    return _summary(filename, rows, fresh, already=False)


def has_billing(new_session: SessionFactory) -> bool:
    with new_session() as s:
        return s.exec(select(BillingRowRecord.id).limit(1)).first() is not None


def billed_sums(rows: pd.DataFrame, tz: str, keys: list[str]) -> pd.DataFrame:
    """Billing rows (time, team, model, cost_usd) summed by local day, team and/or model;
    rows without a team or model tag count under ``(unallocated)``."""
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "billed_usd"])
    df = rows.copy()
    df["day"] = pd.to_datetime(df["time"], utc=True, format="ISO8601").dt.tz_convert(tz).dt.date
    df["team"] = df["team"].fillna(UNALLOCATED)
    df["model"] = df["model"].fillna(UNALLOCATED)
    df = df.rename(columns={"cost_usd": "billed_usd"})
    if not keys:
        return pd.DataFrame({"billed_usd": [df["billed_usd"].sum()]})
    return df.groupby(keys, as_index=False)["billed_usd"].sum().sort_values(keys)


def billed(
    new_session: SessionFactory, tz: str, start: datetime, end: datetime, keys: list[str]
) -> pd.DataFrame:
    """Billed cost in [start, end) grouped by day (local), team and/or model."""
    bad = [k for k in keys if k not in BILLED_KEYS]
    if bad:
        raise ValueError(f"unknown grouping {bad}; allowed: {', '.join(BILLED_KEYS)}")
    query = text(
        "SELECT time, team, model, cost_usd FROM billing_row WHERE time >= :a AND time < :b"
    )
    rows = query_frame(new_session, query, {"a": utc_naive(start), "b": utc_naive(end)})
    return billed_sums(rows, tz, keys)
