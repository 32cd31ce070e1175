"""What a stored record looks like to its readers (the spec plus bookkeeping, a revision, the
outcome of applying a file) and the registry's errors, whose messages are meant for the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from barista_ui.records.spec import ModelSpec

Source = Literal["ui", "cli", "api", "scheduler"]
SOURCES = ("ui", "cli", "api", "scheduler")


class RegistryError(Exception):
    """Base of the service's errors; the message is meant for the user."""


class NotFound(RegistryError):
    pass


class Ambiguous(RegistryError):
    def __init__(self, name: str, namespaces: list[str]):
        self.namespaces = namespaces
        super().__init__(
            f"model '{name}' exists in several namespaces ({', '.join(namespaces)}); "
            "pass --namespace"
        )


class Conflict(RegistryError):
    """Someone saved the record after the version this change was based on."""

    def __init__(self, record: ModelRecord, expected_version: int):
        self.current = record
        self.expected_version = expected_version
        super().__init__(
            f"{record.namespace}/{record.name} was changed by someone else "
            f"(now version {record.version}, your edit was based on version {expected_version}, "
            f"last saved {record.updated_at:%Y-%m-%d %H:%M:%S} UTC); nothing was saved — "
            "reload the record and apply your change again"
        )


@dataclass(frozen=True)
class ModelRecord:
    """A stored record: the spec plus bookkeeping."""

    spec: ModelSpec
    id: int
    version: int
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def namespace(self) -> str:
        return self.spec.namespace

    @property
    def key(self) -> tuple[str, str]:
        return (self.spec.namespace, self.spec.name)

    def to_file_dict(self) -> dict[str, Any]:
        return self.spec.to_file_dict()


@dataclass(frozen=True)
class UnreadableRecord:
    """A stored row that no longer validates (saved before a check existed, or written around
    Barista). Listed with its ``problem`` so it can be fixed or deleted; never applied to the
    cluster, scheduled or costed. ``stored`` is the row in the file format, as stored."""

    namespace: str
    name: str
    team: str
    id: int
    version: int
    updated_at: datetime
    problem: str
    stored: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)


class Unreadable(RegistryError):
    """The record is stored with values that no longer validate; ``record`` says which."""

    def __init__(self, record: UnreadableRecord):
        self.record = record
        super().__init__(
            f"{record.namespace}/{record.name} is stored with values that are no longer valid "
            f"({record.problem}); fix them in the page's editor or with `barista models apply "
            "-f` of a corrected file, or delete the model"
        )


@dataclass(frozen=True)
class RevisionView:
    number: int
    action: str
    actor: str
    source: str
    reason: str
    created_at: datetime
    record_version: int | None
    snapshot: dict[str, Any] | None
    changes: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ApplyOutcome:
    """Result of applying one record from a file: created, updated or unchanged."""

    namespace: str
    name: str
    action: Literal["created", "updated", "unchanged"]
    record: ModelRecord
