"""What every CLI command shares: the services on the configured database, the actor, output
formats, and the one decorator that turns errors into a single ``error:`` line and an exit code."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from barista_ui.access.actor import Actor, operator
from barista_ui.access.roles import AccessDenied
from barista_ui.records.file_format import dump_records_yaml
from barista_ui.records.limits import ACTOR_CHARS
from barista_ui.records.record import Unreadable, UnreadableRecord
from barista_ui.records.registry import RegistryError
from barista_ui.records.spec import RecordInvalid
from barista_ui.safe_input import (
    MAX_FILE_BYTES,
    InputError,
    check_text,
    decode_utf8,
    read_limited,
    read_text_file,
)
from barista_ui.settings import Settings

if TYPE_CHECKING:  # built on first use: `barista --help` need not import the services
    from barista_ui.app import App


class Fmt(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


EXIT_DENIED = 3  # the actor may not do this (HTTP 401/403 in remote mode)


class CliError(Exception):
    """An error shown as one line on stderr with a non-zero exit code."""

    def __init__(self, message: str, code: int = 1):
        self.code = code
        super().__init__(message)


_services_cache: dict[str, Any] = {}


def services() -> App:
    """The typed app on the configured database (built once per process)."""
    if "s" not in _services_cache:
        from barista_ui.app import build_app

        # With a cluster configured (or a dashboard's simulator running), record changes are
        # checked by the cluster before they are saved and applied to it right after.
        _services_cache["s"] = build_app(Settings(), embedded=False)
    return _services_cache["s"]


def actor() -> Actor:
    """Who the local mode acts as: whoever holds the database credentials is an operator with
    the admin role, named by --actor / BARISTA_ACTOR or $USER."""
    return operator(actor_name())


def actor_name() -> str:
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


def warn_unreadable(records: Iterable[UnreadableRecord]) -> None:
    """One ``warning:`` line on stderr per stored row that no longer validates (listed apart,
    so the output itself stays valid JSON/YAML/table)."""
    for rec in records:
        typer.echo(f"warning: {Unreadable(rec)}", err=True)


def handle_errors(fn: Callable) -> Callable:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except CliError as exc:
            fail(str(exc), exc.code)
        except AccessDenied as exc:  # nothing was changed; the message names the role needed
            fail(str(exc), EXIT_DENIED)
        except RecordInvalid as exc:
            fail(f"invalid record {str(exc)}" if exc.name else f"invalid record: {exc}")
        except (RegistryError, InputError) as exc:
            fail(str(exc))
        except (UnicodeError, RecursionError, MemoryError) as exc:  # input no check caught
            fail(f"the input cannot be read: {type(exc).__name__}: {exc}")
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        except SQLAlchemyError as exc:
            fail(database_refusal(exc))
        except ValidationError as exc:  # records have their own; this is the configuration
            fail(setting_refusal(exc))
        except Exception as exc:  # a clear one-liner instead of a traceback
            name = type(exc).__name__
            if name.endswith("Error") and type(exc).__module__.startswith(("k8s", "barista_ui")):
                fail(str(exc))
            raise

    return wrapper


def database_refusal(exc: SQLAlchemyError) -> str:
    """One line for a database error, never its SQL statement or parameters (they can hold
    env values): the driver's first line, e.g. 'value too long for type character varying'."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        first = (str(exc.orig).strip().splitlines() or [""])[0]
        return f"the database refused the change: {first or type(exc.orig).__name__}"
    return f"the database failed ({type(exc).__name__})"


def setting_refusal(exc: ValidationError) -> str:
    """The first bad ``BARISTA_*`` setting, named as it is set."""
    if exc.title != "Settings" or not exc.errors():
        return f"invalid input: {exc.errors()[0]['msg'] if exc.errors() else exc.title}"
    err = exc.errors()[0]
    name = "BARISTA_" + "_".join(str(p) for p in err["loc"]).upper()
    return f"invalid setting {name}: {err['msg'].removeprefix('Value error, ')}"


def input_name(path: Path) -> str:
    """How errors name a file given on the command line ("stdin" for ``-``)."""
    return "stdin" if str(path) == "-" else str(path)


def read_file(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """UTF-8 text of a file, or of stdin for ``-``, read no further than ``limit`` bytes."""
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
        items = rows if isinstance(rows, list) else [rows]
        typer.echo(dump_records_yaml(items) if items else "[]", nl=False)
    else:
        typer.echo(table())


def render_table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda r: "  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip()  # noqa: E731
    return "\n".join([line(headers)] + [line(r) for r in cells])
