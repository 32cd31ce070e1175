"""Discovery documents: /version, /api, /apis and the resource lists of each group version."""

from __future__ import annotations

from typing import Any

from k8s.simulator.resources import RESOURCES

Obj = dict[str, Any]
VERSION = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.0-barista-sim",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-11-01T00:00:00Z",
    "goVersion": "go1.23.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}


VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def discovery_group(group: str, version: str) -> Obj:
    resources = []
    for r in RESOURCES.values():
        if r.group != group or r.version != version:
            continue
        entry: Obj = {
            "name": r.plural,
            "singularName": r.kind.lower(),
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": VERBS,
        }
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        resources.append(entry)
        for sub in r.subresources:
            kind = {"scale": "Scale", "log": "Pod"}.get(sub, r.kind)
            resources.append(
                {
                    "name": f"{r.plural}/{sub}",
                    "singularName": "",
                    "namespaced": r.namespaced,
                    "kind": kind,
                    "verbs": ["get"] if sub == "log" else ["get", "patch", "update"],
                }
            )
    gv = f"{group}/{version}" if group else version
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": gv,
        "resources": resources,
    }


def api_groups() -> Obj:
    groups: dict[str, list[str]] = {}
    for r in RESOURCES.values():
        if r.group:
            groups.setdefault(r.group, []).append(r.version)
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": g,
                "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in sorted(set(vs))],
                "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]},
            }
            for g, vs in sorted(groups.items())
        ],
    }
