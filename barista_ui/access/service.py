"""AccessService: role bindings, API tokens and the access audit, for the page, the CLI and
the API. Granting, revoking and others' tokens need an admin; anyone with a role manages their
own tokens. Every change is written to the access audit in the same transaction."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from barista_ui.access import roles
from barista_ui.access.actor import TOKEN, USER, Actor, Grant
from barista_ui.access.bindings import (
    AccessError,
    AuditEntry,
    Binding,
    audit,
    check_binding,
    find_binding,
    read_audit,
    read_bindings,
    roles_of,
)
from barista_ui.access.roles import authorize
from barista_ui.access.tokens import (
    NewToken,
    TokenView,
    insert_token,
    list_tokens,
    usable_token,
    view,
)
from data.access_tables import AccessBinding, ApiToken
from data.db import SessionFactory, transaction
from data.types import utcnow

BINDINGS_TTL_S = 5.0  # another process's grant or revoke is seen within this


class AccessService:
    def __init__(
        self,
        new_session: SessionFactory,
        *,
        admins: frozenset[str] = frozenset(),
        default_role: str = roles.VIEWER,
        token_days: int = 90,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.new_session = new_session
        self.admins = frozenset(a.lower() for a in admins)
        self.default_role = default_role
        self.token_days = token_days
        self.clock = clock
        self._lock = threading.Lock()
        self._cache: tuple[float, list[Binding]] | None = None

    # ------------------------------------------------------------------ who holds which role

    def bindings(self) -> list[Binding]:
        """Every binding (cached for a few seconds: the page asks on every action)."""
        with self._lock:
            cached = self._cache
        if cached is not None and time.monotonic() - cached[0] < BINDINGS_TTL_S:
            return cached[1]
        with transaction(self.new_session) as s:
            found = read_bindings(s)
        with self._lock:
            self._cache = (time.monotonic(), found)
        return found

    def roles_for(self, name: str, groups: frozenset[str] = frozenset()) -> frozenset[Grant]:
        return roles_of(
            self.bindings(),
            name,
            groups,
            admins=self.admins,
            default_role=self.default_role,
        )

    def actor_for(self, name: str, groups: frozenset[str] = frozenset(), kind: str = USER) -> Actor:
        """The actor of a signed-in identity, with the roles it holds now."""
        return Actor(name, frozenset(groups), kind, self.roles_for(name, frozenset(groups)))

    def grant(self, subject: str, role: str, team: str | None = None, *, actor: Actor) -> bool:
        """Bind ``role`` to ``subject`` (admins); False if it was bound already."""
        authorize(actor, roles.ACCESS_MANAGE)
        subject, role, team = check_binding(subject, role, team)
        now = self.clock()
        with transaction(self.new_session) as s:
            if find_binding(s, subject, role, team) is not None:
                return False
            s.add(
                AccessBinding(
                    subject=subject, role=role, team=team, created_by=actor.name, created_at=now
                )
            )
            audit(s, now, actor.name, "grant", subject, role, team=team)
        self._forget()
        return True

    def revoke(self, subject: str, role: str, team: str | None = None, *, actor: Actor) -> None:
        """Remove a binding (admins); :class:`AccessError` if there is no such binding."""
        authorize(actor, roles.ACCESS_MANAGE)
        subject, role, team = check_binding(subject, role, team)
        now = self.clock()
        with transaction(self.new_session) as s:
            row = find_binding(s, subject, role, team)
            if row is None:
                on = f" of team '{team}'" if team else ""
                raise AccessError(f"{subject} does not hold {role}{on}; nothing revoked")
            s.delete(row)
            audit(s, now, actor.name, "revoke", subject, role, team=team)
        self._forget()

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        with transaction(self.new_session) as s:
            return read_audit(s, limit)

    def _forget(self) -> None:
        with self._lock:
            self._cache = None

    # ------------------------------------------------------------------ API tokens

    def create_token(
        self, name: str, *, actor: Actor, owner: str | None = None, days: int | None = None
    ) -> NewToken:
        """A new token for ``owner`` (default: the actor; another owner needs an admin). Its
        secret is in the result only. ``days``: lifetime (default BARISTA_TOKEN_DAYS)."""
        authorize(actor, roles.TOKENS_OWN)
        owner = owner.strip().lower() if owner else actor.name
        self._may_manage(actor, owner)
        if actor.kind == TOKEN:
            raise AccessError("an API token cannot create tokens; sign in to the page")
        life = self.token_days if days is None else days
        if not 1 <= life <= 3650:
            raise AccessError("days must be between 1 and 3650")
        now = self.clock()
        groups = actor.groups if owner == actor.name else frozenset()
        with transaction(self.new_session) as s:
            made = insert_token(s, owner, name, groups, now, life)
            audit(s, now, actor.name, "token-create", f"user:{owner}", detail=made.token.name)
        return made

    def tokens(self, *, actor: Actor, everyone: bool = False) -> list[TokenView]:
        """The actor's own tokens, or (admins, ``everyone``) all tokens."""
        if everyone:
            authorize(actor, roles.TOKENS_ALL)
        else:
            authorize(actor, roles.TOKENS_OWN)
        with transaction(self.new_session) as s:
            return list_tokens(s, None if everyone else actor.name)

    def revoke_token(self, token_id: int, *, actor: Actor) -> TokenView:
        """Revoke a token (its owner, or an admin); revoking twice is refused."""
        now = self.clock()
        with transaction(self.new_session) as s:
            authorize(actor, roles.TOKENS_OWN)
            row = s.get(ApiToken, token_id)
            if row is None:
                raise AccessError(f"no token with id {token_id}")
            self._may_manage(actor, row.owner)
            if row.revoked_at is not None:
                raise AccessError(f"token {token_id} is revoked already")
            row.revoked_at, row.revoked_by = now, actor.name
            s.add(row)
            audit(s, now, actor.name, "token-revoke", f"user:{row.owner}", detail=row.name)
            s.flush()
            return view(row)

    def actor_for_token(self, secret: str) -> Actor | None:
        """The actor of a bearer token (its owner, with the owner's roles now), or None when
        the token is unknown, revoked or expired. Notes when it was last used."""
        with transaction(self.new_session) as s:
            row = usable_token(s, secret, self.clock())
            if row is None:
                return None
            owner, groups = row.owner, frozenset(g for g in row.groups.split(",") if g)
        return self.actor_for(owner, groups, TOKEN)

    def _may_manage(self, actor: Actor, owner: str) -> None:
        if owner == actor.name:
            authorize(actor, roles.TOKENS_OWN)
        else:
            authorize(actor, roles.TOKENS_ALL)
