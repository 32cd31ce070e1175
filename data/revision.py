"""The schema revision this code expects, and a database's revision read with one SELECT.

``HEAD_REVISION`` is Alembic's head kept as a constant, so a read-only command checks the schema
without loading Alembic and its script directory (which imports every migration): a test
compares it with Alembic's computed head and names the value to put here after a migration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

HEAD_REVISION = "0005"

REVISION_QUERY = "SELECT version_num FROM alembic_version"


def single_revision(rows: Iterable[Sequence[Any]]) -> str | None:
    """The revision in ``alembic_version``'s rows; None for none or several (branches)."""
    found = [str(r[0]) for r in rows]
    return found[0] if len(found) == 1 else None
