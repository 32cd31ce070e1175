"""Billing exports: FOCUS 1.x CSV and Google Cloud's BigQuery export as newline-delimited JSON.

Pure parsing: text in, rows out, or a ``BillingFileError`` naming the first bad line. Whole
files are accepted or rejected; the service stores nothing from a rejected file.

- FOCUS: cost = EffectiveCost, or BilledCost where EffectiveCost is empty; time =
  ChargePeriodStart; Tags is a JSON object; team and model come from two tag keys.
- Google Cloud: time = usage_start_time (RFC 3339 or ``2026-10-03 10:00:00 UTC``); cost =
  ``cost`` + sum of ``credits[].amount`` (credits are negative); ``labels`` is a list of
  ``{key, value}``; team and model come from two label keys (GKE cost allocation exports pod
  labels as ``k8s-label/<name>``).

Amounts are finite and within ``money.MAX_USD`` either way, per row and for the file's total;
JSON (FOCUS Tags, each Google line) is nested at most ``safe_input.MAX_DEPTH`` levels.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from barista_ui.cost.money import MoneyError, check_amount
from barista_ui.records.limits import MAX_LENGTH, shown
from barista_ui.records.names import LABEL_VALUE
from barista_ui.safe_input import InputError, load_json

FORMATS = ("focus", "gcp")
DEFAULT_KEYS = {
    "focus": ("team", "model"),
    "gcp": ("k8s-label/team", "k8s-label/model"),
}
CURRENCY = "USD"


class BillingFileError(ValueError):
    def __init__(self, line: int | None, message: str):
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass(frozen=True)
class BillingRow:
    line: int
    time: datetime
    cost_usd: float
    team: str | None
    model: str | None
    service: str | None
    resource: str | None
    row_hash: str


def _number(value: Any, what: str, line: int | None) -> float:
    """An amount of USD (negative: a credit), finite and within ``MAX_USD`` either way."""
    try:
        return check_amount(value, what, allow_negative=True)
    except MoneyError as exc:
        raise BillingFileError(line, str(exc)) from None


def _time(value: Any, what: str, line: int) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise BillingFileError(line, f"{what} is missing")
    text = value.strip()
    if text.endswith(" UTC"):  # BigQuery's TIMESTAMP text form
        text = text[:-4].replace(" ", "T") + "+00:00"
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BillingFileError(
            line, f"{what} '{value}' is not a timestamp (RFC 3339, e.g. 2026-10-03T10:00:00Z)"
        ) from None
    if t.tzinfo is None:
        raise BillingFileError(line, f"{what} '{value}' has no timezone offset")
    return t.astimezone(UTC)


def _currency(value: Any, line: int) -> None:
    if value not in (None, "", CURRENCY):
        raise BillingFileError(
            line, f"currency '{value}': Barista reports USD; convert the export to USD first"
        )


class _Hasher:
    """Stable identity of a row across files: its content, plus how many identical rows came
    before it in the same file (two identical charges in one export are two charges)."""

    def __init__(self, fmt: str):
        self.fmt = fmt
        self.seen: dict[str, int] = {}

    def __call__(self, content: str) -> str:
        n = self.seen.get(content, 0)
        self.seen[content] = n + 1
        return hashlib.sha256(f"{self.fmt}\0{n}\0{content}".encode()).hexdigest()


def parse_focus(text: str, team_key: str = "team", model_key: str = "model") -> list[BillingRow]:
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    missing = [c for c in ("ChargePeriodStart", "BilledCost") if c not in fields]
    if missing:
        raise BillingFileError(
            1, f"not a FOCUS export: missing column(s) {', '.join(missing)} in the header"
        )
    digest = _Hasher("focus")
    rows = []
    for raw in _csv_rows(reader):
        line = reader.line_num
        if None in raw:
            raise BillingFileError(line, "more values than header columns")
        effective = (raw.get("EffectiveCost") or "").strip()
        billed = (raw.get("BilledCost") or "").strip()
        if effective:
            cost = _number(effective, "EffectiveCost", line)
        elif billed:
            cost = _number(billed, "BilledCost", line)
        else:
            raise BillingFileError(line, "both EffectiveCost and BilledCost are empty")
        _currency((raw.get("BillingCurrency") or "").strip(), line)
        tags_text = (raw.get("Tags") or "").strip()
        tags = _json(tags_text, "Tags is not valid JSON", line) if tags_text else {}
        if not isinstance(tags, dict):
            raise BillingFileError(line, "Tags must be a JSON object")
        rows.append(
            BillingRow(
                line=line,
                time=_time(raw.get("ChargePeriodStart"), "ChargePeriodStart", line),
                cost_usd=cost,
                team=_tag(tags.get(team_key), team_key, line),
                model=_tag(tags.get(model_key), model_key, line),
                service=(raw.get("ServiceName") or None),
                resource=(raw.get("ResourceId") or None),
                row_hash=digest(json.dumps(raw, sort_keys=True)),
            )
        )
    return rows


def _csv_rows(reader: csv.DictReader) -> Iterator[dict[str, Any]]:
    """The rows of a CSV reader; its own refusals (a field over csv.field_size_limit(), a
    broken quote) become errors naming the line (the reader has not counted it yet)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BillingFileError(reader.line_num + 1, f"not valid CSV ({exc})") from None


