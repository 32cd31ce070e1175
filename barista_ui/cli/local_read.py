"""One record from the local SQLite database without SQLAlchemy, Alembic or the table classes,
for ``barista models get``: one SELECT of the schema revision compared with the head the code
knows, then the row, read and judged as the registry reads it
(:func:`barista_ui.records.rows.read_row`), so the output is the same.

Anything else (PostgreSQL, URL options, a database not created yet or behind the code, one that
cannot be opened) answers None, and the command takes the registry's path, which migrates.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from data.revision import HEAD_REVISION
from data.sqlite_read import connect, model_namespaces, model_row, schema_revision, sqlite_file

DEFAULT_DATABASE_URL = "sqlite:///var/barista.db"  # Settings' default (a test keeps them equal)


@contextmanager
def no_pydantic_plugins() -> Iterator[None]:
    """Build the record's pydantic models without the plugin search (as Typer builds its own):
    it reads the entry points of every installed package, and Barista uses no pydantic plugin."""
    before = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYDANTIC_DISABLE_PLUGINS"]
        else:
            os.environ["PYDANTIC_DISABLE_PLUGINS"] = before


with no_pydantic_plugins():
    from barista_ui.records.judge import judge
    from barista_ui.records.record import (
        Ambiguous,
        ModelRecord,
        NotFound,
        Unreadable,
        UnreadableRecord,
    )


def configured_url() -> str | None:
    """BARISTA_DATABASE_URL as the settings read it, without loading them (pydantic-settings
    and its sources cost about as much to import as pydantic): from the environment (the name
    in any case, as they match it), else the default; None when a ``.env`` file may set it
    (only the settings read that). The other settings are not checked: reading one record
    uses none of them."""
    if Path(".env").exists():
        return None
    for key, value in os.environ.items():
        if key.lower() == "barista_database_url":
            return value
    return DEFAULT_DATABASE_URL


def quick_get(name: str, namespace: str | None) -> ModelRecord | None:
    """The record, as ``RegistryService.get`` returns it (and its errors: NotFound, Ambiguous,
    Unreadable); None when only the full path can answer."""
    url = configured_url()
    path = sqlite_file(url) if url is not None else None
    if path is None:
        return None
    try:
        with closing(connect(path)) as conn:
            if schema_revision(conn) != HEAD_REVISION:
                return None
            row = find(conn, name, namespace)
    except sqlite3.Error:  # locked for longer than the timeout, not a database, ...
        return None  # the full path says what is wrong, in its words
    return record_of(row)


def find(conn: sqlite3.Connection, name: str, namespace: str | None) -> dict[str, Any]:
    """The row of ``name`` (in ``namespace``, else the one namespace holding it)."""
    ns = namespace
    if not ns:
        found = model_namespaces(conn, name)
        if not found:
            raise NotFound(f"no model named '{name}'")
        if len(found) > 1:
            raise Ambiguous(name, found)
        ns = found[0]
    row = model_row(conn, ns, name)
    if row is None:
        raise NotFound(f"no model named '{name}' in namespace '{ns}'")
    return row


def stored_data(row: dict[str, Any]) -> dict[str, Any]:
    """The row in the file format, as stored (not validated)."""
    return {
        "name": row["name"],
        "namespace": row["namespace"],
        "team": row["team"],
        "owner": row["owner"],
        "description": row["description"],
        "image": row["image"],
        "model_uri": row["model_uri"],
        "model_version": row["model_version"],
        "port": row["port"],
        "replicas": row["replicas"],
        "resources": {
            "requests": {"cpu": row["cpu_request"], "memory": row["memory_request"]},
            "limits": {"cpu": row["cpu_limit"], "memory": row["memory_limit"]},
            "gpu": {"count": row["gpu_count"], "type": row["gpu_type"]},
        },
        "autoscaling": {
            "enabled": row["autoscaling_enabled"],
            "min": row["autoscaling_min"],
            "max": row["autoscaling_max"],
            "target_cpu_percent": row["autoscaling_target_cpu"],
        },
        "env": dict(row["env"] or {}),
        "labels": dict(row["labels"] or {}),
        "enabled": row["enabled"],
        "schedule": row["schedule"],
    }


def record_of(row: dict[str, Any]) -> ModelRecord:
    """The stored record; raises :class:`Unreadable` for a row that no longer validates."""
    data = stored_data(row)
    spec, problems = judge(data)
    if problems or spec is None:
        raise Unreadable(
            UnreadableRecord(
                namespace=row["namespace"],
                name=row["name"],
                team=row["team"],
                id=row["id"],
                version=row["version"],
                updated_at=row["updated_at"],
                problem="; ".join(str(e) for e in problems),
                stored=data,
            )
        )
    return ModelRecord(
        spec=spec,
        id=row["id"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
