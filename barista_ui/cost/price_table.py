"""The stored price table: read it, replace it (all entries or none)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col, select

from barista_ui.cost.price_files import entry_from
from barista_ui.cost.queries import SessionFactory
from barista_ui.cost.rates import DEFAULT_PRICES, PriceEntry
from data.cost_tables import PriceEntryRow
from data.db import transaction


def read_price_table(new_session: SessionFactory) -> list[PriceEntry]:
    """The stored entries, or the built-in defaults until someone saves a table."""
    with new_session() as s:
        rows = s.exec(select(PriceEntryRow).order_by(col(PriceEntryRow.id))).all()
    return [entry_from(r) for r in rows] or [DEFAULT_PRICES]


def _row(e: PriceEntry, actor: str) -> PriceEntryRow:
    return PriceEntryRow(
        region=e.region,
        machine_family=e.machine_family,
        cpu_hourly=e.cpu_hourly,
        memory_gib_hourly=e.memory_gib_hourly,
        gpu_hourly=dict(e.gpu_hourly),
        source=e.source,
        as_of=e.as_of,
        updated_by=actor,
    )


def store_price_table(
    new_session: SessionFactory, entries: list[PriceEntry], actor: str = ""
) -> None:
    """Replace the stored table with ``entries`` in one transaction (``actor``: who)."""
    with transaction(new_session) as s:
        s.execute(delete(PriceEntryRow))
        for e in entries:
            s.add(_row(e, actor))
