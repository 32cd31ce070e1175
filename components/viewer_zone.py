"""The one zone the page shows times in: the viewer's browser zone (read from the browser once
per client and remembered), or the zone they picked in the header."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nicegui import app, ui

log = logging.getLogger("barista.page")
BROWSER_ZONE_JS = "Intl.DateTimeFormat().resolvedOptions().timeZone"
COMMON = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
          "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney")  # fmt: skip


def valid_zone(name: object) -> str | None:
    """``name`` when it is an IANA zone this machine knows, else None."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _storage() -> dict:
    try:
        return app.storage.user
    except (RuntimeError, AssertionError):
        return {}


def viewer_zone() -> str:
    """The zone this viewer sees times in: their choice, else their browser's, else UTC."""
    store = _storage()
    return valid_zone(store.get("tz")) or valid_zone(store.get("tz_browser")) or "UTC"


def zone_abbr(tz: str, now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(tz)).strftime("%Z")


async def learn_browser_zone() -> None:
    """Ask the browser for its zone once (the first visit); reload the page when it differs
    from the one the page was drawn in, so every time on it is in the viewer's zone."""
    store = _storage()
    if store.get("tz_browser"):
        return
    try:
        name = await ui.run_javascript(BROWSER_ZONE_JS, timeout=1.0)
    except Exception:  # no answer (a closed tab): try again at the next visit
        return
    zone = valid_zone(name) or "UTC"
    before = viewer_zone()
    store["tz_browser"] = zone
    if viewer_zone() != before:
        ui.navigate.reload()


def zone_picker(*, in_header: bool = True) -> None:
    """The header's zone switch: the browser's zone, UTC and common zones, or any IANA name."""
    current = viewer_zone()
    browser = valid_zone(_storage().get("tz_browser"))
    options = sorted({current, *COMMON, *([browser] if browser else [])})

    def chosen(e) -> None:
        zone = valid_zone(e.value)
        if zone is None:
            ui.notify(f"'{e.value}' is not a known IANA zone, e.g. Europe/Berlin", type="warning")
            return
        if zone != viewer_zone():
            _storage()["tz"] = zone
            ui.navigate.reload()

    select = ui.select(
        options,
        value=current,
        with_input=True,
        new_value_mode="add-unique",
        on_change=chosen,
        label=None if in_header else "Times shown in",
    ).tooltip("Times on this page are shown in this zone")
    if in_header:  # on a phone the header has no room: the user menu has the same switch
        select.props('dense borderless dark options-dense hide-dropdown-icon input-debounce="0"')
        select.classes("w-44 text-white gt-xs").mark("zone-picker")
    else:
        select.props('dense outlined options-dense input-debounce="0"').classes("w-full")
        select.mark("zone-picker-menu")
