"""The authorisation matrix as data: identities, mutating operations (each a callable on a
:class:`World` and an :class:`Actor`), which identities each operation allows, and how to see
what an operation changed and under which name. The service-call test runs it through the
services as the page does; other paths (HTTP, remote CLI) can reuse the same table.

Every operation touches team ``vision`` (model ``ml-vision/detector``); ``nlp`` is the other
team. Identities are resolved the way the page resolves them: proxy headers from a trusted
proxy address, through the role bindings in the database.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from barista_ui.access.actor import Actor, operator
from barista_ui.access.identity import Identity
from barista_ui.access.service import AccessService
from barista_ui.cost.rates import DEFAULT_PRICES
from barista_ui.cost.service import CostService
from barista_ui.records.registry import RegistryService
from barista_ui.records.service import ModelService
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.settings import Settings
from data.access_tables import AccessAudit, AccessBinding, ApiToken
from data.cost_tables import BillingImport, PriceEntryRow, TeamBudget
from data.db import make_engine, migrate, session_factory, transaction
from data.ops_tables import ScheduleOverride, SchedulePolicy
from data.tables import ModelDeployment, Revision
from tests.conftest import base_record

# the top of the current hour: the HTTP and CLI columns run on the real clock, so the seeded
# override (NOW + 2 h) must still be in force when they clear it
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
KEY = ("ml-vision", "detector")
PROXY = "10.0.0.5"  # inside BARISTA_TRUSTED_PROXIES below

# label -> e-mail the proxy sends (None: a request with no identity)
IDENTITIES: dict[str, str | None] = {
    "anonymous": None,
    "viewer": "vera@example.com",
    "editor-other-team": "otto@example.com",
    "editor-of-team": "eddie@example.com",
    "admin": "ada@example.com",
}
ALL = frozenset(IDENTITIES)
SIGNED_IN = ALL - {"anonymous"}
EDITORS = frozenset({"editor-of-team", "admin"})
ADMINS = frozenset({"admin"})
BINDINGS = [  # subject, role, team
    ("user:vera@example.com", "viewer", None),
    ("user:otto@example.com", "editor", "nlp"),
    ("group:vision-devs", "editor", "vision"),  # eddie is an editor through his group
    ("user:ada@example.com", "admin", None),
]
GROUPS = {"eddie@example.com": "vision-devs,staff"}


def settings(**kw: Any) -> Settings:
    base = dict(auth="proxy", trusted_proxies="10.0.0.0/24", host="0.0.0.0", storage_secret="s")
    return Settings(_env_file=None, **{**base, **kw})  # type: ignore[call-arg]


@dataclass
class World:
    """The services on one database, as the page uses them (no cluster)."""

    engine: Any
    new_session: Any
    registry: RegistryService
    models: ModelService
    scheduler: SchedulerEngine
    cost: CostService
    access: AccessService
    identity: Identity

    def actor(self, label: str) -> Actor | None:
        email = IDENTITIES[label]
        if email is None:
            return self.identity.resolve_actor({}, PROXY)
        headers = {"X-Forwarded-Email": email, "X-Forwarded-Groups": GROUPS.get(email, "")}
        return self.identity.resolve_actor(headers, PROXY)


def build_world(db: Path) -> World:
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    new = session_factory(engine)
    registry = RegistryService(new, max_replicas=50)
    access = AccessService(new, clock=lambda: NOW)
    return World(
        engine,
        new,
        registry,
        ModelService(registry),
        SchedulerEngine(new, registry, None, clock=lambda: NOW),
        CostService(new, clock=lambda: NOW),
        access,
        Identity(settings(), access),
    )


def seed(world: World) -> None:
    """What every case starts from: two models per team, an override, a budget, bindings, a
    token of eddie's."""
    root = operator("seed")
    world.models.create(vision(), actor=root, source="cli")
    world.models.set_replicas(*KEY, 3, actor=root, source="cli")  # revision 2 to roll back
    world.models.create(
        base_record(name="parser", namespace="ml-nlp", team="nlp"), actor=root, source="cli"
    )
    world.scheduler.set_override(KEY, "up", NOW + timedelta(hours=2), actor=root, reason="x")
    world.cost.set_budget("vision", 100.0, actor=root)
    for subject, role, team in BINDINGS:
        world.access.grant(subject, role, team, actor=root)
    world.access.grant("user:gone@example.com", "viewer", actor=root)
    world.access.create_token("eddie-laptop", actor=root, owner="eddie@example.com")
    world.engine.dispose()  # SQLite folds its write-ahead log into the file: it can be copied


