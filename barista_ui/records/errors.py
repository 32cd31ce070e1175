"""Validation errors that name the field: what the page, the CLI and the API show."""

from __future__ import annotations

from typing import NamedTuple

from pydantic import ValidationError


class FieldValueError(ValueError):
    """A value refused, with the field it belongs to (``str`` reads ``field: message``)."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class FieldError(NamedTuple):
    """One refused value: ``(field, message)``, the field a dotted path ("" for the record)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class RecordInvalid(ValueError):
    """Validation failed; ``errors`` name each field and what is allowed."""

    def __init__(self, errors: list[FieldError], name: str | None = None):
        self.errors = errors
        self.name = name
        prefix = f"{name}: " if name else ""
        super().__init__(prefix + "; ".join(str(e) for e in errors))

    def by_field(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for e in self.errors:
            out.setdefault(e.field, e.message)
        return out


class AlreadyExists(RecordInvalid):
    """A new record's namespace and name are taken (the API answers 409 rather than 422)."""


def field_errors(exc: ValidationError) -> list[FieldError]:
    """Pydantic's errors as FieldErrors: dotted paths, messages without pydantic's prefixes."""
    errors = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        ctx_err = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_err, FieldValueError):
            field = f"{loc}.{ctx_err.field}" if loc else ctx_err.field
            errors.append(FieldError(field=field, message=ctx_err.message))
            continue
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            msg = "unknown key; check the spelling (unknown keys are not ignored)"
        elif err["type"] == "missing":
            msg = "is required"
        errors.append(FieldError(field=loc, message=msg))
    return errors
