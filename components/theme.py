"""Shared look: colours, small formatting helpers, the current user's name."""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import app, ui

PRIMARY = "#6f4e37"  # coffee
ACCENT = "#c08552"

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


def exact(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def current_user() -> str:
    """Display name recorded as the actor of changes made from this browser."""
    try:
        return app.storage.user.get("name") or "ui-user"
    except (RuntimeError, AssertionError):
        return "ui-user"


def set_current_user(name: str) -> None:
    app.storage.user["name"] = name.strip() or "ui-user"
