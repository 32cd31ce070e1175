"""What ``barista models get`` prints for a few stored records, in every format, as the registry's
path (``RegistryService.get``) prints it: kept in ``models_get_expected.json`` so the quick
SQLite read is held to it. Regenerate after a deliberate change of the output:

    .venv/bin/python -m tests.cli.models_get_expected
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from barista_ui.records.registry import RegistryService
from data.db import make_engine, migrate, session_factory
from tests.conftest import base_record

EXPECTED = Path(__file__).with_name("models_get_expected.json")
SAVED_AT = datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
RECORDS = [
    base_record(),
    base_record(
        name="ranker",
        namespace="ml-staging",
        team="search",
        image="registry.example.com/ranker@sha256:" + "ab" * 32,
        env={
            "API_KEY": "sk-live-123",
            "MODE": "fast",
            "DB": {"secretKeyRef": {"name": "db-creds", "key": "url"}},
        },
        labels={},
        enabled=False,
        schedule={"uptime": "Mon-Fri 07:30-20:30", "timezone": "Europe/Berlin"},
    ),
    base_record(
        name="vision",
        description='Détecte les défauts: ünïcode, "quotes" and: colons',
        resources={
            "requests": {"cpu": "500m", "memory": "1Gi"},
            "limits": {"cpu": None, "memory": None},
            "gpu": {"count": 2, "type": "nvidia-l4"},
        },
        autoscaling={"enabled": True, "min": 2, "max": 9, "target_cpu_percent": 55},
    ),
]
CASES = [(r["name"], r["namespace"], fmt) for r in RECORDS for fmt in ("yaml", "json", "table")]


def seed(url: str) -> None:
    """The records, saved at ``SAVED_AT`` (the table shows the time)."""
    engine = make_engine(url)
    migrate(engine)
    RegistryService(session_factory(engine), clock=lambda: SAVED_AT).apply_many(
        RECORDS, actor="ana", source="cli"
    )
    engine.dispose()


def key(name: str, namespace: str, fmt: str) -> str:
    return f"{namespace}/{name} -o {fmt}"


def generate() -> dict[str, str]:
    """Each case's output from the real command on the registry's path: its working directory
    holds a ``.env`` file, which only the settings read, so the quick read declines."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'expected.db'}"
        seed(url)
        (Path(tmp) / ".env").write_text("# the registry's path\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("BARISTA_")}
        env.update(BARISTA_DATABASE_URL=url, BARISTA_CLUSTER="none")
        out = {}
        for name, namespace, fmt in CASES:
            args = ["models", "get", name, "-n", namespace, "-o", fmt]
            res = subprocess.run(
                [sys.executable, "-m", "barista_ui.cli", *args],
                env=env,
                cwd=tmp,
                capture_output=True,
                text=True,
                check=True,
            )
            out[key(name, namespace, fmt)] = res.stdout
    return out


if __name__ == "__main__":
    EXPECTED.write_text(json.dumps(generate(), indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {EXPECTED}")