def _json(text: str, what: str, line: int) -> Any:
    try:
        return load_json(text)
    except json.JSONDecodeError as exc:
        raise BillingFileError(line, f"{what} ({exc.msg})") from None
    except InputError as exc:
        raise BillingFileError(line, f"{what}: {exc}") from None


def _label(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _tag(value: Any, key: str, line: int) -> str | None:
    """A team or model tag: a Kubernetes label value (the team rule of records), since Barista
    reads it from the labels it sets."""
    label = _label(value)
    if label is None:
        return None
    if len(label) > MAX_LENGTH["team"] or not LABEL_VALUE.match(label):
        raise BillingFileError(
            line,
            f"{key} {shown(label)} is not a label value Barista sets: at most "
            f"{MAX_LENGTH['team']} letters, digits, '-', '_' or '.', starting and ending with a "
            "letter or digit",
        )
    return label


def parse_gcp(
    text: str, team_key: str = "k8s-label/team", model_key: str = "k8s-label/model"
) -> list[BillingRow]:
    digest = _Hasher("gcp")
    rows = []
    for line, content in enumerate(text.splitlines(), 1):
        if not content.strip():
            continue
        raw = _json(content, "not a JSON object", line)
        if not isinstance(raw, dict):
            raise BillingFileError(line, "each line must be one JSON object")
        if "cost" not in raw:
            raise BillingFileError(line, "'cost' is missing")
        cost = _number(raw["cost"], "cost", line)
        credits = raw.get("credits") or []
        if not isinstance(credits, list):
            raise BillingFileError(line, "'credits' must be a list")
        for i, c in enumerate(credits):
            if not isinstance(c, dict) or "amount" not in c:
                raise BillingFileError(line, f"credits[{i}] has no amount")
            cost += _number(c["amount"], f"credits[{i}].amount", line)
        cost = _number(cost, "cost with credits", line)
        _currency(raw.get("currency"), line)
        labels_raw = raw.get("labels") or []
        if not isinstance(labels_raw, list) or not all(
            isinstance(x, dict) and "key" in x for x in labels_raw
        ):
            raise BillingFileError(line, "'labels' must be a list of {key, value} objects")
        labels = {x["key"]: x.get("value") for x in labels_raw}
        service = raw.get("service")
        rows.append(
            BillingRow(
                line=line,
                time=_time(raw.get("usage_start_time"), "usage_start_time", line),
                cost_usd=cost,
                team=_tag(labels.get(team_key), team_key, line),
                model=_tag(labels.get(model_key), model_key, line),
                service=service.get("description") if isinstance(service, dict) else None,
                resource=(raw.get("resource") or {}).get("name")
                if isinstance(raw.get("resource"), dict)
                else None,
                row_hash=digest(json.dumps(raw, sort_keys=True)),
            )
        )
    return rows


def parse_billing(
    text: str, fmt: str, team_key: str | None = None, model_key: str | None = None
) -> list[BillingRow]:
    if fmt not in FORMATS:
        raise BillingFileError(None, f"unknown format '{fmt}'; use focus or gcp")
    t_key, m_key = DEFAULT_KEYS[fmt]
    parse = parse_focus if fmt == "focus" else parse_gcp
    rows = parse(text, team_key or t_key, model_key or m_key)
    if not rows:
        raise BillingFileError(None, "the file has no billing rows")
    _number(math.fsum(r.cost_usd for r in rows), "the file's total", None)
    return rows
