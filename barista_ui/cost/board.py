"""What the Cost tab, the model panel and the model editor ask of cost, behind one typed
facade built from explicit dependencies (no service container): the cost service, the records,
the teams, the scheduler's week rule as a callable, the billing tag keys and, when configured,
an OpenCost client.

Every method may reach the database (or OpenCost): pages call them through
``run.io_bound``. Time is an explicit ``now`` where a caller may want to fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from barista_ui.access.actor import Actor
from barista_ui.cost.budgets import BudgetLine, month_to_date
from barista_ui.cost.opencost import OpenCostClient
from barista_ui.cost.overview import (
    Overview,
    Period,
    UpFraction,
    fleet_projected_savings,
    model_cost_line,
    month_start,
    overview,
)
from barista_ui.cost.rates import PriceEntry, edit_delta_per_month
from barista_ui.cost.service import CostService
from barista_ui.records.registry import ModelRecord
from barista_ui.records.spec import ModelSpec

HOURS_PER_MONTH = 730


@dataclass(frozen=True)
class BillingKeys:
    """The tag (FOCUS) and label (Google Cloud) keys that name a billing row's team and model."""

    focus_team_tag: str = "team"
    focus_model_tag: str = "model"
    gcp_team_label: str = "k8s-label/team"
    gcp_model_label: str = "k8s-label/model"

    def for_format(self, fmt: str) -> tuple[str | None, str | None]:
        return {
            "focus": (self.focus_team_tag, self.focus_model_tag),
            "gcp": (self.gcp_team_label, self.gcp_model_label),
        }.get(fmt, (None, None))


@dataclass(frozen=True)
class TabSetup:
    """The Cost tab's controls: teams to filter by, sources to pick, demo history or not."""

    teams: list[str]
    sources: dict[str, str]
    demo_history: bool


@dataclass
class CostFigures:
    """Everything one drawing of the Cost tab shows."""

    overview: Overview
    projected: float  # what schedules save over the next 7 days (modeled source only)
    budget_lines: list[BudgetLine] = field(default_factory=list)
    prices: list[PriceEntry] = field(default_factory=list)


@dataclass(frozen=True)
class EditEstimate:
    """What an edit costs per month: rates, replicas and up-fractions before and after."""

    old_rate: float
    new_rate: float
    old_replicas: int
    new_replicas: int
    old_up: float
    new_up: float

    @property
    def delta_per_month(self) -> float:
        return edit_delta_per_month(
            self.old_rate,
            self.old_replicas,
            self.new_rate,
            self.new_replicas,
            self.old_up,
            self.new_up,
        )

    @property
    def monthly(self) -> float:
        return self.new_rate * self.new_replicas * HOURS_PER_MONTH * self.new_up


def _running_replicas(spec: ModelSpec | None) -> int:
    return (spec.replicas if spec.enabled else 0) if spec is not None else 0


