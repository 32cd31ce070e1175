"""Tables of identity and roles: role bindings, API tokens (hashed) and the access audit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from data.types import UTCDateTime, utcnow


class AccessBinding(SQLModel, table=True):
    """A role held by a subject: ``user:EMAIL`` or ``group:NAME``; ``team`` for an editor,
    "" otherwise."""

    __tablename__ = "access_binding"
    __table_args__ = (UniqueConstraint("subject", "role", "team", name="uq_binding"),)

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=300, index=True)
    role: str = Field(max_length=16)
    team: str = Field(default="", max_length=63)
    created_by: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ApiToken(SQLModel, table=True):
    """An API token: only the SHA-256 of its secret is kept (the secret is shown once)."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)  # the secret's first characters, to recognise it
    owner: str = Field(max_length=254, index=True)
    name: str = Field(max_length=100)
    groups: str = Field(default="", max_length=2000)  # the owner's groups when it was created
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    revoked_by: str = Field(default="", max_length=254)


class AccessAudit(SQLModel, table=True):
    """One change to access: a binding granted or revoked, a token created or revoked."""

    __tablename__ = "access_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=24)  # grant revoke token-create token-revoke
    subject: str = Field(max_length=300)
    role: str = Field(default="", max_length=16)
    team: str = Field(default="", max_length=63)
    detail: str = Field(default="", max_length=500)
