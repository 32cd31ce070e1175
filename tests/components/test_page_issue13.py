"""The Models tab as its users live in it: filters with options and search on the namespace,
the Schedule column following schedule changes live, times in the viewer's zone, autoscaled
models' replicas, all validation errors at once, and the Deleted view with restore."""

from __future__ import annotations

from nicegui import ElementFilter, ui
from nicegui.testing import User

from barista_ui.access.actor import operator
from barista_ui.records.service import ModelService
from tests.components.test_page_models import registry_for, table
from tests.components.waiting import eventually


def row(user: User, name: str) -> dict:
    return next(r for r in table(user).rows if r["name"] == name)


async def test_filters_have_options_and_search_matches_the_namespace(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)
    team = user.find(marker="filter-team").elements.pop()
    namespace = user.find(marker="filter-namespace").elements.pop()
    assert list(team.options) == ["nlp", "payments", "recsys", "search", "vision"]
    assert list(namespace.options) == ["ml-prod", "ml-research", "ml-staging"]
    user.find(marker="search").type("ml-research")
    shown = sum(1 for r in table(user).rows if "ml-research" in r["search"])
    assert shown and all(r["namespace"] == "ml-research" for r in table(user).rows if
                         "ml-research" in r["search"])  # fmt: skip
    await user.should_see(f"{shown} of 40 models")


async def test_schedule_column_follows_a_team_schedule_save(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)
    assert row(user, "fraud-scorer")["sched"] == "always up"
    user.find(marker="tab-schedules").click()
    await user.should_see("Team payments", retries=100)
    user.find(marker="schedule-spec-team-payments").type("never")
    user.find(marker="schedule-save-team-payments").click()
    await user.should_see("Team payments schedule saved", retries=100)
    # no reload and no record change: the schedule push patches the payments rows (new
    # models: in their grace period first, then down)
    await eventually(lambda: row(user, "fraud-scorer")["sched"] != "always up", timeout=10)
    assert row(user, "fraud-scorer")["sched"].startswith(("grace until", "down"))
    assert row(user, "face-blur")["sched"] != row(user, "fraud-scorer")["sched"]  # vision


async def test_times_are_in_the_viewers_zone_with_its_abbreviation(app_env, user: User) -> None:
    user.javascript_rules[__import__("re").compile(".*resolvedOptions")] = lambda _: (
        "America/New_York"
    )
    await user.open("/")
    await user.should_see("40 models", retries=30)
    await eventually(lambda: "America/New_York" in str(user.find(marker="zone-picker").elements
                                                        .pop().value), timeout=10)  # fmt: skip
    await user.open("/")  # the page reloads once the browser's zone is known
    await user.should_see("40 models", retries=30)
    assert row(user, "face-blur")["sched"].endswith(" EST")  # vision: Berlin office hours
    assert row(user, "face-blur")["updated_exact"].endswith(" EST")
    user.find(marker="models-table").trigger("keep", {"key": "ml-prod/face-blur", "choice": "up3"})
    await user.should_see("face-blur: kept up until", retries=30)
    toast = [m for m in user.notify.messages if "kept up until" in m][-1]
    assert toast.endswith(" EST"), toast


async def test_autoscaled_rows_show_the_hpa_and_edit_min_max(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)
    fraud = row(user, "fraud-scorer")
    assert fraud["replicas_text"] == "HPA 3–7" and "between 3 and 7" in fraud["step_block"]
    assert row(user, "card-risk")["step_block"] == ""
    user.find(marker="models-table").trigger("bounds", {"key": "ml-prod/fraud-scorer"})
    await user.should_see(marker="bounds-save", retries=30)
    user.find(marker="bounds-min").elements.pop().value = 2
    user.find(marker="bounds-max").elements.pop().value = 5
    user.find(marker="bounds-save").click()
    await eventually(
        lambda: registry_for(app_env).get("fraud-scorer").spec.autoscaling.max == 5, timeout=10
    )
    rec = registry_for(app_env).get("fraud-scorer")
    assert (rec.spec.autoscaling.min, rec.spec.replicas) == (2, 4)
    assert registry_for(app_env).history("fraud-scorer")[0].source == "ui"


async def test_blank_form_is_quiet_then_every_error_shows_at_its_field(app_env, user: User) -> None:
    await user.open("/")
    await user.should_see("40 models", retries=30)
    user.find(marker="new-model").click()
    await user.should_see(marker="field-resources.limits.memory", retries=30)

    def errors() -> dict[str, str]:
        """The field errors shown (their labels exist, hidden, for every field)."""
        with user:
            labels = ElementFilter(kind=ui.label, only_visible=True)
            return {
                m.removeprefix("error-"): e.text
                for e in labels
                for m in e._markers
                if m.startswith("error-")
            }

    assert errors() == {}  # nothing typed yet: no error
    user.find(marker="field-resources.requests.cpu").clear().type("2 cores")
    user.find(marker="field-resources.limits.cpu").type("lots")
    user.find(marker="field-resources.limits.memory").type("512Mi")
    await eventually(lambda: len(errors()) == 3, what="three field errors at once")
    shown = errors()
    assert "'2 cores' is not a Kubernetes quantity" in shown["resources.requests.cpu"]
    assert "512Mi is below requests.memory (1Gi)" in shown["resources.limits.memory"]
    assert "image" not in shown  # not edited yet
    user.find(marker="editor-save").click()
    await user.should_see("Fix the highlighted fields first")
    assert "image" in errors()  # a save attempt shows the rest


async def test_deleted_view_lists_and_restores(app_env, user: User) -> None:
    ModelService(registry_for(app_env)).delete(
        "ml-prod", "fraud-scorer", actor=operator("bo"), source="cli"
    )
    await user.open("/?tab=models&state=deleted")
    await user.should_see("1 deleted model", retries=30)
    deleted = user.find(marker="deleted-table").elements.pop()
    assert [r["name"] for r in deleted.rows] == ["fraud-scorer"]
    assert deleted.rows[0]["by"] == "bo (cli)"
    user.find(marker="deleted-table").trigger("restore", deleted.rows[0])
    await user.should_see(marker="rollback-do", retries=30)
    user.find(marker="rollback-do").click()
    await user.should_see("Rolled back to revision", retries=30)
    assert registry_for(app_env).get("fraud-scorer").spec.team == "payments"
    await user.should_see("0 deleted models", retries=30)
