"""Engine, sessions and schema migrations (Alembic, run on start-up).

Alembic is imported only to migrate or to compute the head: a command that only reads compares
:func:`schema_revision` (one SELECT) with :data:`data.revision.HEAD_REVISION`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from data.revision import HEAD_REVISION, REVISION_QUERY, single_revision

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

SessionFactory = Callable[[], Session]


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets its parent folder, WAL and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if db and db != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


MIGRATION_LOCK = 0x62617269  # PostgreSQL advisory lock key held while migrating


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema of an empty or older database to ``revision``. On PostgreSQL one
    process at a time (a transaction-scoped advisory lock): replicas starting together wait
    for the first, then find the schema at head and do nothing."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """Alembic's head, computed from the migration scripts (loads every one of them)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def schema_revision(engine: Engine) -> str | None:
    """The database's revision by one SELECT, without Alembic; None when it has none (never
    migrated: no version table) or several."""
    with engine.connect() as conn:
        try:
            return single_revision(conn.exec_driver_sql(REVISION_QUERY))
        except (OperationalError, ProgrammingError):  # no alembic_version table (SQLite, PG)
            return None


def schema_is_current(engine: Engine) -> bool:
    return schema_revision(engine) == HEAD_REVISION


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def session_factory(engine: Engine) -> SessionFactory:
    """A callable returning new sessions; services own the transaction boundaries."""

    def _new() -> Session:
        return Session(engine, expire_on_commit=False)

    return _new


@contextmanager
def transaction(new_session: SessionFactory) -> Iterator[Session]:
    session = new_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
