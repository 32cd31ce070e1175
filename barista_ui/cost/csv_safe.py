"""CSV that spreadsheets open as data: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is read as a formula by Excel/LibreOffice/Sheets, so it gets a leading
``'``. Numbers stay numbers (a negative amount is not a formula). One home for every CSV
Barista writes for people: the Cost tab's download and ``barista cost report --format csv``."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as written to a CSV cell: text that a spreadsheet would run is prefixed
    with ``'``; numbers, booleans and empty values pass unchanged (NaN becomes empty)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return "" if math.isnan(value) else value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV text with a header of ``columns``, every cell through :func:`safe_cell`."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return buf.getvalue()
