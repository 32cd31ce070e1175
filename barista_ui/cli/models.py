"""``barista models``, ``export``, ``import`` and ``simulator``: model records from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from barista_ui.cli.context import (
    CliError,
    Fmt,
    actor,
    emit,
    handle_errors,
    input_name,
    read_file,
    render_table,
    services,
    warn_unreadable,
)
from barista_ui.cluster.reconciler import Reconciler
from barista_ui.records.file_format import dump_records_yaml, load_records_yaml
from barista_ui.records.record import Unreadable, UnreadableRecord
from barista_ui.records.registry import ModelRecord
from barista_ui.records.secrets import mask_changes, mask_manifests, mask_record

models_app = typer.Typer(
    help="Model records: list, create, edit, delete, history.", no_args_is_help=True
)


def model_row(r: ModelRecord) -> list[Any]:
    res = r.spec.resources
    gpu = f" +{res.gpu.count}x{res.gpu.type}" if res.gpu.count else ""
    return [
        r.name,
        r.namespace,
        r.spec.team,
        r.spec.tag(),
        r.spec.replicas if r.spec.enabled else f"{r.spec.replicas} (off)",
        f"{res.requests.cpu} / {res.requests.memory}{gpu}",
        r.updated_at.strftime("%Y-%m-%d %H:%M"),
    ]


# ------------------------------------------------------------------ models


@models_app.command("list")
@handle_errors
def models_list(
    team: str | None = typer.Option(None, help="Only this team's models"),
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-o"),
) -> None:
    """List model records."""
    recs, unreadable = services().registry.read_models(team=team, namespace=namespace)
    emit(
        [mask_record(r.to_file_dict()) for r in recs],
        fmt,
        lambda: render_table(
            ["NAME", "NAMESPACE", "TEAM", "TAG", "REPLICAS", "REQUESTS", "UPDATED"],
            [model_row(r) for r in recs],
        ),
    )
    warn_unreadable(unreadable)


@models_app.command("get")
@handle_errors
def models_get(
    name: str,
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
    fmt: Fmt = typer.Option(Fmt.yaml, "--format", "-o"),
) -> None:
    """Show one record (YAML by default)."""
    rec = services().registry.get(name, namespace)
    emit(
        mask_record(rec.to_file_dict()),
        fmt,
        lambda: render_table(
            ["NAME", "NAMESPACE", "TEAM", "TAG", "REPLICAS", "REQUESTS", "UPDATED"],
            [model_row(rec)],
        ),
    )


@models_app.command("create")
@handle_errors
def models_create(
    file: Path = typer.Option(..., "-f", "--file", help="YAML file with one or more records"),
    reason: str = typer.Option("", help="Why (kept in the revision)"),
) -> None:
    """Create new records; fails if any already exists (nothing is saved then)."""
    records = load_records_yaml(read_file(file), input_name(file))
    reg = services().registry
    for data in records:
        spec = reg.validate(data)
        if reg.find(spec.name, spec.namespace):
            raise CliError(
                f"'{spec.name}' already exists in namespace '{spec.namespace}'; "
                "use 'barista models apply' to update it"
            )
    batch = services().models.apply_many(records, actor=actor(), source="cli", reason=reason)
    for o in batch.outcomes:
        typer.echo(f"{o.namespace}/{o.name} created")
    reconcile_saved([(o.namespace, o.name) for o in batch.outcomes], batch.notice)


@models_app.command("apply")
@handle_errors
def models_apply(
    file: Path = typer.Option(..., "-f", "--file", help="YAML file with one or more records"),
    reason: str = typer.Option("", help="Why (kept in the revisions)"),
) -> None:
    """Create or update records from a file, all or nothing."""
    records = load_records_yaml(read_file(file), input_name(file))
    batch = services().models.apply_many(records, actor=actor(), source="cli", reason=reason)
    for o in batch.outcomes:
        typer.echo(f"{o.namespace}/{o.name} {o.action}")
    changed = [(o.namespace, o.name) for o in batch.outcomes if o.action != "unchanged"]
    reconcile_saved(changed, batch.notice)


@models_app.command("delete")
@handle_errors
def models_delete(
    name: str,
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
    reason: str = typer.Option("", help="Why (kept in the revision)"),
) -> None:
    """Delete a record (its history is kept; rollback recreates it)."""
    try:
        rec: ModelRecord | UnreadableRecord = services().registry.get(name, namespace)
    except Unreadable as exc:  # stored with values no longer valid: deleting it is one fix
        rec = exc.record
    saved = services().models.delete(
        rec.namespace, rec.name, actor=actor(), source="cli", reason=reason
    )
    typer.echo(f"{rec.namespace}/{rec.name} deleted")
    reconcile_saved([rec.key], saved.notice)


@models_app.command("history")
@handle_errors
def models_history(
    name: str,
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-o"),
) -> None:
    """Revisions of a record, newest first, with what changed."""
    revs = services().registry.history(name, namespace)
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
        for r in revs
    ]

    def summary(changes: list[dict]) -> str:
        if len(changes) > 3:
            return f"{len(changes)} fields"
        return ", ".join(f"{c['field']}: {c['old']} -> {c['new']}" for c in changes)

    emit(
        rows,
        fmt,
        lambda: render_table(
            ["REV", "ACTION", "ACTOR", "SOURCE", "TIME", "CHANGES", "REASON"],
            [
                [
                    r.number,
                    r.action,
                    r.actor,
                    r.source,
                    r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    summary(mask_changes(r.changes)),
                    r.reason,
                ]
                for r in revs
            ],
        ),
    )


@models_app.command("rollback")
@handle_errors
def models_rollback(
    name: str,
    to: int = typer.Option(..., "--to", help="Revision number to restore"),
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
    reason: str = typer.Option("", help="Why (kept in the revision)"),
) -> None:
    """Restore an earlier revision as a new revision."""
    saved = services().models.rollback(
        name, to, namespace=namespace, actor=actor(), source="cli", reason=reason
    )
    rec = saved.record
    typer.echo(f"{rec.namespace}/{rec.name} rolled back to revision {to} (version {rec.version})")
    reconcile_saved([rec.key], saved.notice)


# ------------------------------------------------------------------ fleet


@handle_errors
def export_fleet(
    output: Path | None = typer.Option(None, "-o", "--output", help="File (default: stdout)"),
    show_secrets: bool = typer.Option(
        False,
        "--show-secrets",
        help="Write plain values of secret-looking env names (*_KEY, *TOKEN*, *SECRET*, "
        "*PASSWORD*) instead of a mask (for a backup that restores them)",
    ),
) -> None:
    """Write every record as multi-document YAML (backup, GitOps). Secret-looking env values
    are masked unless --show-secrets."""
    records = services().registry.export_all()
    text = dump_records_yaml(records if show_secrets else [mask_record(r) for r in records])
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"exported to {output}", err=True)
    else:
        typer.echo(text, nl=False)


@handle_errors
def import_fleet(
    file: Path = typer.Argument(..., help="YAML file from 'barista export' (or '-')"),
    reason: str = typer.Option("import", help="Why (kept in the revisions)"),
) -> None:
    """Create or update every record in the file, all or nothing."""
    records = load_records_yaml(read_file(file), input_name(file))
    batch = services().models.apply_many(records, actor=actor(), source="cli", reason=reason)
    counts: dict[str, int] = {}
    for o in batch.outcomes:
        counts[o.action] = counts.get(o.action, 0) + 1
    typer.echo(", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    changed = [(o.namespace, o.name) for o in batch.outcomes if o.action != "unchanged"]
    reconcile_saved(changed, batch.notice)


# ------------------------------------------------------------------ cluster


def reconcile_saved(keys: list[tuple[str, str]], notice: str) -> None:
    """Apply just-saved models to the cluster now (this process has no background reconciler)
    and say on stderr what is not applied yet: Pending when the cluster was unreachable,
    Retrying when the apply failed. Either way the change is saved; the dashboard's
    reconciler, or ``barista models apply-to-cluster``, applies it later."""
    reconciler = services().reconciler
    if notice:
        typer.echo(f"Pending: {notice}", err=True)
        return
    if reconciler is None:
        return
    for key in keys:
        result = reconciler.reconcile_now(key)
        if not result.ok:
            typer.echo(
                f"Retrying: {key[0]}/{key[1]} is saved but not applied yet: {result.message}",
                err=True,
            )


def connected() -> Reconciler:
    reconciler = services().reconciler
    if reconciler is None:
        raise CliError(
            "no cluster reachable: set BARISTA_KUBECONFIG (or run inside a cluster), or start "
            "the dashboard, whose embedded simulator the CLI then uses"
        )
    return reconciler


@models_app.command("render")
@handle_errors
def models_render(
    name: str,
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
) -> None:
    """Print the Kubernetes manifests of a record as YAML."""
    import yaml

    from k8s.manifests import render

    svc = services()
    rec = svc.registry.get(name, namespace)
    objects = mask_manifests(render(rec.to_file_dict(), svc.desired_for(rec.spec)))
    typer.echo(yaml.safe_dump_all(objects, sort_keys=False, default_flow_style=False), nl=False)


@models_app.command("scale")
@handle_errors
def models_scale(
    name: str,
    replicas: int = typer.Option(..., "--replicas", "-r", min=0),
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
    reason: str = typer.Option("", help="Why (kept in the revision)"),
) -> None:
    """Set a record's replicas and apply it to the cluster at once."""
    connected()
    svc = services()
    rec = svc.registry.get(name, namespace)
    saved = svc.models.set_replicas(
        rec.namespace, rec.name, replicas, actor=actor(), source="cli", reason=reason
    )
    new = saved.record
    typer.echo(
        f"{new.namespace}/{new.name} replicas {rec.spec.replicas} -> {new.spec.replicas}, "
        f"cluster runs {svc.desired_for(new.spec)}"
    )
    reconcile_saved([new.key], saved.notice)


