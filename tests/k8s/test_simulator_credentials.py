"""The simulator's credentials: a fresh token per start, kubeconfigs only their owner can read."""

from __future__ import annotations

import json
import stat
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from barista_ui.cluster.connection import SIMULATOR_KUBECONFIG, start_embedded_simulator
from barista_ui.settings import Settings
from k8s.simulator import SimulatorConfig, start_simulator


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _version(url: str, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "/version", headers=headers)):
            return 200
    except urllib.error.HTTPError as exc:
        return exc.code


def test_each_start_has_its_own_token_and_only_it_opens_the_api(tmp_path: Path):
    first = start_simulator(SimulatorConfig(nodes=()))
    second = start_simulator(SimulatorConfig(nodes=()))
    try:
        assert first.config.token and second.config.token
        assert first.config.token != second.config.token
        assert first.config.token != "barista-sim"
        path = Path(first.write_kubeconfig(str(tmp_path / "sim.kubeconfig")))
        token = yaml.safe_load(path.read_text())["users"][0]["user"]["token"]
        assert token == first.config.token
        assert _version(first.url, token) == 200
        assert _version(first.url, "barista-sim") == 401
        assert _version(first.url, second.config.token) == 401
    finally:
        first.stop()
        second.stop()


def test_kubeconfig_is_written_owner_only_even_over_a_readable_file(tmp_path: Path):
    path = tmp_path / "sim.kubeconfig"
    path.write_text("old")
    path.chmod(0o644)
    sim = start_simulator(SimulatorConfig(nodes=()))
    try:
        sim.write_kubeconfig(str(path))
        assert _mode(path) == 0o600
        assert json.dumps(yaml.safe_load(path.read_text())).count(sim.config.token or "?") == 1
    finally:
        sim.stop()


def test_the_dashboards_embedded_simulator_kubeconfig_is_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    sim = start_embedded_simulator(Settings(simulator_speed=50))
    try:
        written = tmp_path / SIMULATOR_KUBECONFIG
        assert _mode(written) == 0o600
        assert yaml.safe_load(written.read_text())["users"][0]["user"]["token"] == sim.config.token
    finally:
        sim.stop()
