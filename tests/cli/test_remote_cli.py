"""The CLI in remote mode against a live server process: the same output and exit codes as
local mode on the same database, login/whoami, and no heavy imports on the way."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.apprunner import AppProcess
from tests.conftest import base_record

HEAVY = ("pandas", "plotly", "nicegui", "kubernetes", "sqlalchemy", "sqlmodel", "fastapi")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppProcess, Path]]:
    root = tmp_path_factory.mktemp("remote")
    db = root / "shared.db"
    proc = AppProcess(
        {
            "BARISTA_DATABASE_URL": f"sqlite:///{db}",
            "BARISTA_CLUSTER": "none",
            "BARISTA_SEED_DEMO": "false",
            "BARISTA_SCHEDULER_ENABLED": "false",
        },
        cwd=root,
    )
    try:
        proc.wait_ready()
        yield proc, root
    finally:
        proc.stop()


def subprocess_cli(root: Path, *args: str, url: str | None = None, stdin: str | None = None):
    """The real command in its own process (start-up, the stored login, file modes)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BARISTA_")}
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(BARISTA_ACTOR="ana", BARISTA_CLUSTER="none", XDG_CONFIG_HOME=str(root / "config"))
    env["BARISTA_DATABASE_URL"] = f"sqlite:///{root / 'shared.db'}"
    if url:
        env["BARISTA_URL"] = url
    res = subprocess.run(
        [sys.executable, "-m", "barista_ui.cli.app", *args],
        env=env,
        cwd=root,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return res.returncode, res.stdout, res.stderr


@pytest.fixture
def cli(server, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """``cli(*args, url=...)``: the CLI in this process (fast), on the server's database
    locally, or through its API with ``url``; returns (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from barista_ui.cli import context
    from barista_ui.cli.app import app

    proc, root = server
    for key in [k for k in os.environ if k.startswith("BARISTA_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("BARISTA_DATABASE_URL", f"sqlite:///{root / 'shared.db'}")
    monkeypatch.setenv("BARISTA_CLUSTER", "none")
    monkeypatch.setenv("BARISTA_SEED_DEMO", "false")
    monkeypatch.setenv("BARISTA_ACTOR", "ana")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
    context._services_cache.clear()
    runner = CliRunner()

    def run(*args: str, url: str | None = None) -> tuple[int, str, str]:
        res = runner.invoke(app, list(args), env={"BARISTA_URL": url or ""})
        return res.exit_code, res.stdout, res.stderr

    yield run
    if "s" in context._services_cache:
        context._services_cache.pop("s").stop()
    if "engine" in context._services_cache:
        context._services_cache.pop("engine").dispose()


def both(cli, url: str, *args: str) -> tuple:
    """Run a read-only command locally and remotely; they must answer alike."""
    local = cli(*args)
    remote = cli(*args, url=url)
    assert remote == local, f"{args}: remote {remote!r} != local {local!r}"
    return local


def test_reads_and_errors_answer_as_locally(server, cli, tmp_path: Path) -> None:
    proc, root = server
    f = tmp_path / "two.yaml"
    f.write_text(yaml.safe_dump_all([base_record(), base_record(name="second", team="search")]))
    code, out, err = cli("models", "create", "-f", str(f), url=proc.url)
    assert code == 0, err
    assert out.splitlines() == ["ml-prod/fraud-scorer created", "ml-prod/second created"]
    for args in (
        ("models", "list"),
        ("models", "list", "--format", "json"),
        ("models", "list", "--team", "search", "-o", "yaml"),
        ("models", "get", "fraud-scorer"),
        ("models", "get", "fraud-scorer", "-o", "table"),
        ("models", "history", "fraud-scorer"),
        ("models", "history", "fraud-scorer", "--format", "json"),
        ("schedule", "show"),
        ("cost", "report", "--from", "2026-11-01", "--to", "2026-11-02"),
        ("cost", "estimate", "--cpu", "4", "--memory", "16Gi", "--format", "json"),
    ):
        assert both(cli, proc.url, *args)[0] == 0
    # errors: the same line and exit code
    assert both(cli, proc.url, "models", "get", "nope")[0] == 1
    assert both(cli, proc.url, "models", "get", "fraud-scorer", "-n", "elsewhere")[0] == 1
    bad = both(cli, proc.url, "cost", "report", "--from", "2026-11-02", "--to", "2026-11-01")
    assert bad[0] == 2 and "--to must be after --from" in bad[2]


def test_writes_through_the_api_with_the_same_exit_codes(server, cli, tmp_path: Path) -> None:
    proc, root = server
    url = proc.url
    f = tmp_path / "one.yaml"
    f.write_text(yaml.safe_dump(base_record(name="writer")))
    assert cli("models", "apply", "-f", str(f), url=url)[:2] == (
        0,
        "ml-prod/writer created\n",
    )
    code, _, err = cli("models", "create", "-f", str(f), url=url)
    assert code == 1 and "already exists in namespace 'ml-prod'" in err
    assert cli("models", "create", "-f", str(f))[2] == err  # the local line, word for word
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(base_record(name="writer", replicas=-1)))
    remote_bad = cli("models", "apply", "-f", str(bad), url=url)
    assert remote_bad == cli("models", "apply", "-f", str(bad))
    assert remote_bad[0] == 1 and "replicas" in remote_bad[2]
    code, out, _ = cli("models", "scale", "writer", "--replicas", "4", url=url)
    assert code == 0 and "replicas 2 -> 4" in out
    assert cli("models", "toggle", "writer", "--off", url=url)[:2] == (
        0,
        "ml-prod/writer switched off\n",
    )
    assert cli("models", "set", "writer", "resources.limits.cpu=4", url=url)[0] == 0
    got = json.loads(cli("models", "get", "writer", "-o", "json")[1])  # read locally
    assert got["replicas"] == 4 and got["enabled"] is False
    assert got["resources"]["limits"]["cpu"] == "4"
    hist = json.loads(cli("models", "history", "writer", "-o", "json")[1])
    assert [h["source"] for h in hist] == ["api"] * 4 and {h["actor"] for h in hist} == {"ana"}
    assert both(cli, proc.url, "models", "diff", "writer", "--from", "1", "--to", "2")[0] == 0
    code, out, _ = cli("models", "rollback", "writer", "--to", "1", url=url)
    assert (code, out) == (0, "ml-prod/writer rolled back to revision 1 (version 5)\n")
    code, _, err = cli("schedule", "set", "--team", "payments", "--uptime", "whenever", url=url)
    assert code == 2 and err.startswith("error: ")
    assert (
        cli(
            "schedule",
            "set",
            "--team",
            "payments",
            "--uptime",
            "Mon-Fri 08:00-18:00",
            url=url,
        )[0]
        == 0
    )
    assert both(cli, proc.url, "schedule", "explain", "writer", "--at", "2026-11-28T12:00:00Z")[
        1
    ].startswith("down")
    assert cli("models", "delete", "writer", url=url)[:2] == (0, "ml-prod/writer deleted\n")
    assert both(cli, proc.url, "models", "get", "writer")[0] == 1


def test_local_only_commands_say_so_in_remote_mode(server, cli) -> None:
    proc, root = server
    code, _, err = cli("export", url=proc.url)
    assert code == 1 and "local database only" in err and proc.url in err


def test_login_stores_the_token_privately_and_whoami_says_the_mode(server) -> None:
    proc, root = server
    code, out, err = subprocess_cli(root, "login", proc.url, stdin="\n")
    assert code == 0, err
    path = root / "config" / "barista" / "remote.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["url"] == proc.url
    code, out, _ = subprocess_cli(root, "whoami")  # no BARISTA_URL: the stored login
    assert code == 0 and "mode: remote" in out and proc.url in out
    assert subprocess_cli(root, "logout")[:2] == (0, "logged out\n")
    code, out, _ = subprocess_cli(root, "whoami")
    assert code == 0 and "mode: local" in out and "identity: ana (admin)" in out


def test_remote_get_imports_no_heavy_module(server) -> None:
    proc, root = server
    code = (
        "import sys, runpy\n"
        "sys.argv = ['barista', 'models', 'list']\n"
        "try:\n    runpy.run_module('barista_ui.cli.app', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update(BARISTA_URL=proc.url, XDG_CONFIG_HOME=str(root / "config"))
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "[]"
