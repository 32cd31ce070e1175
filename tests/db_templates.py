"""SQLite databases built once per test session and copied for each test.

Migrating a database costs a fraction of a second, and seeding the demo fleet (40 models and 90
days of hourly replica history, each hour asking the schedule) several seconds; copying a file
costs a millisecond. A copy is what the test would have built: the demo template is keyed on
the hour its history ends at and on the ``BARISTA_*`` settings, so a test never sees history
that a fresh seed would not write.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from data.db import make_engine, migrate


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database with SQLite's backup API (consistent whatever its journal)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def sqlite_file(url: str | None) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    if not url:
        return None
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


class Templates:
    """The session's template databases, made on first use in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: dict[object, Path] = {}

    def migrated(self) -> Path:
        """An empty database at the head revision."""
        if "migrated" not in self._made:
            path = self.folder / "migrated.db"
            engine = make_engine(f"sqlite:///{path}")
            migrate(engine)
            engine.dispose()
            self._made["migrated"] = path
        return self._made["migrated"]

    def demo(self) -> Path:
        """A migrated database with the demo fleet, as the app seeds it now with these settings."""
        from barista_ui.app import build_app
        from barista_ui.settings import Settings

        hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        settings = frozenset(
            (k, v)
            for k, v in os.environ.items()
            if k.startswith("BARISTA_") and k != "BARISTA_DATABASE_URL"
        )
        key = (hour, settings)
        if key not in self._made:
            path = self.folder / f"demo-{len(self._made)}.db"
            copy_database(self.migrated(), path)
            app = build_app(
                Settings(database_url=f"sqlite:///{path}", cluster="none", scheduler_enabled=False),
                seed=True,
            )
            app.engine.dispose()
            self._made[key] = path
        return self._made[key]

    def provide_app_database(self) -> None:
        """Before the app starts: when its database (``BARISTA_DATABASE_URL``) is a SQLite file
        not made yet, copy in what start-up would make there (seeded if ``BARISTA_SEED_DEMO``)."""
        from barista_ui.settings import Settings

        target = sqlite_file(os.environ.get("BARISTA_DATABASE_URL"))
        if target is None or target.exists():
            return
        settings = Settings()
        # the seed with a cluster may act on it too: only the records-only app gets the copy
        seeded = settings.seed_demo and settings.cluster == "none"
        copy_database(self.demo() if seeded else self.migrated(), target)
