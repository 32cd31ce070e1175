"""``barista export``, ``import``, ``simulator`` and the cluster side of ``barista models``
(render, status, apply-to-cluster): the fleet as a whole and its cluster. Local mode only, except
``models render`` (the server renders it in remote mode)."""

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
from barista_ui.cli.models import models_app
from barista_ui.cli.remote import is_remote


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
    from barista_ui.records.file_format import dump_records_yaml
    from barista_ui.records.secrets import mask_record

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
    from barista_ui.records.file_format import load_records_yaml

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


def connected() -> Any:
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

    if is_remote():
        from barista_ui.cli import remote_models

        objects = remote_models.manifests(name, namespace)
        typer.echo(yaml.safe_dump_all(objects, sort_keys=False, default_flow_style=False), nl=False)
        return
    from barista_ui.records.secrets import mask_manifests
    from k8s.manifests import render

    svc = services()
    rec = svc.registry.get(name, namespace)
    objects = mask_manifests(render(rec.to_file_dict(), svc.desired_for(rec.spec)))
    typer.echo(yaml.safe_dump_all(objects, sort_keys=False, default_flow_style=False), nl=False)


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
    unreadable: list[Any] = []
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
