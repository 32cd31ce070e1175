"""Budget alerts on the Models tab: a badge on the rows of a team over its monthly budget (or
projected over it by month end), and a note above the table for the teams the viewer edits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

TEAM_SLOT = r"""
<q-td :props="props">{{ props.row.team }}
  <q-badge v-if="props.row.budget" :color="props.row.budget_colour" class="q-ml-xs">
    {{ props.row.budget_label }}<q-tooltip>{{ props.row.budget }}</q-tooltip></q-badge>
</q-td>
"""


def budget_fields(sentence: str | None) -> dict[str, Any]:
    """The row fields for its team's alert (empty text when the team is within its budget)."""
    if not sentence:
        return {"budget": "", "budget_label": "", "budget_colour": ""}
    over = " is over budget" in sentence
    return {
        "budget": sentence,
        "budget_label": "over budget" if over else "projected over",
        "budget_colour": "negative" if over else "orange-9",
    }


def budget_note() -> ui.label:
    note = ui.label("").classes("text-sm text-negative").mark("budget-note")
    note.set_visibility(False)  # shown once there is something to say
    return note


def show_budget_note(
    note: ui.label, alerts: dict[str, str], can_edit: Callable[[str], bool]
) -> None:
    """The alerts of the teams whose models the viewer edits (their editors act on them)."""
    mine = [alerts[team] for team in sorted(alerts) if can_edit(team)]
    note.text = "Budget: " + "; ".join(mine) if mine else ""
    note.set_visibility(bool(mine))
