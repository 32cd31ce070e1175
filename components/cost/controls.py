"""The Cost tab's control row: range, custom dates, teams, stacking, source, import button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from nicegui import ui

from barista_ui.access import roles
from barista_ui.cost.board import TabSetup
from barista_ui.cost.overview import Period, chosen_period
from components.widgets.guard import guard

RANGES = {7: "7 days", 30: "30 days", 90: "90 days", 0: "Custom"}


@dataclass
class CostControls:
    days: ui.toggle
    d_from: ui.input
    d_to: ui.input
    teams: ui.select
    stack: ui.toggle
    source: ui.toggle
    badge_slot: ui.element
    import_button: ui.button

    def period(self, tz: str, now: datetime) -> Period:
        """The chosen period (ValueError naming what is wrong with a custom range)."""
        return chosen_period(tz, int(self.days.value or 0), self.d_from.value, self.d_to.value, now)

    def selected_teams(self) -> list[str]:
        return list(self.teams.value or [])

    def apply_setup(self, setup: TabSetup) -> None:
        """Fill in what needed the database: teams, sources, the demo-history badge."""
        self.teams.set_options(setup.teams, value=self.teams.value)
        self.show_sources(setup.sources)
        if setup.demo_history:
            with self.badge_slot:
                ui.badge("includes demo history", color="amber-3", text_color="brown-10").tooltip(
                    "Demo mode seeded 90 days of plausible replica history so the charts mean "
                    "something on first run"
                )

    def show_sources(self, sources: dict[str, str]) -> None:
        self.source.set_options(sources, value=self.source.value)
        self.source.set_visibility(len(sources) > 1)


def _date_input(label: str, value: date, mark: str) -> ui.input:
    return (
        ui.input(label, value=str(value))
        .props("type=date dense outlined")
        .classes("w-36")
        .mark(mark)
    )


def build_controls(today: date, days_shown: int = 30) -> CostControls:
    """The row of controls; teams and sources start empty and arrive with ``apply_setup``."""
    with ui.row().classes("items-center gap-3 w-full flex-wrap"):
        days = ui.toggle(RANGES, value=days_shown).props("dense no-caps").mark("cost-range")
        d_from = _date_input("From", today - timedelta(days=29), "cost-from")
        d_to = _date_input("To (included)", today, "cost-to")
        teams = (
            ui.select([], multiple=True, label="Teams (all)", value=[])
            .props("dense outlined clearable use-chips")
            .classes("min-w-48")
            .mark("cost-teams")
        )
        stack = (
            ui.toggle({"team": "By team", "model": "By model"}, value="team")
            .props("dense no-caps")
            .mark("cost-stack")
        )
        source = (
            ui.toggle({"modeled": "Modeled"}, value="modeled")
            .props("dense no-caps")
            .mark("cost-source")
        )
        source.set_visibility(False)
        badge_slot = ui.element("div")
        ui.space()
        import_button = guard(
            ui.button("Import billing", icon="upload")
            .props("flat dense no-caps")
            .mark("cost-import"),
            roles.COST_BILLING,
        )
    d_from.bind_visibility_from(days, "value", lambda v: v == 0)
    d_to.bind_visibility_from(days, "value", lambda v: v == 0)
    return CostControls(days, d_from, d_to, teams, stack, source, badge_slot, import_button)
