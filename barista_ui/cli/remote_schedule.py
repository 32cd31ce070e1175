"""The schedule commands in remote mode, through ``/api/v1/schedules`` (and, for a model's own
schedule, a merge patch of its record)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from barista_ui.cli.remote import Problem, client, path
from barista_ui.cli.remote_models import _one, patch


def policies(team: str | None) -> list[dict[str, Any]]:
    return client().get("/schedules", team=team)


def set_schedule(
    global_: bool,
    team: str | None,
    model: str | None,
    namespace: str | None,
    schedule: dict[str, Any] | None,
    holidays: str | None,
) -> None:
    """Usage mistakes (a spec the language cannot read) exit with 2, as locally."""
    try:
        if model:
            if schedule is not None and holidays:
                country, _, subdiv = holidays.partition("-")
                schedule["holidays"] = {
                    "country": country.upper(),
                    "subdiv": subdiv.upper() or None,
                }
            patch(model, namespace, {"schedule": schedule}, "schedule changed")
            return
        url = "/schedules/global" if global_ else "/schedules/teams/" + path(team or "")
        if schedule is None:
            client().send("DELETE", url)
        else:
            client().send("PUT", url, {**schedule, "holidays": holidays})
    except Problem as exc:
        if exc.kind == "invalid-input":
            exc.code = 2
        raise


def explain(name: str, namespace: str | None, when: datetime, tz: str) -> str:
    d = client().get("/schedules" + _one(name, namespace), at=when.isoformat(), tz=tz)
    return f"{d['state']} — rule: {d['rule']} — {d['explanation']}"


def override(
    name: str, namespace: str | None, up: bool, until: str | None, reason: str, clear: bool
) -> str:
    url = "/schedules" + _one(name, namespace) + "/override"
    if clear:
        return f"{client().send('DELETE', url)['cleared']} override(s) cleared"
    from barista_ui.schedule.language import parse_time

    when = parse_time(until or "")
    res = client().send(
        "PUT", url, {"state": "up" if up else "down", "until": when.isoformat(), "reason": reason}
    )
    return f"{res['namespace']}/{res['name']} kept {res['state']} until {until}"
