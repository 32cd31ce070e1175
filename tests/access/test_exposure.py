"""No authentication, or the built-in cookie secret, only on loopback: settings say why, and
the dashboard refuses to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from barista_ui.settings import DEFAULT_STORAGE_SECRET, Settings

ROOT = Path(__file__).resolve().parents[2]


def problem(**kw) -> str | None:
    return Settings(_env_file=None, **kw).exposure_problem()  # type: ignore[call-arg]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_is_fine_without_auth_and_with_the_built_in_secret(host: str) -> None:
    assert problem(host=host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "barista.example.com"])
def test_no_auth_off_loopback_is_refused(host: str) -> None:
    found = problem(host=host, storage_secret="long-random")
    assert found is not None and "BARISTA_AUTH=none" in found and host in found


def test_the_built_in_secret_off_loopback_is_refused() -> None:
    found = problem(host="0.0.0.0", auth="proxy")
    assert found is not None and "BARISTA_STORAGE_SECRET" in found
    assert DEFAULT_STORAGE_SECRET not in found  # the message does not repeat the secret
    assert problem(host="0.0.0.0", auth="proxy", storage_secret="long-random") is None


def test_bad_proxy_cidrs_are_refused() -> None:
    with pytest.raises(ValueError, match="'10.0.0/8' is not an address or CIDR"):
        Settings(_env_file=None, trusted_proxies="10.0.0.0/8, 10.0.0/8")  # type: ignore[call-arg]


def test_the_dashboard_refuses_to_start_on_every_interface_without_auth(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BARISTA_", "PYTEST_"))}
    env |= {"BARISTA_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "BARISTA_CLUSTER": "none"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--host", "0.0.0.0", "--port", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "refusing to start: BARISTA_AUTH=none" in done.stderr
    assert not (tmp_path / "x.db").exists()  # refused before anything was built
