"""barista access grant|revoke|list and barista tokens create|list|revoke (local mode: the
operator is an admin)."""

from __future__ import annotations

import json


def test_grant_list_revoke_and_audit(cli_run) -> None:
    res = cli_run("access", "grant", "user:Eddie@Example.com", "editor", "--team", "vision")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "granted: user:Eddie@Example.com editor of team 'vision'"
    assert cli_run("access", "grant", "group:sre", "admin").exit_code == 0
    again = cli_run("access", "grant", "group:sre", "admin")
    assert again.stdout.startswith("already held")
    listed = json.loads(cli_run("access", "list", "--format", "json").stdout)
    assert [(b["subject"], b["role"], b["team"], b["created_by"]) for b in listed] == [
        ("group:sre", "admin", None, "ana"),
        ("user:eddie@example.com", "editor", "vision", "ana"),
    ]
    assert cli_run("access", "revoke", "group:sre", "admin").exit_code == 0
    table = cli_run("access", "list").stdout.splitlines()
    assert table[0].split() == ["SUBJECT", "ROLE", "TEAM", "BY"] and len(table) == 2
    audit = json.loads(cli_run("access", "audit", "--format", "json").stdout)
    assert [(a["action"], a["subject"], a["actor"]) for a in audit] == [
        ("revoke", "group:sre", "ana"),
        ("grant", "group:sre", "ana"),
        ("grant", "user:eddie@example.com", "ana"),
    ]


def test_bad_bindings_are_one_line_errors(cli_run) -> None:
    cases = {
        ("user:a@b.c", "editor"): "editor needs a team (--team TEAM)",
        ("user:a@b.c", "viewer", "--team", "x"): "viewer is not per team",
        ("alice", "viewer"): "subject must be user:EMAIL or group:NAME, not 'alice'",
        ("user:a@b.c", "owner"): "role must be one of viewer, editor, admin, not 'owner'",
        ("user:a@b.c", "editor", "--team", "Bad Team"): "is not a valid team name",
    }
    for args, message in cases.items():
        res = cli_run("access", "grant", *args)
        assert res.exit_code == 1 and message in res.stderr, (args, res.output)
        assert len(res.stderr.strip().splitlines()) == 1
    res = cli_run("access", "revoke", "user:a@b.c", "viewer")
    assert res.exit_code == 1 and "does not hold viewer; nothing revoked" in res.stderr


def test_tokens_create_list_revoke(cli_run) -> None:
    made = json.loads(
        cli_run("tokens", "create", "ci", "--owner", "bot@example.com", "--format", "json").stdout
    )
    assert made["token"].startswith("bar_") and made["owner"] == "bot@example.com"
    mine = cli_run("tokens", "create", "laptop", "--days", "7")
    assert mine.exit_code == 0 and "shown this once" in mine.stdout
    own = json.loads(cli_run("tokens", "list", "--format", "json").stdout)
    assert [t["name"] for t in own] == ["laptop"]  # ana's only
    every = json.loads(cli_run("tokens", "list", "--all", "--format", "json").stdout)
    assert {t["name"] for t in every} == {"laptop", "ci"}
    assert all("token" not in t and made["token"] not in json.dumps(t) for t in every)
    res = cli_run("tokens", "revoke", str(made["id"]))
    assert res.exit_code == 0 and "revoked: token" in res.stdout
    every = json.loads(cli_run("tokens", "list", "--all", "--format", "json").stdout)
    assert {t["name"]: t["state"] for t in every} == {"laptop": "active", "ci": "revoked"}
    assert cli_run("tokens", "revoke", "999").stderr.strip() == "error: no token with id 999"
