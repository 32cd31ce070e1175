"""``barista schedule check/next`` refuse an empty spec (exit 2), as the language does."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "args",
    [
        ["check", "", "--at", "2026-11-24T08:00:00Z"],
        ["check", "   ", "--downtime", "--at", "2026-11-24T08:00:00Z"],
        ["next", "", "--from", "2026-11-24T08:00:00Z"],
    ],
)
def test_an_empty_spec_is_a_usage_error(cli_run, args: list[str]) -> None:
    res = cli_run("schedule", *args)
    assert res.exit_code == 2
    assert res.stderr.startswith("error: empty schedule: use 'always', 'never' or windows")
    assert res.stdout == ""


def test_a_real_spec_still_answers(cli_run) -> None:
    res = cli_run("schedule", "check", "Mon-Fri 08:00-18:00 UTC", "--at", "2026-11-24T08:00:00Z")
    assert res.exit_code == 0 and res.stdout.strip() == "up"
