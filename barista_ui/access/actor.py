"""The identity every mutating service call carries (``actor=``), with the roles it holds.

An actor is resolved once per request or action (by :mod:`barista_ui.access.identity` for the
page and the API, by the CLI for its local mode) and then passed down; services decide with
:func:`barista_ui.access.roles.authorize` and record ``actor.name`` where a name is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# kinds of actor
USER = "user"  # a person, from the proxy's identity headers (or the CLI's local operator)
TOKEN = "token"  # an API token, acting for its owner with the owner's roles
SYSTEM = "system"  # Barista itself (the scheduler, the demo seed): may do everything
NONE_MODE = "none"  # BARISTA_AUTH=none: nobody is authenticated, everyone may do everything
KINDS = (USER, TOKEN, SYSTEM, NONE_MODE)


@dataclass(frozen=True)
class Grant:
    """One role held: ``viewer``, ``admin``, or ``editor`` of ``team``."""

    role: str
    team: str = ""

    def __str__(self) -> str:
        return f"{self.role} of team '{self.team}'" if self.team else self.role


@dataclass(frozen=True)
class Actor:
    """Who acts: ``name`` is what revisions and logs record (an e-mail in proxy mode)."""

    name: str
    groups: frozenset[str] = frozenset()
    kind: str = USER
    roles: frozenset[Grant] = field(default=frozenset())

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"actor kind must be one of {', '.join(KINDS)}, not '{self.kind}'")

    @property
    def unrestricted(self) -> bool:
        """The scheduler, the demo seed and everyone in ``none`` mode may do everything."""
        return self.kind in (SYSTEM, NONE_MODE)

    def describe(self) -> str:
        """ "alice@example.com (editor of team 'vision', viewer)" for messages and ``whoami``."""
        if self.unrestricted:
            return f"{self.name} ({'no authentication' if self.kind == NONE_MODE else 'system'})"
        held = ", ".join(sorted(str(g) for g in self.roles)) or "no role"
        return f"{self.name} ({held})"


SYSTEM_SCHEDULER = Actor("system:scheduler", kind=SYSTEM)


def operator(name: str) -> Actor:
    """The CLI's local mode: whoever holds the database credentials is an admin."""
    return Actor(name, kind=USER, roles=frozenset({Grant("admin")}))


def open_actor(name: str) -> Actor:
    """An actor in ``BARISTA_AUTH=none`` mode (the name typed in the page, or the CLI's)."""
    return Actor(name, kind=NONE_MODE)
