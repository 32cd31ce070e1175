"""Shared look: colours, small formatting helpers, the current user (an :class:`Actor`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from nicegui import app, ui

from barista_ui.access.actor import Actor, open_actor
from barista_ui.records.limits import ACTOR_CHARS

# How the page learns who is at the browser: (request headers, client address) -> Actor, or
# None without an identity. Set by the page from the app's identity resolver; until then (and
# with BARISTA_AUTH=none) everyone is the name typed in the page.
Resolver = Callable[[Mapping[str, str], str | None], Actor | None]
_identity: dict[str, Resolver] = {}
ANONYMOUS = Actor("anonymous")  # no identity in proxy mode: holds no role, may do nothing

PRIMARY = "#6f4e37"  # coffee
ACCENT = "#c08552"

# the colour of each sync status (the models table, the model panel and the Cluster tab)
SYNC_COLOURS = {
    "Synced": "positive",
    "OutOfSync": "warning",
    "Missing": "grey-6",
    "Unmanaged": "purple",
    "Error": "negative",
    "Unknown": "grey-5",
    "Pending": "blue-5",
    "Retrying": "deep-orange-6",
}

GPU_SHORT = {
    "nvidia-tesla-t4": "T4",
    "nvidia-l4": "L4",
    "nvidia-tesla-a100": "A100",
    "nvidia-a100-80gb": "A100 80GB",
    "nvidia-h100-80gb": "H100",
    "nvidia-tesla-v100": "V100",
}


def apply_theme() -> None:
    ui.colors(primary=PRIMARY, secondary="#8d6e63", accent=ACCENT, positive="#2e7d32")
    ui.add_css(
        """
        body { background: #faf7f5; }
        .barista-card { border-radius: 10px; }
        .q-table th { font-weight: 600; color: #5d4037; }
        .q-table tbody td { font-size: 13px; }
        .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
        .diff-old { background: #ffebee; color: #b71c1c; text-decoration: line-through; }
        .diff-new { background: #e8f5e9; color: #1b5e20; }
        .field-error { color: #c62828; font-size: 12px; }
        """
    )


def ago(when: datetime, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    secs = max(0, int((now - when).total_seconds()))
    if secs < 60:
        return "just now"
    if secs < 3600:
        return f"{secs // 60} min ago"
    if secs < 86400:
        return f"{secs // 3600} h ago"
    days = secs // 86400
    return f"{days} day{'s' if days != 1 else ''} ago"


def gpu_text(count: int, gpu_type: str | None, none: str = "") -> str:
    """ "2× T4" (the short name of the GPU type), or ``none`` without GPUs."""
    return f"{count}× {GPU_SHORT.get(gpu_type or '', gpu_type)}" if count else none


def shown(value: object) -> str:
    """A field's value as the history and diff show it ("—" for none)."""
    if value is None:
        return "—"
    if value == {}:
        return "{}"
    return str(value)


def exact(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def use_identity(resolve: Resolver | None) -> None:
    """Resolve page users with ``resolve`` (proxy mode); None: the typed name (none mode)."""
    if resolve is None:
        _identity.pop("resolve", None)
    else:
        _identity["resolve"] = resolve


def typed_names() -> bool:
    """True in ``none`` mode: the page asks for a name to record with changes."""
    return "resolve" not in _identity


def current_user() -> Actor:
    """Who acts from this browser: the identity of the page's request (proxy mode), or in
    ``none`` mode the name typed in the page ("ui-user" unless typed)."""
    resolve = _identity.get("resolve")
    if resolve is not None:
        try:
            request = ui.context.client.request
        except (RuntimeError, AttributeError):
            return ANONYMOUS
        if request is None:
            return ANONYMOUS
        host = request.client.host if request.client else None
        return resolve(request.headers, host) or ANONYMOUS
    return open_actor(typed_name())


def typed_name() -> str:
    """The name typed in the page (none mode)."""
    try:
        return app.storage.user.get("name") or "ui-user"
    except (RuntimeError, AssertionError):
        return "ui-user"


def set_current_user(name: str | None) -> None:
    """Store the name (a cleared field means "ui-user"), cut to the actor column's length."""
    app.storage.user["name"] = (name or "").strip()[:ACTOR_CHARS] or "ui-user"


def page_dialog() -> ui.dialog:
    """A dialog at the page's top level, deleted when it closes (so its timers stop with it).
    Opened from inside another dialog (the editor from the panel), it outlives that one."""
    with ui.context.client.content:
        dialog = ui.dialog()
    dialog.on_value_change(lambda e: None if e.value else dialog.delete())
    return dialog