def vision(**kw: Any) -> dict[str, Any]:
    return base_record(**{"name": "detector", "namespace": "ml-vision", "team": "vision", **kw})


def copy_world(template: Path, to: Path) -> World:
    shutil.copy(template, to)
    return build_world(to)


# ---------------------------------------------------------------------- what changed, by whom


def fingerprint(world: World) -> dict[str, list]:
    """Every row an operation may write (last-used times of tokens left out)."""
    tables = {
        "models": ModelDeployment,
        "revisions": Revision,
        "policies": SchedulePolicy,
        "overrides": ScheduleOverride,
        "prices": PriceEntryRow,
        "budgets": TeamBudget,
        "billing": BillingImport,
        "bindings": AccessBinding,
        "tokens": ApiToken,
        "audit": AccessAudit,
    }
    out: dict[str, list] = {}
    with transaction(world.new_session) as s:
        for name, table in tables.items():
            rows = [r.model_dump(exclude={"last_used_at"}) for r in s.exec(select(table)).all()]
            out[name] = sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)
    return out


def last(world: World, table: Any, column: str, order: Any) -> str:
    with transaction(world.new_session) as s:
        row = s.exec(select(table).order_by(order.desc())).first()
        return getattr(row, column) if row is not None else ""


def revision_actor(w: World) -> str:
    return last(w, Revision, "actor", Revision.id)


def audit_actor(w: World) -> str:
    return last(w, AccessAudit, "actor", AccessAudit.id)


# ---------------------------------------------------------------------- the operations


@dataclass(frozen=True)
class Operation:
    name: str
    allowed: frozenset[str]  # identity labels that may do it
    run: Callable[[World, Actor | None], object]
    recorded: Callable[[World], str]  # the name the change was recorded under


def _billing() -> bytes:
    head = "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,"
    head += "ServiceName,ResourceId,Tags\n"
    tags = '"{""team"": ""vision"", ""model"": ""detector""}"'
    return (
        head + f"2.00,2.00,USD,2026-10-03T10:00:00Z,2026-10-03T11:00:00Z,GCE,vm,{tags}\n"
    ).encode()


def _eddies_token(w: World) -> int:
    with transaction(w.new_session) as s:
        row = s.exec(select(ApiToken).where(ApiToken.owner == "eddie@example.com")).one()
        assert row.id is not None
        return row.id


def _policy_by(w: World) -> str:
    return last(w, SchedulePolicy, "updated_by", SchedulePolicy.id)


