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


def _version(sim, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(sim.url + "/version", headers=headers)
    try:
        with urllib.request.urlopen(request, context=sim.client_ssl_context()):
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
        assert _version(first, token) == 200
        assert _version(first, "barista-sim") == 401
        assert _version(first, second.config.token) == 401
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


def test_served_over_tls_with_the_ca_in_the_kubeconfig(tmp_path: Path):
    """kubectl sends its token only over TLS: the kubeconfig carries the CA that signs the
    server's certificate, and a client that does not trust it is refused at the handshake."""
    import base64
    import ssl

    sim = start_simulator(SimulatorConfig(nodes=()))
    plain = start_simulator(SimulatorConfig(nodes=(), tls=False))
    try:
        assert sim.url.startswith("https://") and plain.url.startswith("http://")
        cluster = sim.kubeconfig()["clusters"][0]["cluster"]
        ca = base64.b64decode(cluster["certificate-authority-data"]).decode()
        assert ca == sim.ca_pem and "BEGIN CERTIFICATE" in ca
        assert _version(sim, sim.config.token) == 200
        with pytest.raises(urllib.error.URLError) as untrusted:
            urllib.request.urlopen(sim.url + "/version", context=ssl.create_default_context())
        assert "CERTIFICATE_VERIFY_FAILED" in str(untrusted.value)
        assert _version(plain, plain.config.token) == 200
        assert "certificate-authority-data" not in plain.kubeconfig()["clusters"][0]["cluster"]
    finally:
        sim.stop()
        plain.stop()


def test_the_cli_finds_a_running_dashboards_simulator_over_tls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The CLI probes the dashboard's simulator with the CA from its kubeconfig."""
    from barista_ui.cluster.connection import connect

    monkeypatch.chdir(tmp_path)
    sim = start_embedded_simulator(Settings(simulator_speed=50))
    try:
        found = connect(Settings(cluster="auto", in_cluster=False), embedded=False)
        assert found.kind == "simulator" and found.gateway is not None
    finally:
        sim.stop()
    assert connect(Settings(cluster="auto", in_cluster=False), embedded=False).kind == "none"