@models_app.command("apply-to-cluster")
@handle_errors
def models_apply_to_cluster(
    name: str | None = typer.Argument(None),
    all_: bool = typer.Option(False, "--all", help="Every record"),
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
) -> None:
    """Push records to the cluster again (no write when already in sync)."""
    if bool(name) == all_:
        raise CliError("give a model NAME or --all", code=2)
    reconciler = connected()
    if all_:
        reports = reconciler.reconcile_all()
    else:
        rec = services().registry.get(name, namespace)  # type: ignore[arg-type]
        reports = [reconciler.reconcile_now(rec.key)]
    failed = 0
    for r in reports:
        typer.echo(f"{r.namespace}/{r.name}: {r.message}")
        failed += not r.ok
    if failed:
        raise CliError(f"{failed} of {len(reports)} models could not be applied")


@models_app.command("status")
@handle_errors
def models_status(
    name: str | None = typer.Argument(None),
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-o"),
) -> None:
    """Live ready/desired replicas and sync status from the cluster (as the page shows it)."""
    svc = services()
    connected()
    live = svc.watch()
    unreadable: list[UnreadableRecord] = []
    try:
        if name:
            records = [svc.registry.get(name, namespace)]
        else:
            records, unreadable = svc.registry.read_models(namespace=namespace)
        rows = svc.fleet_status().rows(records, unmanaged=not name)
    finally:
        live.stop()
    ordered = [rows[k] for k in sorted(rows)]
    emit(
        [r.as_dict() for r in ordered],
        fmt,
        lambda: render_table(
            ["NAME", "NAMESPACE", "READY", "STATUS", "HEALTH", "POD REASONS", "DIFF"],
            [
                [
                    r.name,
                    r.namespace,
                    f"{r.ready}/{r.desired}",
                    r.status,
                    r.health,
                    ", ".join(r.reasons),
                    "; ".join(r.diffs) or (r.message if r.status == "Retrying" else ""),
                ]
                for r in ordered
            ],
        ),
    )
    warn_unreadable(unreadable)


@handle_errors
def simulator(
    port: int = typer.Option(6443, "--port", help="Loopback port to serve on"),
    kubeconfig: Path = typer.Option(..., "--kubeconfig", help="Where to write its kubeconfig"),
    speed: float = typer.Option(1.0, "--speed", help="Controller speed-up (10 = ten times)"),
) -> None:
    """Run the cluster simulator standalone, for kubectl and other Kubernetes clients."""
    from k8s.simulator import run_standalone

    run_standalone(port, str(kubeconfig), speed)
