"""Every mutating operation × every kind of identity, through the services as the page calls
them: exactly the allowed ones happen, each recorded under the acting user's name; every
denied one raises and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from barista_ui.access.roles import AccessDenied, Forbidden, NotAuthenticated
from tests.access.matrix import (
    IDENTITIES,
    OPERATIONS,
    Operation,
    build_world,
    copy_world,
    fingerprint,
    seed,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("matrix") / "template.db"
    seed(build_world(db))
    return db


# the expected table, written out (the operations' ``allowed`` must agree with it)
EXPECTED = {
    "models.create": "--EA",
    "models.update": "--EA",
    "models.update (move to another team)": "---A",
    "models.toggle": "--EA",
    "models.scale": "--EA",
    "models.delete": "--EA",
    "models.rollback": "--EA",
    "models.apply": "--EA",
    "schedules.team": "--EA",
    "schedules.global": "---A",
    "overrides.set": "--EA",
    "overrides.clear": "--EA",
    "cost.prices": "---A",
    "cost.budgets": "---A",
    "cost.billing": "---A",
    "access.grant": "---A",
    "access.revoke": "---A",
    "tokens.create (own)": "VOEA",
    "tokens.create (for another user)": "---A",
    "tokens.revoke (another user's)": "--EA",
}
COLUMNS = ["viewer", "editor-other-team", "editor-of-team", "admin"]  # anonymous: always denied


def test_the_table_is_the_one_written_out() -> None:
    assert {op.name for op in OPERATIONS} == set(EXPECTED)
    for op in OPERATIONS:
        shown = "".join(c[0].upper() if c in op.allowed else "-" for c in COLUMNS)
        shown = shown.replace("E", "O", 1) if shown[1] == "E" else shown
        assert "anonymous" not in op.allowed, op.name
        assert shown == EXPECTED[op.name], op.name


@pytest.mark.parametrize("label", list(IDENTITIES))
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_service_call(template: Path, tmp_path: Path, op: Operation, label: str) -> None:
    world = copy_world(template, tmp_path / "case.db")
    actor = world.actor(label)
    before = fingerprint(world)
    if label in op.allowed:
        op.run(world, actor)
        assert fingerprint(world) != before, f"{op.name} by {label} changed nothing"
        assert actor is not None
        expected_name = IDENTITIES[label]
        recorded = op.recorded(world)
        assert recorded in (expected_name, ""), f"{op.name} recorded as {recorded!r}"
        if op.name != "overrides.clear":
            assert recorded == expected_name
        return
    with pytest.raises(AccessDenied) as denied:
        op.run(world, actor)
    assert isinstance(denied.value, NotAuthenticated if actor is None else Forbidden)
    assert fingerprint(world) == before, f"{op.name} by {label} changed something"
