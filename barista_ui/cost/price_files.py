"""The price table: entries keyed by region and machine family, read from and written to YAML
or CSV files, validated with errors that name the entry and the field.

YAML::

    prices:
      - region: us-central1
        machine_family: default
        cpu_hourly: 0.031611          # USD per vCPU-hour
        memory_gib_hourly: 0.004237   # USD per GiB-hour (2^30 bytes)
        gpu_hourly: {nvidia-tesla-t4: 0.35}
        source: OpenCost default on-demand list prices
        as_of: 2026-11-01

CSV: one row per entry with columns region, machine_family, cpu_hourly, memory_gib_hourly,
source, as_of and one ``gpu:<type>`` column per GPU type (empty: no price for that type).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from barista_ui.cost.money import MAX_UNIT_PRICE_USD, amount_problem
from barista_ui.cost.rates import DEFAULT_PRICES, PriceEntry
from barista_ui.safe_input import MAX_FILE_BYTES, InputError, check_text, load_yaml, read_text_file

DEFAULT_FAMILY = "default"
FAMILY_LABEL = "machine-family"  # a model's label that picks its machine family's prices


class PriceFileError(ValueError):
    """A price file or entry that cannot be used; the message names where and why."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str = Field(min_length=1, max_length=64)
    machine_family: str = Field(default=DEFAULT_FAMILY, min_length=1, max_length=64)
    cpu_hourly: float = Field(ge=0)
    memory_gib_hourly: float = Field(ge=0)
    gpu_hourly: dict[str, float] = Field(default_factory=dict)
    source: str = ""
    as_of: date

    @field_validator("cpu_hourly", "memory_gib_hourly", mode="before")
    @classmethod
    def _price(cls, v: Any) -> Any:
        return _unit_price(v, "", allow_negative=True)  # a negative price: Field(ge=0) says so

    @field_validator("gpu_hourly")
    @classmethod
    def _gpu(cls, v: dict[str, float]) -> dict[str, float]:
        for k, price in v.items():
            if not k or price < 0:
                raise ValueError(f"GPU '{k}': a GPU type needs a name and a price >= 0")
            _unit_price(price, f"GPU '{k}' ")
        return v


def _unit_price(value: Any, what: str, allow_negative: bool = False) -> Any:
    """A price per unit-hour: a finite number, at most ``MAX_UNIT_PRICE_USD``."""
    _, problem = amount_problem(value, allow_negative=allow_negative, limit=MAX_UNIT_PRICE_USD)
    if problem:
        raise ValueError(f"{what}'{value}'{problem}")
    return value


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err["loc"]) or "entry"
        parts.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def validate_entry(raw: dict[str, Any], where: str = "entry") -> PriceEntry:
    try:
        e = _Entry.model_validate(raw)
    except ValidationError as exc:
        raise PriceFileError(f"{where}: {_explain(exc)}") from None
    return entry_from(e)


def entry_from(obj: Any) -> PriceEntry:
    """A PriceEntry from anything with its fields (a validated entry, a database row)."""
    return PriceEntry(
        region=obj.region,
        machine_family=obj.machine_family,
        cpu_hourly=float(obj.cpu_hourly),
        memory_gib_hourly=float(obj.memory_gib_hourly),
        gpu_hourly={k: float(v) for k, v in (obj.gpu_hourly or {}).items()},
        source=obj.source or "",
        as_of=obj.as_of,
    )


def unique_entries(entries: list[PriceEntry]) -> list[PriceEntry]:
    """A usable table, however its entries were built: prices finite and within
    ``MAX_UNIT_PRICE_USD``, each (region, machine family) once, at least one entry."""
    seen: set[tuple[str, str]] = set()
    for i, e in enumerate(entries, 1):
        prices = {"cpu_hourly": e.cpu_hourly, "memory_gib_hourly": e.memory_gib_hourly}
        prices.update({f"gpu_hourly.{k}": v for k, v in e.gpu_hourly.items()})
        for field, value in prices.items():
            _, problem = amount_problem(value, limit=MAX_UNIT_PRICE_USD)
            if problem:
                raise PriceFileError(f"entry {i}: {field} '{value}'{problem}")
        key = (e.region, e.machine_family)
        if key in seen:
            raise PriceFileError(
                f"entry {i}: region '{e.region}' / machine family '{e.machine_family}' "
                "appears twice; keep one"
            )
        seen.add(key)
    if not entries:
        raise PriceFileError("the price table is empty; it needs at least one entry")
    return entries


