"""``barista models ...``: model records from the command line, on the local database or, in
remote mode, through the server's API (:mod:`barista_ui.cli.remote_models`) with the same output
and exit codes. Service imports stay inside the commands (a fast start)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from barista_ui.cli import remote_models as remote
from barista_ui.cli.context import (
    Fmt,
    actor,
    emit,
    handle_errors,
    input_name,
    read_file,
    registry,
    render_table,
    services,
    warn_unreadable,
)
from barista_ui.cli.errors import CliError
from barista_ui.cli.remote import is_remote
from barista_ui.cli.views import (
    HISTORY_HEADERS,
    MODEL_HEADERS,
    RecordView,
    history_table_row,
    model_row,
)

models_app = typer.Typer(
    help="Model records: list, create, edit, delete, history.", no_args_is_help=True
)
NS = typer.Option(None, "--namespace", "-n")
REASON = typer.Option("", help="Why (kept in the revision)")


def load_file(file: Path) -> list[dict[str, Any]]:
    from barista_ui.records.file_format import load_records_yaml

    return load_records_yaml(read_file(file), input_name(file))


def reconcile_saved(keys: list[tuple[str, str]], notice: str) -> None:
    from barista_ui.cli.fleet import reconcile_saved as reconcile

    reconcile(keys, notice)


@models_app.command("list")
@handle_errors
def models_list(
    team: str | None = typer.Option(None, help="Only this team's models"),
    namespace: str | None = NS,
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-o"),
) -> None:
    """List model records."""
    warnings: list[Any]
    if is_remote():
        views, warnings = remote.listing(team, namespace)
    else:
        recs, unreadable = registry().read_models(team=team, namespace=namespace)
        views, warnings = [RecordView.of(r) for r in recs], list(unreadable)
    emit(
        [v.record for v in views],
        fmt,
        lambda: render_table(MODEL_HEADERS, [model_row(v) for v in views]),
    )
    warn_unreadable(warnings)


@models_app.command("get")
@handle_errors
def models_get(
    name: str, namespace: str | None = NS, fmt: Fmt = typer.Option(Fmt.yaml, "--format", "-o")
) -> None:
    """Show one record (YAML by default)."""
    v = remote.get(name, namespace) if is_remote() else RecordView.of(_read_one(name, namespace))
    emit(v.record, fmt, lambda: render_table(MODEL_HEADERS, [model_row(v)]))


def _read_one(name: str, namespace: str | None) -> Any:
    """A record to show: straight from a SQLite file whose schema is current (a quick start),
    else through the registry (which migrates an older schema first)."""
    from barista_ui.cli.local_read import quick_get

    return quick_get(name, namespace) or _local(name, namespace)


def _local(name: str, namespace: str | None) -> Any:
    return registry().get(name, namespace)


def _saved_lines(outcomes: list[tuple[str, str, str]], notice: str, only_changed: bool) -> None:
    for ns, name, action in outcomes:
        typer.echo(f"{ns}/{name} {action}")
    changed = [(ns, n) for ns, n, a in outcomes if not only_changed or a != "unchanged"]
    if is_remote():
        if notice:
            typer.echo(f"Pending: {notice}", err=True)
        return
    reconcile_saved(changed, notice)


@models_app.command("create")
@handle_errors
def models_create(
    file: Path = typer.Option(..., "-f", "--file", help="YAML file with one or more records"),
    reason: str = REASON,
) -> None:
    """Create new records; fails if any already exists (nothing is saved then)."""
    records = load_file(file)
    if is_remote():
        outcomes, notice = remote.apply(records, reason, create_only=True)
        return _saved_lines(outcomes, notice, only_changed=False)
    reg = services().registry
    for data in records:
        spec = reg.validate(data)
        if reg.find(spec.name, spec.namespace):
            raise CliError(remote.exists_message(spec.namespace, spec.name))
    batch = services().models.apply_many(records, actor=actor(), source="cli", reason=reason)
    done = [(o.namespace, o.name, "created") for o in batch.outcomes]
    _saved_lines(done, batch.notice, only_changed=False)


@models_app.command("apply")
@handle_errors
def models_apply(
    file: Path = typer.Option(..., "-f", "--file", help="YAML file with one or more records"),
    reason: str = typer.Option("", help="Why (kept in the revisions)"),
) -> None:
    """Create or update records from a file, all or nothing."""
    records = load_file(file)
    if is_remote():
        outcomes, notice = remote.apply(records, reason)
    else:
        batch = services().models.apply_many(records, actor=actor(), source="cli", reason=reason)
        outcomes = [(o.namespace, o.name, o.action) for o in batch.outcomes]
        notice = batch.notice
    _saved_lines(outcomes, notice, only_changed=True)


@models_app.command("delete")
@handle_errors
def models_delete(name: str, namespace: str | None = NS, reason: str = REASON) -> None:
    """Delete a record (its history is kept; rollback recreates it)."""
    if is_remote():
        key, notice = remote.delete(name, namespace, reason)
    else:
        from barista_ui.records.record import Unreadable

        try:
            rec: Any = services().registry.get(name, namespace)
        except Unreadable as exc:  # stored with values no longer valid: deleting it is one fix
            rec = exc.record
        saved = services().models.delete(
            rec.namespace, rec.name, actor=actor(), source="cli", reason=reason
        )
        key, notice = rec.key, saved.notice
    typer.echo(f"{key[0]}/{key[1]} deleted")
    _after_write(key, notice)


def _after_write(key: tuple[str, str], notice: str) -> None:
    if is_remote():
        if notice:
            typer.echo(f"Pending: {notice}", err=True)
    else:
        reconcile_saved([key], notice)


@models_app.command("history")
@handle_errors
def models_history(
    name: str, namespace: str | None = NS, fmt: Fmt = typer.Option(Fmt.table, "--format", "-o")
) -> None:
    """Revisions of a record, newest first, with what changed."""
    if is_remote():
        rows = remote.history(name, namespace)
    else:
        from barista_ui.records.secrets import mask_changes

        rows = [
            {
                "revision": r.number,
                "action": r.action,
                "actor": r.actor,
                "source": r.source,
                "reason": r.reason,
                "time": r.created_at.isoformat(),
                "changes": mask_changes(r.changes),
            }
            for r in registry().history(name, namespace)
        ]
    emit(rows, fmt, lambda: render_table(HISTORY_HEADERS, [history_table_row(r) for r in rows]))


@models_app.command("diff")
@handle_errors
def models_diff(
    name: str,
    from_: int | None = typer.Option(None, "--from", help="Revision (default: the one before)"),
    to: int | None = typer.Option(None, "--to", help="Revision (default: the latest)"),
    namespace: str | None = NS,
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-o"),
) -> None:
    """Field changes between two revisions of a record."""
    if is_remote():
        changes = remote.diff(name, namespace, from_, to)
    else:
        from barista_ui.records.secrets import mask_changes

        reg = registry()
        b = to if to is not None else reg.history(name, namespace)[0].number
        a = from_ if from_ is not None else b - 1
        if a < 1:
            raise CliError(f"model '{name}' has no revision before {b}")
        changes = mask_changes(reg.diff(name, a, b, namespace))
    emit(
        changes,
        fmt,
        lambda: render_table(
            ["FIELD", "OLD", "NEW"], [[c["field"], c["old"], c["new"]] for c in changes]
        ),
    )


@models_app.command("rollback")
@handle_errors
def models_rollback(
    name: str,
    to: int = typer.Option(..., "--to", help="Revision number to restore"),
    namespace: str | None = NS,
    reason: str = REASON,
) -> None:
    """Restore an earlier revision as a new revision."""
    if is_remote():
        v, notice = remote.rollback(name, namespace, to, reason)
    else:
        saved = services().models.rollback(
            name, to, namespace=namespace, actor=actor(), source="cli", reason=reason
        )
        v, notice = RecordView.of(saved.record), saved.notice
    typer.echo(f"{v.namespace}/{v.name} rolled back to revision {to} (version {v.version})")
    _after_write(v.key, notice)


@models_app.command("set")
@handle_errors
def models_set(
    name: str,
    assignments: list[str] = typer.Argument(..., help="FIELD=VALUE (dotted, YAML values)"),
    namespace: str | None = NS,
    reason: str = REASON,
) -> None:
    """Change fields of a record, e.g. ``replicas=3 resources.limits.cpu=4 env.MODE=fast``
    (a value of ``null`` removes the field)."""
    patch = parse_assignments(assignments)
    if is_remote():
        v, notice = remote.patch(name, namespace, patch, reason)
    else:
        from barista_ui.records.merge_patch import merge_patch

        rec = _local(name, namespace)
        saved = services().models.update(
            rec.namespace,
            rec.name,
            merge_patch(rec.to_file_dict(), patch),
            expected_version=rec.version,
            actor=actor(),
            source="cli",
            reason=reason,
        )
        v, notice = RecordView.of(saved.record), saved.notice
    typer.echo(f"{v.namespace}/{v.name} saved (version {v.version})")
    _after_write(v.key, notice)


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """``a.b=1`` ... as a merge patch ``{"a": {"b": 1}}`` (values read as YAML scalars)."""
    import yaml

    patch: dict[str, Any] = {}
    for item in items:
        field, sep, text = item.partition("=")
        if not sep or not field.strip():
            raise CliError(f"'{item}': give FIELD=VALUE, e.g. replicas=3", code=2)
        try:
            value = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            value = text
        node = patch
        *parents, leaf = field.strip().split(".")
        for p in parents:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise CliError(f"'{field}': {p} is given a value and sub-fields", code=2)
        node[leaf] = value
    return patch


@models_app.command("toggle")
@handle_errors
def models_toggle(
    name: str,
    on: bool = typer.Option(..., "--on/--off", help="Switch the model on or off"),
    namespace: str | None = NS,
    reason: str = REASON,
) -> None:
    """Switch a model on or off (off: no replicas, the record stays)."""
    if is_remote():
        v, notice = remote.patch(name, namespace, {"enabled": on}, reason, current=True)
    else:
        rec = _local(name, namespace)
        saved = services().models.set_enabled(
            rec.namespace, rec.name, on, actor=actor(), source="cli", reason=reason
        )
        v, notice = RecordView.of(saved.record), saved.notice
    typer.echo(f"{v.namespace}/{v.name} switched {'on' if on else 'off'}")
    _after_write(v.key, notice)


@models_app.command("scale")
@handle_errors
def models_scale(
    name: str,
    replicas: int = typer.Option(..., "--replicas", "-r", min=0),
    namespace: str | None = NS,
    reason: str = REASON,
) -> None:
    """Set a record's replicas and apply it to the cluster at once."""
    if is_remote():
        old, v, runs, notice = remote.scale(name, namespace, replicas, reason)
    else:
        from barista_ui.cli.fleet import connected

        connected()
        svc = services()
        rec = svc.registry.get(name, namespace)
        saved = svc.models.set_replicas(
            rec.namespace, rec.name, replicas, actor=actor(), source="cli", reason=reason
        )
        old, v, notice = rec.spec.replicas, RecordView.of(saved.record), saved.notice
        runs = svc.desired_for(saved.record.spec)
    typer.echo(
        f"{v.namespace}/{v.name} replicas {old} -> {v.record['replicas']}, cluster runs {runs}"
    )
    _after_write(v.key, notice)
