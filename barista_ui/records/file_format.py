"""Records in files: one record, a list of records or a multi-document YAML stream in; YAML out.
Errors name the line and column."""

from __future__ import annotations

from typing import Any

import yaml


class FileFormatError(ValueError):
    pass


def load_records_yaml(text: str) -> list[dict[str, Any]]:
    """Read one record, a list of records or a multi-document stream of either."""
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FileFormatError(f"not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    records: list[dict[str, Any]] = []
    for doc in docs:
        items = doc if isinstance(doc, list) else [doc]
        for item in items:
            if not isinstance(item, dict):
                raise FileFormatError(
                    f"expected a record (a mapping with keys such as name, team, image), "
                    f"got {type(item).__name__}"
                )
            records.append(item)
    if not records:
        raise FileFormatError("the file holds no records")
    return records


def dump_records_yaml(records: list[dict[str, Any]]) -> str:
    if len(records) == 1:
        return yaml.safe_dump(records[0], sort_keys=False, default_flow_style=False)
    return yaml.safe_dump_all(records, sort_keys=False, default_flow_style=False)
