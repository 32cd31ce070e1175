"""DNS rebinding: the dashboard answers only the Host names it is meant to be reached by."""

from __future__ import annotations

import http.client
from pathlib import Path

from barista_ui.settings import Settings
from tests.apprunner import AppProcess


def _status(port: int, host: str, path: str = "/") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host})
        return conn.getresponse().status
    finally:
        conn.close()


def test_foreign_host_names_get_400_and_loopback_and_configured_names_get_the_page(
    tmp_path: Path,
) -> None:
    env = {
        "BARISTA_DATABASE_URL": f"sqlite:///{tmp_path / 'hosts.db'}",
        "BARISTA_CLUSTER": "none",
        "BARISTA_SCHEDULER_ENABLED": "false",
        "BARISTA_SEED_DEMO": "false",
        "BARISTA_ALLOWED_HOSTS": "barista.internal, *.example.com",
    }
    app = AppProcess(env, cwd=tmp_path)
    try:
        app.wait_ready()
        port = app.port
        assert _status(port, "evil.example") == 400
        assert _status(port, f"evil.example:{port}", "/healthz") == 400
        assert _status(port, "example.com.evil.test") == 400
        assert _status(port, f"127.0.0.1:{port}") == 200
        assert _status(port, f"localhost:{port}") == 200
        assert _status(port, f"[::1]:{port}") == 200
        assert _status(port, "barista.internal") == 200
        assert _status(port, "dash.example.com") == 200
    finally:
        app.stop()


def test_trusted_hosts_add_the_bind_host_unless_it_is_every_interface() -> None:
    assert "10.0.0.5" in Settings(host="10.0.0.5").trusted_hosts()
    assert "0.0.0.0" not in Settings(host="0.0.0.0").trusted_hosts()
    hosts = Settings(allowed_hosts=" a.test ,*.b.test,,").trusted_hosts()
    assert hosts[-2:] == ["a.test", "*.b.test"]
    assert {"localhost", "127.0.0.1", "::1"} <= set(hosts)
