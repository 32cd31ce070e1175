"""The wheel, installed outside the checkout, carries everything Barista runs: the CLI, the
cluster simulator (with its controllers) and the migrations."""

from __future__ import annotations

import base64
import os
import shutil
import ssl
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.apprunner import ROOT, free_port

NOT_SOURCES = (".venv", ".git", "build", "dist", "var", "*.egg-info", "__pycache__", "*.db")
NOT_SOURCES += (".pytest_cache", ".ruff_cache", ".mypy_cache", ".nicegui", "test-artifacts")
EXPECTED_IN_WHEEL = (
    "main.py",
    "barista_ui/cli/app.py",
    "k8s/simulator/__init__.py",
    "k8s/simulator/controllers/__init__.py",
    "data/migrations/env.py",
    "data/migrations/script.py.mako",
    "data/migrations/versions/0001_registry_models_and_revisions.py",
)


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv is needed to build the wheel (make install-test installs it)")
    return found


def _run(args: list[str], cwd: Path, timeout: float = 60, **kw) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BARISTA_", "PYTEST_"))}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, **kw
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def build_wheel(out: Path, source: Path) -> Path:
    """Build from a copy of the sources, so the checkout's build/ and editable install play no part."""
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    try:
        _run([_uv(), "build", "--wheel", "--offline", "-o", str(out), "."], source, timeout=120)
    except AssertionError:  # the build backend is not in uv's cache: fetch it from the index
        _run([_uv(), "build", "--wheel", "-o", str(out), "."], source, timeout=120)
    (wheel,) = out.glob("barista-*.whl")
    return wheel


def fresh_venv(where: Path) -> Path:
    """A venv without the project: only the wheel goes in; the dependencies come from the
    project's venv through a .pth line (a plain path: the editable install's .pth is not read)."""
    base = getattr(sys, "_base_executable", sys.executable)
    _run([base, "-m", "venv", "--without-pip", str(where)], where.parent)
    python = where / "bin" / "python"
    site = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        where.parent,
    ).strip()
    Path(site, "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def wait_for_simulator(kubeconfig: Path, proc: subprocess.Popen, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"barista simulator exited: {proc.communicate()}"
        if kubeconfig.exists() and kubeconfig.stat().st_size:
            cfg = yaml.safe_load(kubeconfig.read_text())
            cluster = cfg["clusters"][0]["cluster"]
            token = cfg["users"][0]["user"]["token"]
            ca = base64.b64decode(cluster["certificate-authority-data"]).decode()
            request = urllib.request.Request(
                cluster["server"] + "/version", headers={"Authorization": f"Bearer {token}"}
            )
            tls = ssl.create_default_context(cadata=ca)  # the simulator serves HTTPS
            try:
                with urllib.request.urlopen(request, timeout=2, context=tls) as resp:
                    return resp.status
            except (urllib.error.URLError, ConnectionError):
                pass
        time.sleep(0.2)
    raise TimeoutError("barista simulator did not answer /version")


def test_wheel_installed_outside_the_checkout_runs_cli_simulator_and_migrations(tmp_path: Path):
    wheel = build_wheel(tmp_path / "dist", tmp_path / "src")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in EXPECTED_IN_WHEEL if n not in names]
    assert not missing, f"the wheel leaves out {missing}"

    python = fresh_venv(tmp_path / "venv")
    _run(
        [_uv(), "pip", "install", "--offline", "--no-deps", "--python", str(python), str(wheel)],
        tmp_path,
    )
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    where = _run([str(python), "-c", "import k8s.simulator as m; print(m.__file__)"], cwd)
    assert where.startswith(str(tmp_path / "venv")), where

    barista = str(tmp_path / "venv" / "bin" / "barista")
    assert "simulator" in _run([barista, "--help"], cwd)

    kubeconfig = cwd / "sim.kubeconfig"
    proc = subprocess.Popen(
        [barista, "simulator", "--port", str(free_port()), "--kubeconfig", str(kubeconfig)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for_simulator(kubeconfig, proc) == 200
    finally:
        proc.terminate()
        proc.wait(10)

    check = (
        "from data.db import make_engine, migrate, current_revision, head_revision\n"
        "engine = make_engine('sqlite:///empty.db'); migrate(engine)\n"
        "assert current_revision(engine) == head_revision(), current_revision(engine)\n"
        "print(current_revision(engine))\n"
    )
    assert _run([str(python), "-c", check], cwd).strip()
    assert (cwd / "empty.db").exists()
