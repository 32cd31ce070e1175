"""API tokens: a random secret shown once, kept only as its SHA-256, with an owner, a name,
an expiry, the time it was last used, and revocation."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from barista_ui.access.bindings import AccessError
from data.access_tables import ApiToken

PREFIX = "bar_"  # every Barista token starts so (secret scanners can recognise it)
SECRET_BYTES = 32
MAX_NAME_CHARS = 100
LAST_USED_EVERY = timedelta(minutes=1)  # write last-used at most this often per token


@dataclass(frozen=True)
class TokenView:
    """A token as listed (never its secret)."""

    id: int
    owner: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``secret`` is shown this once and never stored."""

    secret: str
    token: TokenView


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def check_token_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise AccessError(f"token name must be 1 to {MAX_NAME_CHARS} characters")
    return name


def view(row: ApiToken) -> TokenView:
    assert row.id is not None
    return TokenView(
        row.id,
        row.owner,
        row.name,
        row.prefix,
        row.created_at,
        row.expires_at,
        row.last_used_at,
        row.revoked_at,
    )


def insert_token(
    s: Session, owner: str, name: str, groups: frozenset[str], now: datetime, days: int | None
) -> NewToken:
    secret = new_secret()
    row = ApiToken(
        token_hash=hash_secret(secret),
        prefix=secret[: len(PREFIX) + 6],
        owner=owner,
        name=check_token_name(name),
        groups=",".join(sorted(groups))[:2000],
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    s.add(row)
    s.flush()
    return NewToken(secret, view(row))


def usable_token(s: Session, secret: str, now: datetime) -> ApiToken | None:
    """The token row of ``secret`` if it is neither revoked nor expired; notes its use."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    row = s.exec(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        row.last_used_at = now
        s.add(row)
    return row


def list_tokens(s: Session, owner: str | None) -> list[TokenView]:
    query = select(ApiToken).order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    if owner is not None:
        query = query.where(ApiToken.owner == owner)
    return [view(r) for r in s.exec(query).all()]