def parse_prices(text: str, fmt: str, name: str = "the price table") -> list[PriceEntry]:
    """Entries of a YAML or CSV price file of at most ``MAX_FILE_BYTES`` (all or nothing);
    ``name`` starts the errors about the text as a whole."""
    try:
        if fmt == "yaml":
            return _yaml_entries(load_yaml(text, name, MAX_FILE_BYTES))
        if fmt == "csv":
            check_text(text, MAX_FILE_BYTES, name)
            return _csv_entries(text)
    except InputError as exc:
        raise PriceFileError(str(exc)) from None
    raise PriceFileError(f"unknown price file format '{fmt}'; use yaml or csv")


def _yaml_entries(doc: Any) -> list[PriceEntry]:
    items = doc.get("prices") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise PriceFileError("a YAML price file is a mapping with a 'prices' list")
    return unique_entries(
        [
            validate_entry(item if isinstance(item, dict) else {}, f"entry {i}")
            for i, item in enumerate(items, 1)
        ]
    )


def _csv_entries(text: str) -> list[PriceEntry]:
    reader = csv.DictReader(io.StringIO(text))
    entries = []
    try:
        for row in reader:
            where = f"line {reader.line_num}"
            entries.append(validate_entry(_csv_raw(row, where), where))
    except csv.Error as exc:  # a field over csv.field_size_limit(), a broken quote
        raise PriceFileError(f"line {reader.line_num + 1}: not valid CSV ({exc})") from None
    return unique_entries(entries)


def _csv_raw(row: dict[Any, Any], where: str) -> dict[str, Any]:
    raw: dict[str, Any] = {"gpu_hourly": {}}
    for k, v in row.items():
        if k is None:
            raise PriceFileError(f"{where}: more values than columns")
        v = (v or "").strip()
        if k.startswith("gpu:"):
            if v:
                try:
                    raw["gpu_hourly"][k[4:]] = float(v)
                except ValueError:
                    raise PriceFileError(f"{where}: {k} '{v}' is not a number") from None
        elif v or k in ("region", "cpu_hourly", "memory_gib_hourly", "as_of"):
            raw[k] = v
    return raw


def dump_prices(entries: list[PriceEntry], fmt: str) -> str:
    rows = [
        {
            "region": e.region,
            "machine_family": e.machine_family,
            "cpu_hourly": e.cpu_hourly,
            "memory_gib_hourly": e.memory_gib_hourly,
            "gpu_hourly": dict(e.gpu_hourly),
            "source": e.source,
            "as_of": e.as_of,
        }
        for e in entries
    ]
    if fmt == "yaml":
        return yaml.safe_dump({"prices": rows}, sort_keys=False)
    gpus = sorted({g for e in entries for g in e.gpu_hourly})
    buf = io.StringIO()
    cols = ["region", "machine_family", "cpu_hourly", "memory_gib_hourly", "source", "as_of"]
    w = csv.DictWriter(buf, fieldnames=[*cols, *(f"gpu:{g}" for g in gpus)])
    w.writeheader()
    for e, r in zip(entries, rows, strict=True):
        out = {c: r[c] for c in cols}
        out.update({f"gpu:{g}": e.gpu_hourly.get(g, "") for g in gpus})
        w.writerow(out)
    return buf.getvalue()


def file_format(path: str | Path) -> str:
    """``csv`` for a .csv file, else ``yaml``."""
    return "csv" if Path(path).suffix.lower() == ".csv" else "yaml"


def read_price_file(path: str | Path) -> list[PriceEntry]:
    """The entries of a price file of at most ``MAX_FILE_BYTES`` of UTF-8; every error starts
    with the file's path."""
    try:
        text = read_text_file(path, MAX_FILE_BYTES, "the file")
        return parse_prices(text, file_format(path), "the file")
    except (InputError, PriceFileError) as exc:
        raise PriceFileError(f"{path}: {exc}") from None


def write_price_file(path: str | Path, entries: list[PriceEntry]) -> None:
    Path(path).write_text(dump_prices(entries, file_format(path)))


def pick(entries: list[PriceEntry], region: str, family: str = DEFAULT_FAMILY) -> PriceEntry:
    """The entry for (region, family), else the region's default family, else the first entry
    of the table, else the built-in defaults."""
    by_key = {(e.region, e.machine_family): e for e in entries}
    for key in ((region, family), (region, DEFAULT_FAMILY)):
        if key in by_key:
            return by_key[key]
    return entries[0] if entries else DEFAULT_PRICES


def family_of(spec: Any) -> str:
    return (getattr(spec, "labels", None) or {}).get(FAMILY_LABEL, DEFAULT_FAMILY)
