"""What the model commands print, from plain data, so local and remote mode print the same:
a record view (the record format plus version and time), its table row, the history table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

MODEL_HEADERS = ["NAME", "NAMESPACE", "TEAM", "TAG", "REPLICAS", "REQUESTS", "UPDATED"]
HISTORY_HEADERS = ["REV", "ACTION", "ACTOR", "SOURCE", "TIME", "CHANGES", "REASON"]


@dataclass(frozen=True)
class RecordView:
    """A stored record as the CLI shows it: ``record`` in the file format (secrets masked)."""

    namespace: str
    name: str
    version: int
    updated_at: datetime
    record: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    @classmethod
    def of(cls, rec: Any) -> RecordView:
        """From a local :class:`~barista_ui.records.record.ModelRecord`."""
        from barista_ui.records.secrets import mask_record

        data = mask_record(rec.to_file_dict())
        return cls(rec.namespace, rec.name, rec.version, rec.updated_at, data)

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> RecordView:
        """From the API's model resource."""
        updated = datetime.fromisoformat(body["updated_at"])
        return cls(body["namespace"], body["name"], body["version"], updated, body["record"])


def image_tag(image: str) -> str:
    """The tag of an image reference, else the start of its digest (as ``ModelSpec.tag``)."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        return last.split(":", 1)[1]
    return digest[:19]


def model_row(v: RecordView) -> list[Any]:
    r = v.record
    res = r.get("resources") or {}
    req, gpu = res.get("requests") or {}, res.get("gpu") or {}
    gpus = f" +{gpu['count']}x{gpu.get('type')}" if gpu.get("count") else ""
    replicas = r.get("replicas", 1)
    return [
        v.name,
        v.namespace,
        r.get("team", ""),
        image_tag(r.get("image", "")),
        replicas if r.get("enabled", True) else f"{replicas} (off)",
        f"{req.get('cpu')} / {req.get('memory')}{gpus}",
        v.updated_at.strftime("%Y-%m-%d %H:%M"),
    ]


def change_summary(changes: list[dict]) -> str:
    if len(changes) > 3:
        return f"{len(changes)} fields"
    return ", ".join(f"{c['field']}: {c['old']} -> {c['new']}" for c in changes)


def history_table_row(r: dict[str, Any]) -> list[Any]:
    """A revision (as in ``--format json``, ``time`` in ISO 8601) as a table row."""
    return [
        r["revision"],
        r["action"],
        r["actor"],
        r["source"],
        datetime.fromisoformat(r["time"]).strftime("%Y-%m-%d %H:%M:%S"),
        change_summary(r["changes"]),
        r["reason"],
    ]
