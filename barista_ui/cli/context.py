"""What every CLI command shares: the services on the configured database, the actor, output
formats, and the one decorator that turns errors into a single ``error:`` line and an exit code."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from barista_ui.cli.errors import EXIT_DENIED, CliError

# Imports stay inside the functions that need them: `barista --help` and every remote command
# start without the services, SQLAlchemy, pydantic models, pandas or kubernetes.
if TYPE_CHECKING:  # built on first use: `barista --help` need not import the services
    from barista_ui.access.actor import Actor
    from barista_ui.app import App
    from barista_ui.records.record import UnreadableRecord
    from barista_ui.records.registry import RegistryService


class Fmt(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


_services_cache: dict[str, Any] = {}


def local_only() -> None:
    """Refuse in remote mode: a command that only works locally says so instead of acting on
    another database."""
    from barista_ui.cli.remote import target

    t = target()
    if t is not None:
        raise CliError(
            f"this command works on the local database only; it is not available in remote "
            f"mode ({t.url}, from {t.source}): unset BARISTA_URL or run 'barista logout'"
        )


def registry() -> RegistryService:
    """The records of the configured database for commands that only read them: no cluster,
    scheduler or cost services are built, and the schema is migrated only when its revision is
    behind (one quick read otherwise)."""
    local_only()
    if "s" in _services_cache:
        return _services_cache["s"].registry
    if "r" not in _services_cache:
        from barista_ui.records.registry import RegistryService
        from barista_ui.settings import Settings
        from data.db import make_engine, migrate, schema_is_current, session_factory

        settings = Settings()
        engine = make_engine(settings.database_url)
        if not schema_is_current(engine):
            migrate(engine)
        _services_cache["engine"] = engine
        _services_cache["r"] = RegistryService(
            session_factory(engine),
            max_replicas=settings.max_replicas,
            bounds=settings.resource_bounds(),
        )
    return _services_cache["r"]


def services() -> App:
    """The typed app on the configured database (built once per process); refused in remote
    mode, so a command that only works locally says so instead of acting on another database."""
    local_only()
    if "s" not in _services_cache:
        from barista_ui.app import build_app
        from barista_ui.settings import Settings

        # With a cluster configured (or a dashboard's simulator running), record changes are
        # checked by the cluster before they are saved and applied to it right after.
        _services_cache["s"] = build_app(Settings(), embedded=False)
    return _services_cache["s"]


def actor() -> Actor:
    """Who the local mode acts as: whoever holds the database credentials is an operator with
    the admin role, named by --actor / BARISTA_ACTOR or $USER."""
    from barista_ui.access.actor import operator

    return operator(actor_name())


def actor_name() -> str:
    import getpass
    import os

    from barista_ui.records.limits import ACTOR_CHARS

    s = services().settings
    if s.actor:
        return s.actor
    try:
        name = os.environ.get("USER") or getpass.getuser()
    except Exception:
        return "cli"
    if len(name) > ACTOR_CHARS:
        fail(f"$USER is longer than {ACTOR_CHARS} characters; set BARISTA_ACTOR")
    return name


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit with ``code``."""
    one_line = " ".join(part.strip() for part in str(message).splitlines() if part.strip())
    typer.echo(f"error: {one_line}", err=True)
    raise typer.Exit(code)


def warn_unreadable(records: Iterable[UnreadableRecord | str]) -> None:
    """One ``warning:`` line on stderr per stored row that no longer validates (listed apart,
    so the output itself stays valid JSON/YAML/table); remote mode passes the server's text."""
    from barista_ui.records.record import Unreadable

    for rec in records:
        typer.echo(f"warning: {rec if isinstance(rec, str) else Unreadable(rec)}", err=True)


def handle_errors(fn: Callable) -> Callable:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except CliError as exc:
            fail(str(exc), exc.code)
        except (UnicodeError, RecursionError, MemoryError) as exc:  # input no check caught
            fail(f"the input cannot be read: {type(exc).__name__}: {exc}")
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        except Exception as exc:  # a clear one-liner instead of a traceback
            denied = _loaded("barista_ui.access.roles", "AccessDenied")
            if denied and isinstance(exc, denied):  # nothing changed; names the role needed
                fail(str(exc), EXIT_DENIED)
            invalid = _loaded("barista_ui.records.errors", "RecordInvalid")
            if invalid and isinstance(exc, invalid):  # every error, one line each
                *first, last = invalid_lines(exc)
                for line in first:
                    typer.echo(f"error: {line}", err=True)
                fail(last)
            message = explain_error(exc)
            if message is None:
                raise
            fail(message)

    return wrapper


