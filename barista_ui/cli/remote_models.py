"""The model commands in remote mode: the same data as the local services give, from
``/api/v1/models``. A name without ``--namespace`` is looked up as locally (unique across
namespaces, or an error listing them). Changes carry the version they were based on (If-Match)."""

from __future__ import annotations

from typing import Any

from barista_ui.cli.errors import CliError
from barista_ui.cli.remote import Problem, client, path
from barista_ui.cli.views import RecordView

PAGE = 500


def exists_message(namespace: str, name: str) -> str:
    return (
        f"'{name}' already exists in namespace '{namespace}'; "
        "use 'barista models apply' to update it"
    )


def _pages(**filters: Any) -> tuple[list[dict], list[dict]]:
    items: list[dict] = []
    unreadable: list[dict] = []
    token = None
    while True:
        page = client().get("/models", limit=PAGE, **filters, **{"continue": token})
        items += page["items"]
        unreadable += page["unreadable"]
        token = page.get("continue")
        if not token:
            return items, unreadable


def listing(team: str | None, namespace: str | None) -> tuple[list[RecordView], list[str]]:
    items, unreadable = _pages(team=team, namespace=namespace)
    return [RecordView.from_api(i) for i in items], [u["message"] for u in unreadable]


def resolve(name: str, namespace: str | None) -> str:
    """The namespace of ``name``: the one given, else the only one holding it."""
    if namespace:
        return namespace
    items, unreadable = _pages(name=name)
    found = sorted({i["namespace"] for i in items} | {u["namespace"] for u in unreadable})
    if not found:
        raise CliError(f"no model named '{name}'")
    if len(found) > 1:
        raise CliError(
            f"model '{name}' exists in several namespaces ({', '.join(found)}); pass --namespace"
        )
    return found[0]


def _one(name: str, namespace: str | None, *parts: str) -> str:
    return "/models/" + path(resolve(name, namespace), name, *parts)


def get(name: str, namespace: str | None) -> RecordView:
    if namespace is None:  # the look-up by name already answers with the record: one call
        items, unreadable = _pages(name=name)
        if len(items) == 1 and not unreadable:
            return RecordView.from_api(items[0])
    return RecordView.from_api(client().get(_one(name, namespace)))


def apply(
    records: list[dict[str, Any]], reason: str, create_only: bool = False
) -> tuple[list[tuple[str, str, str]], str]:
    body = {"records": records, "reason": reason, "create_only": create_only}
    try:
        res = client().send("POST", "/models/apply", body)
    except Problem as exc:
        if exc.kind == "exists" and "namespace" in exc.body:
            raise CliError(exists_message(exc.body["namespace"], exc.body["name"])) from None
        raise
    return [(o["namespace"], o["name"], o["action"]) for o in res["outcomes"]], res["notice"]


def delete(name: str, namespace: str | None, reason: str) -> tuple[tuple[str, str], str]:
    url = _one(name, namespace)
    try:
        version = client().get(url)["version"]
    except Problem as exc:  # stored with values no longer valid: deleting it is one fix
        if exc.kind != "unreadable":
            raise
        version = exc.body["version"]
    res = client().send("DELETE", url, params={"reason": reason}, headers=_if_match(version))
    return (res["namespace"], res["name"]), res["notice"]


def _if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def history(name: str, namespace: str | None) -> list[dict[str, Any]]:
    revs = client().get(_one(name, namespace, "history"))
    return [
        {
            "revision": r["number"],
            "action": r["action"],
            "actor": r["actor"],
            "source": r["source"],
            "reason": r["reason"],
            "time": r["created_at"],
            "changes": r["changes"],
        }
        for r in revs
    ]


def diff(name: str, namespace: str | None, a: int | None, b: int | None) -> list[dict]:
    return client().get(_one(name, namespace, "diff"), **{"from": a, "to": b})["changes"]


def rollback(name: str, namespace: str | None, to: int, reason: str) -> tuple[RecordView, str]:
    res = client().send(
        "POST", _one(name, namespace, "rollback"), {"revision": to, "reason": reason}
    )
    return RecordView.from_api(res["model"]), res["notice"]


def patch(
    name: str, namespace: str | None, changes: dict[str, Any], reason: str, current: bool = False
) -> tuple[RecordView, str]:
    """Merge-patch the record, based on the version just read (``current``: retried on a
    save in between, as the page's one-click actions are)."""
    res = _patch(_one(name, namespace), changes, reason, retries=3 if current else 1)
    return RecordView.from_api(res["model"]), res["notice"]


def _patch(url: str, changes: dict[str, Any], reason: str, retries: int) -> dict[str, Any]:
    for attempt in range(retries):
        version = client().get(url)["version"]
        try:
            return client().send(
                "PATCH",
                url,
                changes,
                params={"reason": reason},
                headers={**_if_match(version), "Content-Type": "application/merge-patch+json"},
            )
        except Problem as exc:
            if exc.status != 412 or attempt == retries - 1:
                raise
    raise AssertionError("unreachable")


def scale(
    name: str, namespace: str | None, replicas: int, reason: str
) -> tuple[int, RecordView, Any, str]:
    url = _one(name, namespace)
    old = client().get(url)["record"]["replicas"]
    res = _patch(url, {"replicas": replicas}, reason, retries=3)
    runs = res["runs"] if res["runs"] is not None else "nothing (the server has no cluster)"
    return old, RecordView.from_api(res["model"]), runs, res["notice"]


def manifests(name: str, namespace: str | None) -> list[dict[str, Any]]:
    return client().get(_one(name, namespace, "manifests"))["objects"]
