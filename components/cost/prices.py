"""The Cost tab's price table: shown, downloaded, edited as YAML (all entries or none)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from barista_ui.cost.board import CostBoard
from barista_ui.cost.price_files import PriceFileError, dump_prices, parse_prices
from barista_ui.cost.rates import PriceEntry
from components.theme import current_user

Rerender = Callable[[], Awaitable[None]]


def _rows(entries: list[PriceEntry], gpus: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "key": f"{e.region}/{e.machine_family}",
            "region": e.region,
            "machine_family": e.machine_family,
            "cpu": e.cpu_hourly,
            "mem": e.memory_gib_hourly,
            **{f"gpu:{g}": e.gpu_hourly.get(g, "—") for g in gpus},
            "source": e.source,
            "as_of": str(e.as_of),
        }
        for e in entries
    ]


def _table(entries: list[PriceEntry]) -> None:
    gpus = sorted({g for e in entries for g in e.gpu_hourly})
    cols = [
        ("region", "Region"),
        ("machine_family", "Machine family"),
        ("cpu", "vCPU $/h"),
        ("mem", "GiB $/h"),
        *((f"gpu:{g}", f"{g} $/h") for g in gpus),
        ("source", "Source"),
        ("as_of", "As of"),
    ]
    ui.table(
        columns=[{"name": k, "label": lab, "field": k, "align": "left"} for k, lab in cols],
        rows=_rows(entries, gpus),
        row_key="key",
    ).props("dense flat bordered").classes("w-full").mark("prices-table")


def _edit_dialog(board: CostBoard, entries: list[PriceEntry], rerender: Rerender) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes("w-[44rem]"):
        ui.label("Edit the price table (YAML)").classes("text-lg font-semibold")
        editor = (
            ui.textarea(value=dump_prices(entries, "yaml"))
            .props("outlined autogrow input-class=font-mono")
            .classes("w-full")
            .mark("prices-yaml")
        )
        error = ui.label().classes("text-sm text-negative").mark("prices-error")

        async def save() -> None:
            try:
                new = parse_prices(editor.value or "", "yaml")
                user = current_user()
                n = await run.io_bound(lambda: board.save_prices(new, actor=user))
            except PriceFileError as exc:
                error.set_text(str(exc))
                return
            dialog.close()
            ui.notify(f"price table saved; {n} running model(s) re-rated", type="positive")
            await rerender()

        with ui.row():
            ui.button("Save", on_click=save).props("unelevated").mark("prices-save")
            ui.button("Cancel", on_click=dialog.close).props("flat")
    return dialog


def price_table(board: CostBoard, entries: list[PriceEntry], rerender: Rerender) -> None:
    """The table of ``entries`` (read with the figures), its downloads and its editor."""
    with ui.expansion("Price table", icon="sell").classes("w-full").mark("cost-prices"):
        _table(entries)
        ui.label(
            f"Models are priced with the entry for region '{board.region}' and their "
            "'machine-family' label (else 'default'). Editing re-rates running models from now; "
            "past days keep the prices they had."
            + (f" Saved to {board.price_file} too." if board.price_file else "")
        ).classes("text-xs text-grey-7")
        dialog = _edit_dialog(board, entries, rerender)
        with ui.row():
            ui.button("Edit prices", icon="edit", on_click=dialog.open).props(
                "flat dense no-caps"
            ).mark("prices-edit")
            for fmt in ("yaml", "csv"):
                ui.button(
                    f"Download {fmt.upper()}",
                    icon="download",
                    on_click=lambda _e, f=fmt: ui.download(
                        dump_prices(entries, f).encode(), f"prices.{f}"
                    ),
                ).props("flat dense no-caps")
