"""``barista access ...`` (role bindings and their audit) and ``barista tokens ...`` (API
tokens), through the same :class:`AccessService` as the page."""

from __future__ import annotations

import typer

from barista_ui.cli.context import Fmt, actor, emit, handle_errors, render_table, services

access_app = typer.Typer(
    help="Who may do what: grant, revoke and list roles (viewer, editor of a team, admin).",
    no_args_is_help=True,
)
tokens_app = typer.Typer(
    help="API tokens for the CLI and automation (Authorization: Bearer).", no_args_is_help=True
)

SUBJECT_HELP = "user:EMAIL or group:NAME"
ROLE_HELP = "viewer, editor or admin"
TEAM_HELP = "The team of an editor (needed for editor, refused otherwise)"


def _when(value: object) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


@access_app.command("grant")
@handle_errors
def grant(
    subject: str = typer.Argument(..., help=SUBJECT_HELP),
    role: str = typer.Argument(..., help=ROLE_HELP),
    team: str | None = typer.Option(None, "--team", help=TEAM_HELP),
) -> None:
    """Give SUBJECT the role ROLE (admins; audited)."""
    done = services().access.grant(subject, role, team, actor=actor())
    on = f" of team '{team}'" if team else ""
    typer.echo(f"{'granted' if done else 'already held'}: {subject} {role}{on}")


@access_app.command("revoke")
@handle_errors
def revoke(
    subject: str = typer.Argument(..., help=SUBJECT_HELP),
    role: str = typer.Argument(..., help=ROLE_HELP),
    team: str | None = typer.Option(None, "--team", help=TEAM_HELP),
) -> None:
    """Take the role ROLE from SUBJECT (admins; audited)."""
    services().access.revoke(subject, role, team, actor=actor())
    on = f" of team '{team}'" if team else ""
    typer.echo(f"revoked: {subject} {role}{on}")


@access_app.command("list")
@handle_errors
def list_(fmt: Fmt = typer.Option(Fmt.table, "--format", "-o")) -> None:
    """The role bindings."""
    rows = [
        {
            "subject": b.subject,
            "role": b.role,
            "team": b.team or None,
            "created_by": b.created_by,
            "created_at": b.created_at.isoformat() if b.created_at else None,
        }
        for b in services().access.bindings()
    ]
    emit(
        rows,
        fmt,
        lambda: render_table(
            ["SUBJECT", "ROLE", "TEAM", "BY"],
            [[r["subject"], r["role"], r["team"] or "", r["created_by"]] for r in rows],
        ),
    )


@access_app.command("audit")
@handle_errors
def audit(
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-o"),
) -> None:
    """The latest changes to access (grants, revocations, tokens created and revoked)."""
    entries = services().access.audit_log(limit)
    rows = [
        {
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "subject": e.subject,
            "role": e.role or None,
            "team": e.team or None,
            "detail": e.detail or None,
        }
        for e in entries
    ]
    emit(
        rows,
        fmt,
        lambda: render_table(
            ["AT", "ACTOR", "ACTION", "SUBJECT", "ROLE", "TEAM", "DETAIL"],
            [
                [_when(e.at), e.actor, e.action, e.subject, e.role, e.team, e.detail]
                for e in entries
            ],
        ),
    )


@tokens_app.command("create")
@handle_errors
def create_token(
    name: str = typer.Argument(..., help="What the token is for, e.g. 'laptop' or 'ci'"),
    days: int | None = typer.Option(None, "--days", help="Lifetime (BARISTA_TOKEN_DAYS)"),
    owner: str | None = typer.Option(None, "--owner", help="For another user (admins)"),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-o"),
) -> None:
    """Create an API token; its secret is printed this once and never stored."""
    made = services().access.create_token(name, actor=actor(), owner=owner, days=days)
    t = made.token
    row = {
        "id": t.id,
        "owner": t.owner,
        "name": t.name,
        "expires_at": t.expires_at.isoformat() if t.expires_at else None,
        "token": made.secret,
    }
    emit(
        row,
        fmt,
        lambda: (
            f"{made.secret}\n(token {t.id} '{t.name}' of {t.owner}, expires "
            f"{_when(t.expires_at) or 'never'}; shown this once)"
        ),
    )


@tokens_app.command("list")
@handle_errors
def list_tokens(
    everyone: bool = typer.Option(False, "--all", help="Every user's tokens (admins)"),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-o"),
) -> None:
    """Your API tokens (never their secrets)."""
    svc = services().access
    tokens = svc.tokens(actor=actor(), everyone=everyone)
    now = svc.clock()
    rows = [
        {
            "id": t.id,
            "owner": t.owner,
            "name": t.name,
            "prefix": t.prefix,
            "state": t.state(now),
            "created_at": t.created_at.isoformat(),
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        }
        for t in tokens
    ]
    emit(
        rows,
        fmt,
        lambda: render_table(
            ["ID", "OWNER", "NAME", "PREFIX", "STATE", "EXPIRES", "LAST USED"],
            [
                [t.id, t.owner, t.name, t.prefix, t.state(now), _when(t.expires_at)]
                + [_when(t.last_used_at) or "never"]
                for t in tokens
            ],
        ),
    )


@tokens_app.command("revoke")
@handle_errors
def revoke_token(token_id: int = typer.Argument(..., help="The token's ID (tokens list)")) -> None:
    """Revoke an API token (your own, or anyone's as an admin)."""
    t = services().access.revoke_token(token_id, actor=actor())
    typer.echo(f"revoked: token {t.id} '{t.name}' of {t.owner}")
