"""Role bindings: who holds which role (``user:EMAIL`` or ``group:NAME`` → viewer, admin, or
editor of a team), how a signed-in identity's roles are worked out, and the access audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from barista_ui.access.actor import Grant
from barista_ui.access.roles import ADMIN, EDITOR, ROLES, VIEWER
from barista_ui.records.errors import FieldValueError
from barista_ui.records.limits import ACTOR_CHARS
from barista_ui.records.names import check_team_name
from data.access_tables import AccessAudit, AccessBinding

SUBJECT_KINDS = ("user", "group")
MAX_GROUP_CHARS = 200


class AccessError(ValueError):
    """A binding or token request that cannot be done; the message says why."""


@dataclass(frozen=True)
class Binding:
    subject: str  # user:EMAIL or group:NAME
    role: str
    team: str = ""  # an editor's team
    created_by: str = ""
    created_at: datetime | None = None

    @property
    def grant(self) -> Grant:
        return Grant(self.role, self.team)


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    subject: str
    role: str
    team: str
    detail: str


def check_binding(subject: str, role: str, team: str | None) -> tuple[str, str, str]:
    """The normalised (subject, role, team), or :class:`AccessError` saying what is wrong."""
    kind, _, name = subject.partition(":")
    if kind not in SUBJECT_KINDS or not name.strip():
        raise AccessError(f"subject must be user:EMAIL or group:NAME, not '{subject[:80]}'")
    name = name.strip()
    limit = ACTOR_CHARS if kind == "user" else MAX_GROUP_CHARS
    if len(name) > limit or any(c.isspace() for c in name):
        raise AccessError(f"{kind} name must be at most {limit} characters without spaces")
    if role not in ROLES:
        raise AccessError(f"role must be one of {', '.join(ROLES)}, not '{role[:40]}'")
    if role == EDITOR:
        if not team:
            raise AccessError("editor needs a team (--team TEAM)")
        try:
            check_team_name(team, "team")
        except FieldValueError as exc:
            raise AccessError(str(exc)) from None
    elif team:
        raise AccessError(f"{role} is not per team; give --team only with editor")
    name = name.lower() if kind == "user" else name
    return f"{kind}:{name}", role, team or ""


def read_bindings(s: Session) -> list[Binding]:
    rows = s.exec(
        select(AccessBinding).order_by(
            col(AccessBinding.subject), col(AccessBinding.role), col(AccessBinding.team)
        )
    ).all()
    return [Binding(r.subject, r.role, r.team, r.created_by, r.created_at) for r in rows]


def find_binding(s: Session, subject: str, role: str, team: str) -> AccessBinding | None:
    return s.exec(
        select(AccessBinding).where(
            AccessBinding.subject == subject, AccessBinding.role == role, AccessBinding.team == team
        )
    ).first()


def audit(
    s: Session, at: datetime, actor: str, action: str, subject: str, role: str = "", **kw: str
) -> None:
    """Append one line to the access audit (in the caller's transaction)."""
    s.add(
        AccessAudit(
            at=at,
            actor=actor[:ACTOR_CHARS],
            action=action,
            subject=subject[:300],
            role=role,
            team=kw.get("team", ""),
            detail=kw.get("detail", "")[:500],
        )
    )


def read_audit(s: Session, limit: int) -> list[AuditEntry]:
    rows = s.exec(
        select(AccessAudit).order_by(col(AccessAudit.at).desc(), col(AccessAudit.id).desc())
    ).fetchmany(limit)
    return [AuditEntry(r.at, r.actor, r.action, r.subject, r.role, r.team, r.detail) for r in rows]


def roles_of(
    bindings: list[Binding],
    name: str,
    groups: frozenset[str],
    *,
    admins: frozenset[str],
    default_role: str,
) -> frozenset[Grant]:
    """The roles of a signed-in identity: its own and its groups' bindings, admin if listed in
    BARISTA_ADMINS, else (with no binding at all) the default role ("none": no role)."""
    subjects = {f"user:{name.lower()}"} | {f"group:{g}" for g in groups}
    held = {b.grant for b in bindings if b.subject in subjects}
    if name.lower() in admins:
        held.add(Grant(ADMIN))
    if not held and default_role == VIEWER:
        held.add(Grant(VIEWER))
    return frozenset(held)
