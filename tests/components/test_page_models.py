"""The Models tab through NiceGUI's simulated user (no browser): page logic and services."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from barista_ui.records.registry import RegistryService
from data.db import make_engine, session_factory
from tests.components.waiting import eventually


def registry_for(app_env) -> RegistryService:
    return RegistryService(session_factory(make_engine(f"sqlite:///{app_env}")))


def table(user: User) -> ui.table:
    return user.find(marker="models-table").elements.pop()


async def open_model(user: User, key: str) -> None:
    """What a click on the model's name cell sends; the panel opens once the record is read
    (off the event loop), once the table has been filled (also off the loop)."""
    await eventually(lambda: any(r["key"] == key for r in table(user).rows), what=f"{key} shown")
    user.find(marker="models-table").trigger("open", {"key": key})
    await user.should_see(marker="panel-history", retries=30)


async def test_table_shows_the_seeded_fleet(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)  # read in a worker thread
    rows = table(user).rows
    assert len(rows) == 40
    fraud = next(r for r in rows if r["name"] == "fraud-scorer")
    assert fraud["team"] == "payments" and fraud["namespace"] == "ml-prod"
    assert any(r["gpu"] for r in rows) and any(not r["enabled"] for r in rows)


async def test_search_and_filters(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)
    user.find(marker="search").type("fraud")
    await user.should_see("1 of 40 models")
    assert [r["name"] for r in table(user).rows] == ["fraud-scorer"]  # searched on the server
    user.find(marker="search").clear()
    select = user.find(marker="filter-team").elements.pop()
    select.value = "vision"
    await user.should_see("8 models", retries=30)  # read again in a worker thread
    assert {r["team"] for r in table(user).rows} == {"vision"}
    user.find(marker="filter-enabled").elements.pop().value = "off"
    await eventually(lambda: len(table(user).rows) < 8, what="the State filter applied")
    assert table(user).rows and all(not r["enabled"] for r in table(user).rows)


async def test_create_with_validation_error_then_fix(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)
    user.find(marker="new-model").click()
    await user.should_see(marker="editor-save", retries=30)
    await user.should_see(marker="field-resources.requests.cpu", retries=30)  # built in steps
    user.find(marker="field-name").type("Bad_Name")
    await user.should_see("is not a valid DNS-1123 label")
    user.find(marker="field-name").clear().type("churn-predictor")
    user.find(marker="field-team").elements.pop().value = "payments"
    user.find(marker="field-image").type("registry.example.com/churn:1.0.0")
    user.find(marker="field-resources.requests.cpu").clear().type("2 cores")
    await user.should_see("'2 cores' is not a Kubernetes quantity")
    user.find(marker="editor-save").click()
    await user.should_see("Fix the highlighted fields first")
    assert registry_for(app_env).find("churn-predictor") is None
    user.find(marker="field-resources.requests.cpu").clear().type("2")
    user.find(marker="editor-save").click()
    await user.should_see(
        "ml-staging/churn-predictor created", retries=30
    )  # saved off the event loop
    rec = registry_for(app_env).get("churn-predictor")
    assert rec.spec.resources.requests.cpu == "2" and rec.spec.team == "payments"
    assert registry_for(app_env).history("churn-predictor")[0].source == "ui"


async def test_edit_conflict_keeps_both_edits_safe(app_env, user: User) -> None:
    await user.open("/")
    reg = registry_for(app_env)
    original = reg.get("fraud-scorer")
    await open_model(user, "ml-prod/fraud-scorer")
    await user.should_see("Scores card transactions for fraud in real time")
    user.find(marker="panel-edit").click()
    await user.should_see("Edit ml-prod/fraud-scorer", retries=30)
    await user.should_see(marker="field-replicas", retries=30)  # the form is built in steps
    # someone else saves first
    reg.set_replicas("ml-prod", "fraud-scorer", 7, actor="bob", source="cli")
    user.find(marker="field-replicas").elements.pop().value = 3
    user.find(marker="editor-save").click()
    await user.should_see("Someone else saved this model first", retries=30)
    after = reg.get("fraud-scorer")
    assert after.spec.replicas == 7 and after.version == original.version + 1


async def test_history_diff_and_rollback(app_env, user: User) -> None:
    reg = registry_for(app_env)
    reg.set_replicas("ml-prod", "fraud-scorer", 6, actor="bob", source="cli", reason="peak")
    await user.open("/")
    await open_model(user, "ml-prod/fraud-scorer")
    user.find(marker="panel-history").click()
    await user.should_see("History of ml-prod/fraud-scorer")
    history = user.find(marker="history-table").elements.pop()
    newest = history.rows[0]
    assert newest["summary"] == "replicas: 4 → 6" and newest["who"] == "bob (cli)"
    assert newest["reason"] == "peak"
    diff_labels = [
        e.text
        for e in user.find(marker="diff-box").elements.pop().descendants()
        if isinstance(e, ui.label)
    ]
    assert diff_labels == ["Field", "Revision 1", "Revision 2", "replicas", "4", "6"]
    user.find(marker="rollback-target").elements.pop().value = 1
    user.find(marker="rollback-button").click()
    user.find(marker="rollback-do").click()
    await user.should_see("Rolled back to revision 1", retries=30)  # saved off the event loop
    rec = reg.get("fraud-scorer")
    assert rec.spec.replicas == 4
    assert reg.history("fraud-scorer")[0].action == "rollback"


async def test_delete_needs_the_name(app_env, user: User) -> None:
    await user.open("/")
    await open_model(user, "ml-prod/card-risk")
    user.find(marker="panel-delete").click()
    user.find(marker="delete-confirm-name").type("wrong")
    user.find(marker="delete-do").click()
    await user.should_see("The name does not match")
    assert registry_for(app_env).find("card-risk") is not None
    user.find(marker="delete-confirm-name").clear().type("card-risk")
    user.find(marker="delete-do").click()
    await user.should_see("ml-prod/card-risk deleted", retries=30)  # deleted off the event loop
    assert registry_for(app_env).find("card-risk") is None
