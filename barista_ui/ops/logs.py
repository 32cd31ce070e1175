"""Log set-up: one line per event; with ``BARISTA_LOG_FORMAT=json`` each line is one JSON
object (time, level, logger, message, and the event's fields such as ``actor`` and ``model``
on every mutation), what a log collector in the cluster parses without rules."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# attributes every LogRecord has; anything else was passed with ``extra=`` and is a field
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)  # one line: \n is escaped


def configure(fmt: str = "text", level: int = logging.INFO) -> None:
    """Root handler on stderr in the chosen format (replaces earlier handlers)."""
    if fmt not in ("text", "json"):
        raise ValueError(f"BARISTA_LOG_FORMAT: {fmt!r} is not one of text, json")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # job runs are not events
    # uvicorn's own loggers print through theirs; send them through ours in JSON mode
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        if fmt == "json":
            lg.handlers = []
            lg.propagate = True