def invalid_lines(exc: Any) -> list[str]:
    """A ``RecordInvalid`` as one line per refused field, each naming the record."""
    head = f"invalid record {exc.name}: " if exc.name else "invalid record: "
    return [head + str(e) for e in exc.errors] or [head.rstrip(": ")]


def _loaded(module: str, name: str) -> type | None:
    """An error class, if its module was imported (else nothing raised can be one of it)."""
    mod = sys.modules.get(module)
    return getattr(mod, name, None) if mod is not None else None


def explain_error(exc: Exception) -> str | None:
    """The one line for an error of the services, the database or the settings; None for a bug."""
    record_invalid = _loaded("barista_ui.records.errors", "RecordInvalid")
    if record_invalid and isinstance(exc, record_invalid):
        return f"invalid record {str(exc)}" if exc.name else f"invalid record: {exc}"  # type: ignore[attr-defined]
    for module, name in (
        ("barista_ui.records.record", "RegistryError"),
        ("barista_ui.safe_input", "InputError"),
    ):
        cls = _loaded(module, name)
        if cls and isinstance(exc, cls):
            return str(exc)
    sql_error = _loaded("sqlalchemy.exc", "SQLAlchemyError")
    if sql_error and isinstance(exc, sql_error):
        return database_refusal(exc)
    validation = _loaded("pydantic", "ValidationError")
    if validation and isinstance(exc, validation):  # records have their own; this is settings
        return setting_refusal(exc)
    name = type(exc).__name__
    if name.endswith("Error") and type(exc).__module__.startswith(("k8s", "barista_ui")):
        return str(exc)
    return None


def database_refusal(exc: Any) -> str:
    """One line for a database error, never its SQL statement or parameters (they can hold
    env values): the driver's first line, e.g. 'value too long for type character varying'."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        first = (str(exc.orig).strip().splitlines() or [""])[0]
        return f"the database refused the change: {first or type(exc.orig).__name__}"
    return f"the database failed ({type(exc).__name__})"


def setting_refusal(exc: Any) -> str:
    """The first bad ``BARISTA_*`` setting, named as it is set."""
    if exc.title != "Settings" or not exc.errors():
        return f"invalid input: {exc.errors()[0]['msg'] if exc.errors() else exc.title}"
    err = exc.errors()[0]
    name = "BARISTA_" + "_".join(str(p) for p in err["loc"]).upper()
    return f"invalid setting {name}: {err['msg'].removeprefix('Value error, ')}"


def input_name(path: Path) -> str:
    """How errors name a file given on the command line ("stdin" for ``-``)."""
    return "stdin" if str(path) == "-" else str(path)


def read_file(path: Path, limit: int | None = None) -> str:
    """UTF-8 text of a file, or of stdin for ``-``, read no further than ``limit`` bytes
    (default: the record file limit)."""
    from barista_ui.safe_input import (
        MAX_FILE_BYTES,
        check_text,
        decode_utf8,
        read_limited,
        read_text_file,
    )

    limit = MAX_FILE_BYTES if limit is None else limit

    if str(path) != "-":
        return read_text_file(path, limit)
    stdin = getattr(sys.stdin, "buffer", None)
    if stdin is None:  # a text-only stdin: count characters, then bytes
        text = sys.stdin.read(limit + 1)
        check_text(text, limit, "stdin")
        return text
    return decode_utf8(read_limited(stdin, limit, "stdin"), "stdin")


def emit(rows: list[dict[str, Any]] | dict[str, Any], fmt: Fmt, table: Callable[[], str]) -> None:
    if fmt == Fmt.json:
        typer.echo(json.dumps(rows, indent=2, default=str))
    elif fmt == Fmt.yaml:
        from barista_ui.records.file_format import dump_records_yaml

        items = rows if isinstance(rows, list) else [rows]
        typer.echo(dump_records_yaml(items) if items else "[]", nl=False)
    else:
        typer.echo(table())


def render_table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda r: "  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip()  # noqa: E731
    return "\n".join([line(headers)] + [line(r) for r in cells])