class CostBoard:
    def __init__(
        self,
        cost: CostService,
        *,
        records: Callable[[], list[ModelRecord]],
        teams: Callable[[], list[str]],
        up_fraction: UpFraction,
        billing_keys: BillingKeys | None = None,
        opencost: OpenCostClient | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.cost = cost
        self._records = records
        self._teams = teams
        self._up_fraction = up_fraction
        self.billing_keys = billing_keys or BillingKeys()
        self.opencost = opencost
        self.clock = clock

    @property
    def tz(self) -> str:
        return self.cost.tz

    @property
    def region(self) -> str:
        return self.cost.region

    @property
    def price_file(self) -> str | None:
        return self.cost.price_file

    # ------------------------------------------------------------------ the tab

    def tab_setup(self) -> TabSetup:
        sources = {"modeled": "Modeled"}
        if self.cost.has_billing():
            sources["billing"] = "Billed"
        if self.opencost is not None:
            sources["opencost"] = "OpenCost"
        return TabSetup(self._teams(), sources, self.cost.has_demo_history())

    def figures(
        self, period: Period, source: str, teams: list[str], stack_by_model: bool
    ) -> CostFigures:
        """The overview of ``period`` from ``source`` for ``teams`` (all when empty), the
        savings schedules will make next week, budgets against the month and the prices."""
        ov = overview(
            self.cost,
            self._records(),
            period,
            source=source,
            teams=teams,
            stack_by_model=stack_by_model,
            opencost=self.opencost,
        )
        projected = self.projected_savings(teams, period.now) if source == "modeled" else 0.0
        return CostFigures(ov, projected, self.budget_lines(ov), self.cost.price_table())

    def projected_savings(self, teams: list[str] | None, now: datetime) -> float:
        return fleet_projected_savings(self.cost, self._records(), self._up_fraction, now, teams)

    def budget_lines(self, ov: Overview) -> list[BudgetLine]:
        """Month to date and projection per team against its budget (the filtered teams)."""
        if ov.month is None:
            return []
        budgets = self.cost.budgets()
        if ov.teams:
            budgets = {t: b for t, b in budgets.items() if t in ov.teams}
        return month_to_date(ov.month, budgets, ov.period.now, self.tz)

    def budgets(self) -> dict[str, float]:
        """Each team's monthly budget in USD (a small read)."""
        return self.cost.budgets()

    def teams_over_budget(self, now: datetime | None = None) -> dict[str, BudgetLine]:
        """The teams over their monthly budget, or projected over it by month end, from the
        modeled cost of this month so far: team -> its budget line (``status``, ``mtd``,
        ``projected``, ``budget``, ``describe()``). Teams without a budget never appear.
        One small query on the roll-ups; call it from a worker thread."""
        now = now or self.clock()
        budgets = self.cost.budgets()
        if not budgets:
            return {}
        month = self.cost.totals(month_start(self.tz, now), now, ["day", "team"], list(budgets))
        lines = month_to_date(month[["day", "team", "cost_usd"]], budgets, now, self.tz)
        return {line.team: line for line in lines if line.alert}

    def set_budget(self, team: str, monthly_usd: float | None, *, actor: Actor) -> None:
        self.cost.set_budget(team, monthly_usd, actor=actor)

    def import_billing(
        self,
        content: bytes,
        fmt: str,
        *,
        filename: str = "",
        actor: Actor,
        team_key: str | None = None,
        model_key: str | None = None,
    ) -> dict[str, Any]:
        """Import a billing export with the configured tag/label keys unless given."""
        default_team, default_model = self.billing_keys.for_format(fmt)
        return self.cost.import_billing(
            content,
            fmt,
            filename=filename,
            actor=actor,
            team_key=team_key or default_team,
            model_key=model_key or default_model,
        )

    def price_table(self) -> list[PriceEntry]:
        return self.cost.price_table()

    def save_prices(self, entries: list[PriceEntry], *, actor: Actor) -> int:
        """Replace the price table; running models are re-rated from now on."""
        return self.cost.save_prices(entries, self._records(), actor=actor)

    def model_labels(self) -> dict[tuple[str, str], dict[str, str]]:
        """Each model's labels by (namespace, name), for sums by ``label:KEY``."""
        return {(r.namespace, r.name): dict(r.spec.labels) for r in self._records()}

    # ------------------------------------------------------------------ a model

    def edit_estimate(
        self, old: ModelSpec | None, new: ModelSpec, now: datetime | None = None
    ) -> EditEstimate:
        """Rates and schedules before and after an edit (PricingError: no price for it)."""
        now = now or self.clock()
        return EditEstimate(
            new_rate=self.cost.rate_for(new),
            old_rate=self.cost.rate_for(old) if old is not None else 0.0,
            old_replicas=_running_replicas(old),
            new_replicas=_running_replicas(new),
            old_up=self._up_fraction(old, now) if old is not None else 0.0,
            new_up=self._up_fraction(new, now),
        )

    def model_line(self, record: ModelRecord, now: datetime | None = None) -> dict[str, float]:
        """A model's panel figures (see ``overview.model_cost_line``)."""
        now = now or self.clock()
        return model_cost_line(self.cost, record, now, self._up_fraction(record.spec, now))