OPERATIONS: list[Operation] = [
    Operation(
        "models.create",
        EDITORS,
        lambda w, a: w.models.create(vision(name="segmenter"), actor=a, source="ui"),  # type: ignore[arg-type]
        revision_actor,
    ),
    Operation(
        "models.update",
        EDITORS,
        lambda w, a: w.models.update(
            *KEY,
            vision(replicas=4),
            expected_version=2,
            actor=a,
            source="ui",  # type: ignore[arg-type]
        ),
        revision_actor,
    ),
    Operation(
        "models.update (move to another team)",
        ADMINS,
        lambda w, a: w.models.update(
            *KEY,
            {**vision(), "team": "nlp"},
            expected_version=2,
            actor=a,
            source="ui",  # type: ignore[arg-type]
        ),
        revision_actor,
    ),
    Operation(
        "models.toggle",
        EDITORS,
        lambda w, a: w.models.set_enabled(*KEY, False, actor=a, source="ui"),  # type: ignore[arg-type]
        revision_actor,
    ),
    Operation(
        "models.scale",
        EDITORS,
        lambda w, a: w.models.set_replicas(*KEY, 5, actor=a, source="ui"),  # type: ignore[arg-type]
        revision_actor,
    ),
    Operation(
        "models.delete",
        EDITORS,
        lambda w, a: w.models.delete(*KEY, actor=a, source="ui"),  # type: ignore[arg-type]
        revision_actor,
    ),
    Operation(
        "models.rollback",
        EDITORS,
        lambda w, a: w.models.rollback(KEY[1], 1, namespace=KEY[0], actor=a, source="ui"),  # type: ignore[arg-type]
        revision_actor,
    ),
    Operation(
        "models.apply",
        EDITORS,
        lambda w, a: w.models.apply_many([vision(replicas=6)], actor=a, source="cli"),  # type: ignore[arg-type]
        revision_actor,
    ),
    Operation(
        "schedules.team",
        EDITORS,
        lambda w, a: w.scheduler.set_policy(
            "team",
            "vision",
            uptime="Mon-Fri 08:00-18:00",
            downtime=None,
            timezone="UTC",
            holidays=None,
            actor=a,  # type: ignore[arg-type]
        ),
        _policy_by,
    ),
    Operation(
        "schedules.global",
        ADMINS,
        lambda w, a: w.scheduler.set_policy(
            "global",
            "",
            uptime="Mon-Fri 07:00-19:00",
            downtime=None,
            timezone="UTC",
            holidays=None,
            actor=a,  # type: ignore[arg-type]
        ),
        _policy_by,
    ),
    Operation(
        "overrides.set",
        EDITORS,
        lambda w, a: w.scheduler.set_override(
            KEY,
            "down",
            NOW + timedelta(hours=3),
            actor=a,
            reason="test",  # type: ignore[arg-type]
        ),
        lambda w: last(w, ScheduleOverride, "actor", ScheduleOverride.id),
    ),
    Operation(
        "overrides.clear",
        EDITORS,
        lambda w, a: w.scheduler.clear_override(KEY, a),  # type: ignore[arg-type]
        lambda w: "",  # a cleared override records when, not who
    ),
    Operation(
        "cost.prices",
        ADMINS,
        lambda w, a: w.cost.save_prices(
            [replace(DEFAULT_PRICES, cpu_hourly=0.05, as_of=date(2026, 11, 1))],
            actor=a,  # type: ignore[arg-type]
        ),
        lambda w: last(w, PriceEntryRow, "updated_by", PriceEntryRow.id),
    ),
    Operation(
        "cost.budgets",
        ADMINS,
        lambda w, a: w.cost.set_budget("vision", 250.0, actor=a),  # type: ignore[arg-type]
        lambda w: last(w, TeamBudget, "updated_by", TeamBudget.updated_at),
    ),
    Operation(
        "cost.billing",
        ADMINS,
        lambda w, a: w.cost.import_billing(_billing(), "focus", filename="oct.csv", actor=a),  # type: ignore[arg-type]
        lambda w: last(w, BillingImport, "imported_by", BillingImport.id),
    ),
    Operation(
        "access.grant",
        ADMINS,
        lambda w, a: w.access.grant("user:new@example.com", "editor", "vision", actor=a),  # type: ignore[arg-type]
        audit_actor,
    ),
    Operation(
        "access.revoke",
        ADMINS,
        lambda w, a: w.access.revoke("user:gone@example.com", "viewer", actor=a),  # type: ignore[arg-type]
        audit_actor,
    ),
    Operation(
        "tokens.create (own)",
        SIGNED_IN,
        lambda w, a: w.access.create_token("mine", actor=a),  # type: ignore[arg-type]
        audit_actor,
    ),
    Operation(
        "tokens.create (for another user)",
        ADMINS,
        lambda w, a: w.access.create_token("bot", actor=a, owner="ci-bot@example.com"),  # type: ignore[arg-type]
        audit_actor,
    ),
    Operation(
        "tokens.revoke (another user's)",
        ADMINS | {"editor-of-team"},  # eddie owns it
        lambda w, a: w.access.revoke_token(_eddies_token(w), actor=a),  # type: ignore[arg-type]
        audit_actor,
    ),
]
