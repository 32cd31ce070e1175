"""Read-only access to a SQLite database file with the standard library's ``sqlite3``, for
commands that must start fast (``barista models get``): no SQLAlchemy, no table classes.

It reads what the tables of :mod:`data.tables` store and decodes the values as their column
types do (JSON text, 0/1 booleans, naive UTC timestamps); a test compares its rows with the
ORM's, so a column added there and not here fails it. Anything it cannot answer cheaply (another
database, URL options, a missing file, a schema behind the code) is left to the full path.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from data.revision import REVISION_QUERY, single_revision

SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")
JSON_COLUMNS = frozenset({"env", "labels", "schedule"})
BOOL_COLUMNS = frozenset({"autoscaling_enabled", "enabled"})
TIME_COLUMNS = frozenset({"created_at", "updated_at"})
BUSY_TIMEOUT_S = 30  # as data.db.make_engine: wait for a writer rather than fail


def sqlite_file(url: str) -> Path | None:
    """The existing file of a plain SQLite URL (``sqlite:///var/barista.db``); None for other
    databases, in-memory ones, URLs with options and files not created yet."""
    prefix = next((p for p in SQLITE_PREFIXES if url.startswith(p)), None)
    if prefix is None:
        return None
    rest = url[len(prefix) :]
    if not rest or "?" in rest or rest == ":memory:":
        return None
    path = Path(unquote(rest))
    return path if path.is_file() else None


def connect(path: Path) -> sqlite3.Connection:
    """A connection to an existing file (``mode=rw`` never creates one; only SELECTs are sent
    through it, and closing it tidies the WAL as any other connection's closing does); raises
    ``sqlite3.Error`` if it cannot open."""
    uri = f"file:{quote(str(path.absolute()))}?mode=rw"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)


def schema_revision(conn: sqlite3.Connection) -> str | None:
    """The database's Alembic revision; None when it has none (never migrated)."""
    try:
        return single_revision(conn.execute(REVISION_QUERY).fetchall())
    except sqlite3.OperationalError:  # no alembic_version table
        return None


def model_namespaces(conn: sqlite3.Connection, name: str) -> list[str]:
    """Every namespace holding a model of this name, sorted."""
    rows = conn.execute(
        "SELECT DISTINCT namespace FROM model_deployment WHERE name = ?", (name,)
    ).fetchall()
    return sorted(r[0] for r in rows)


def model_row(conn: sqlite3.Connection, namespace: str, name: str) -> dict[str, Any] | None:
    """The stored columns of one model, decoded as the ORM reads them; None if there is none."""
    cur = conn.execute(
        "SELECT * FROM model_deployment WHERE namespace = ? AND name = ?", (namespace, name)
    )
    row = cur.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cur.description]
    return {k: decode(k, v) for k, v in zip(names, row, strict=True)}


def decode(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in JSON_COLUMNS:
        return json.loads(value)
    if column in BOOL_COLUMNS:
        return bool(value)
    if column in TIME_COLUMNS:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value
