"""A stored row that no longer validates is listed apart with its problem, never breaks a read
of the fleet, and can be fixed (update, apply, rollback) or deleted."""

from __future__ import annotations

import pytest

from barista_ui.records.record import Unreadable, UnreadableRecord
from barista_ui.records.registry import RegistryService
from barista_ui.records.service import ModelService
from tests.actors import ANA
from tests.conftest import base_record
from tests.unreadable_rows import BAD_SCHEDULE, spoil


@pytest.fixture
def fleet(registry: RegistryService, engine) -> RegistryService:
    registry.create(base_record(), actor="ana", source="cli")
    registry.create(base_record(name="churn"), actor="ana", source="cli")
    registry.create(base_record(name="vision"), actor="ana", source="cli")
    spoil(engine, "ml-prod", "churn", schedule=BAD_SCHEDULE)
    spoil(engine, "ml-prod", "vision", cpu_limit="500m")  # below its request of 1
    return registry


def test_the_fleet_reads_with_the_unreadable_rows_apart(fleet: RegistryService) -> None:
    assert [r.name for r in fleet.list_models()] == ["fraud-scorer"]
    records, unreadable = fleet.read_models()
    assert [r.name for r in records] == ["fraud-scorer"]
    churn, vision = unreadable
    assert isinstance(churn, UnreadableRecord) and churn.key == ("ml-prod", "churn")
    assert (
        "schedule.timezone: unknown timezone" in churn.problem
        and churn.stored["schedule"] == BAD_SCHEDULE
    )
    assert "resources" in vision.problem and "limit" in vision.problem
    assert fleet.read_models(team="payments")[1] == unreadable


def test_get_names_the_problem_and_find_does_not_pretend_it_is_gone(
    fleet: RegistryService,
) -> None:
    with pytest.raises(Unreadable, match="churn is stored with values that are no longer valid"):
        fleet.get("churn")
    with pytest.raises(Unreadable):  # None would make the reconciler delete the Deployment
        fleet.find("churn", "ml-prod")


def test_an_unreadable_row_is_fixed_by_an_update_or_an_apply(fleet: RegistryService) -> None:
    (churn, vision) = fleet.read_models()[1]
    fixed = fleet.update(
        "ml-prod",
        "churn",
        base_record(name="churn", schedule={"uptime": "Mon-Fri 08:00-18:00 UTC"}),
        expected_version=churn.version,
        actor="ana",
        source="ui",
    )
    assert fixed.version == churn.version + 1
    (outcome,) = fleet.apply_many([base_record(name="vision")], actor="ana", source="cli")
    assert outcome.action == "updated"
    assert fleet.read_models()[1] == [] and len(fleet.list_models()) == 3


def test_an_unreadable_row_can_be_deleted(fleet: RegistryService) -> None:
    deleted = ModelService(fleet).delete("ml-prod", "churn", actor=ANA, source="ui")
    assert deleted.key == ("ml-prod", "churn")
    assert [u.name for u in fleet.read_models()[1]] == ["vision"]
    assert fleet.history("churn")[0].action == "delete"
