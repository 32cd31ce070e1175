"""The record write path: dry run before the commit, hand-over after it, notices for Pending.

The gate here stands in for the cluster (the real one is tested against the simulator in
tests/cluster); what is tested is the service's order of steps and what it saves."""

from __future__ import annotations

import pytest

from barista_ui.records.registry import NotFound, RegistryService
from barista_ui.records.service import ClusterRefused, ModelService, NullGate
from barista_ui.records.spec import ModelSpec, RecordInvalid
from tests.actors import ANA
from tests.conftest import base_record


class ScriptedGate:
    """Answers dry runs as told and remembers what it was asked and handed."""

    def __init__(self, answer: str = "ok"):
        self.answer = answer  # ok | refuse | unreachable
        self.checked: list[tuple[str, bool]] = []
        self.submitted: list[tuple[str, str]] = []

    def preflight(self, spec: ModelSpec, *, delete: bool = False) -> str | None:
        self.checked.append((f"{spec.namespace}/{spec.name}", delete))
        if self.answer == "refuse":
            raise ClusterRefused(f"the cluster refused the change to {spec.namespace}/{spec.name}")
        return "connection refused" if self.answer == "unreachable" else None

    def submit(self, key: tuple[str, str]) -> None:
        self.submitted.append(key)


def test_null_gate_saves_and_says_nothing(registry: RegistryService) -> None:
    models = ModelService(registry)
    assert isinstance(models.gate, NullGate)
    saved = models.create(base_record(), actor=ANA, source="ui")
    assert saved.record.version == 1 and not saved.pending and saved.notice == ""


def test_dry_run_comes_first_and_the_model_is_handed_over_after(registry) -> None:
    gate = ScriptedGate()
    models = ModelService(registry, gate)
    models.create(base_record(), actor=ANA, source="ui")
    models.set_replicas("ml-prod", "fraud-scorer", 3, actor=ANA, source="ui")
    models.set_replicas("ml-prod", "fraud-scorer", 3, actor=ANA, source="ui")  # no change
    models.delete("ml-prod", "fraud-scorer", actor=ANA, source="ui")
    assert gate.checked == [
        ("ml-prod/fraud-scorer", False),
        ("ml-prod/fraud-scorer", False),
        ("ml-prod/fraud-scorer", True),
    ]
    assert gate.submitted == [("ml-prod", "fraud-scorer")] * 3


def test_refusal_saves_nothing_anywhere(registry) -> None:
    gate = ScriptedGate()
    models = ModelService(registry, gate)
    models.create(base_record(), actor=ANA, source="ui")
    gate.answer = "refuse"
    with pytest.raises(ClusterRefused, match="ml-prod/fraud-scorer"):
        models.set_enabled("ml-prod", "fraud-scorer", False, actor=ANA, source="ui")
    with pytest.raises(ClusterRefused):
        models.create(base_record(name="other"), actor=ANA, source="ui")
    with pytest.raises(ClusterRefused):
        models.apply_many(
            [base_record(replicas=4), base_record(name="third")], actor=ANA, source="cli"
        )
    with pytest.raises(ClusterRefused):
        models.delete("ml-prod", "fraud-scorer", actor=ANA, source="ui")
    rec = registry.get("fraud-scorer")
    assert rec.spec.enabled and rec.spec.replicas == 2 and rec.version == 1
    assert len(registry.history("fraud-scorer")) == 1
    for name in ("other", "third"):
        with pytest.raises(NotFound):
            registry.history(name)
    assert gate.submitted == [("ml-prod", "fraud-scorer")]  # only the first create


def test_unreachable_cluster_saves_as_pending_and_says_so(registry) -> None:
    gate = ScriptedGate("unreachable")
    models = ModelService(registry, gate)
    saved = models.create(base_record(), actor=ANA, source="ui")
    assert saved.pending and saved.record.version == 1
    assert saved.notice.startswith(
        "ml-prod/fraud-scorer saved; the cluster is unreachable, it will be applied when it returns"
    )
    batch = models.apply_many(
        [base_record(replicas=5), base_record(name="b"), base_record(name="c")],
        actor=ANA,
        source="cli",
    )
    assert batch.pending and "3 model(s) saved" in batch.notice
    assert len(gate.checked) == 2  # stops asking once the cluster is known to be unreachable
    assert registry.get("fraud-scorer").spec.replicas == 5
    assert set(gate.submitted) == {("ml-prod", n) for n in ("fraud-scorer", "b", "c")}


def test_invalid_input_is_refused_before_the_cluster_is_asked(registry) -> None:
    gate = ScriptedGate()
    models = ModelService(registry, gate)
    with pytest.raises(RecordInvalid):
        models.create(base_record(replicas=-1), actor=ANA, source="ui")
    assert gate.checked == [] and gate.submitted == []
