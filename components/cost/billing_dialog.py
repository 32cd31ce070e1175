"""The Cost tab's dialog to import a billing export (FOCUS CSV or Google Cloud NDJSON)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from barista_ui.access.roles import AccessDenied
from barista_ui.cost.billing import BillingFileError
from barista_ui.cost.board import CostBoard
from barista_ui.safe_input import MAX_BILLING_BYTES
from components.theme import current_user

OnImported = Callable[[], Awaitable[None]]


async def _read_upload(e: Any) -> tuple[bytes, str]:
    if hasattr(e, "content"):
        return e.content.read(), e.name
    return await e.file.read(), e.file.name


def _say(result: ui.label, text: str, ok: bool) -> None:
    result.classes(replace="text-sm " + ("text-positive" if ok else "text-negative"))
    result.set_text(text)


def build_import_dialog(board: CostBoard, on_imported: OnImported) -> ui.dialog:
    """The dialog; ``on_imported`` runs after a file added rows (the caller redraws)."""
    with ui.dialog() as dialog, ui.card().classes("w-[34rem]"):
        ui.label("Import a billing export").classes("text-lg font-semibold")
        ui.label(
            "FOCUS 1.x CSV, or Google Cloud's BigQuery billing export as newline-delimited "
            "JSON. The whole file or nothing; a file imported before adds nothing."
        ).classes("text-sm text-grey-8")
        fmt = ui.toggle({"focus": "FOCUS CSV", "gcp": "Google Cloud NDJSON"}, value="focus").props(
            "dense no-caps"
        )
        result = ui.label().classes("text-sm").mark("cost-import-result")

        async def upload(e: Any) -> None:
            content, name = await _read_upload(e)
            try:
                res = await run.io_bound(
                    board.import_billing, content, fmt.value, filename=name, actor=current_user()
                )
            except (BillingFileError, AccessDenied) as exc:
                _say(result, f"{name} rejected, nothing imported: {exc}", ok=False)
                return
            if res is None:  # the app is shutting down
                return
            if res["already"]:
                _say(result, f"{name} was imported before: nothing added", ok=True)
                return
            _say(result, f"imported {res['new_rows']} rows, ${res['new_usd']:,.2f}", ok=True)
            await on_imported()

        ui.upload(
            on_upload=upload, auto_upload=True, max_files=1, max_file_size=MAX_BILLING_BYTES
        ).props("accept=.csv,.json,.jsonl,.ndjson flat bordered").classes("w-full").mark(
            "cost-upload"
        )
        ui.button("Close", on_click=dialog.close).props("flat")
    return dialog
