"""`python main.py` as a user starts it: flags, health, demo seed, shared database with the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from data.db import head_revision
from tests.apprunner import ROOT, AppProcess


def test_dashboard_starts_seeds_and_shares_the_database_with_the_cli(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = {
        "BARISTA_DATABASE_URL": db,
        "BARISTA_CLUSTER": "none",
        "BARISTA_SCHEDULER_ENABLED": "false",
    }
    app = AppProcess(env, cwd=tmp_path)
    try:
        health = app.wait_ready()
        assert health == {"status": "ok", "database": "ok", "schema": head_revision()}
        with urllib.request.urlopen(app.url + "/", timeout=10) as resp:
            assert resp.status == 200 and "Barista" in resp.read().decode()
        cli_env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
        cli_env.update(env)
        out = subprocess.run(
            [sys.executable, "-m", "barista_ui.cli", "models", "list", "--format", "json"],
            env=cli_env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        models = json.loads(out.stdout)
        assert len(models) == 40
        assert len({m["team"] for m in models}) == 5
        assert len({m["namespace"] for m in models}) >= 3
        assert any(m["resources"]["gpu"]["count"] for m in models)
    finally:
        app.stop()
