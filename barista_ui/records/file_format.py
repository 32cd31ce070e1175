"""Records in files: one record, a list of records or a multi-document YAML stream in; YAML out.
Errors name the line and column.

``load_records_yaml`` is the one way records come in from text (files, stdin, the page's YAML
editor): it holds the size, nesting and alias limits of ``barista_ui.safe_input``."""

from __future__ import annotations

from typing import Any

import yaml

from barista_ui.safe_input import MAX_FILE_BYTES, InputError, load_yaml_all


class FileFormatError(InputError):
    pass


def load_records_yaml(text: str, name: str = "the input") -> list[dict[str, Any]]:
    """Read one record, a list of records or a multi-document stream of either, from at most
    ``MAX_FILE_BYTES`` of YAML. ``name`` (a file name, "stdin") starts the errors."""
    try:
        docs = [d for d in load_yaml_all(text, name, MAX_FILE_BYTES) if d is not None]
    except InputError as exc:
        raise FileFormatError(str(exc)) from None
    records: list[dict[str, Any]] = []
    for doc in docs:
        items = doc if isinstance(doc, list) else [doc]
        for item in items:
            if not isinstance(item, dict):
                raise FileFormatError(
                    f"{name}: expected a record (a mapping with keys such as name, team, "
                    f"image), got {type(item).__name__}"
                )
            records.append(item)
    if not records:
        raise FileFormatError(f"{name} holds no records")
    return records


def load_record_yaml(text: str, name: str = "the YAML") -> dict[str, Any]:
    """Exactly one record (the page's YAML editor), within the same limits."""
    records = load_records_yaml(text, name)
    if len(records) != 1:
        raise FileFormatError(f"{name} holds {len(records)} records; give one")
    return records[0]


class _PlainDumper(yaml.SafeDumper):
    """Writes a value seen twice in full, never as an alias: our own files load back within
    the alias limit whatever their size."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_records_yaml(records: list[dict[str, Any]]) -> str:
    if len(records) == 1:
        return yaml.dump(records[0], Dumper=_PlainDumper, sort_keys=False, default_flow_style=False)
    return yaml.dump_all(records, Dumper=_PlainDumper, sort_keys=False, default_flow_style=False)
