"""The image (deploy/Dockerfile), tested without a container engine: its build steps run as
written (the build stage's COPY lines make the context, its RUN line installs into a fresh
virtualenv from the same lock), then its entrypoint starts from a read-only folder with the
production settings (PostgreSQL, a cluster, Lease leader election, JSON logs) and answers its
probes and /metrics."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.apprunner import ROOT, free_port
from tests.k8s_fixtures import eventually, sim  # noqa: F401

DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def instructions() -> list[list[tuple[str, str]]]:
    """(instruction, argument) per stage, continuation lines joined, comments dropped."""
    stages: list[list[tuple[str, str]]] = []
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        stages[-1].append((word.upper(), rest.strip()))
    return stages


def env_of(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in stage:
        if word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def test_the_dockerfile_is_multi_stage_slim_locked_and_non_root() -> None:
    build, runtime = instructions()
    assert all(rest.startswith("python:3.11-slim") for word, rest in (build[0], runtime[0]))
    runs = [rest for word, rest in build if word == "RUN"]
    assert runs == ["sh deploy/install.sh /opt/barista"]
    install = (ROOT / "deploy" / "install.sh").read_text()
    assert "-r requirements.lock" in install and "requirements-test" not in install
    assert "--extra" not in install and "[test]" not in install  # no test extras
    user = [rest for word, rest in runtime if word == "USER"]
    assert user and not user[0].startswith(("0", "root"))
    assert ("ENTRYPOINT", '["python", "main.py"]') in runtime
    config = [k for k in env_of(runtime) if k.startswith("BARISTA_")]
    assert config and all(k.startswith("BARISTA_") for k in config)
    assert env_of(runtime)["NICEGUI_STORAGE_PATH"].startswith("/tmp/")  # the writable mount
    assert env_of(runtime)["HOME"] == "/tmp"


def build_context(tmp: Path) -> Path:
    """The files the build stage copies, as its COPY lines say."""
    context = tmp / "src"
    context.mkdir()
    build = instructions()[0]
    for word, rest in build:
        if word != "COPY":
            continue
        *sources, target = rest.split()
        for source in sources:
            dest = context / target if target.endswith("/") else context / target
            src = ROOT / source
            if src.is_dir():
                shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(src, dest / src.name if target.endswith("/") else dest)
    return context


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv is needed (make install-test installs it)")
    return found


def test_the_install_steps_and_the_entrypoint_with_production_settings(
    postgres_url: str,
    sim,  # noqa: F811
    tmp_path: Path,
) -> None:
    context = build_context(tmp_path)
    venv = tmp_path / "opt-barista"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BARISTA_", "PYTEST_"))}
    env.pop("VIRTUAL_ENV", None)
    env["UV"] = _uv()  # the image installs uv with pip first; the commands after are the same
    done = subprocess.run(
        ["sh", "deploy/install.sh", str(venv)],
        cwd=context,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    app_dir = tmp_path / "app"
    app_dir.mkdir()
    shutil.copy(context / "main.py", app_dir / "main.py")
    app_dir.chmod(0o555)  # the root filesystem is read-only: only the temp folder is written
    writable = tmp_path / "tmp"
    writable.mkdir()
    runtime = env_of(instructions()[1])
    port = free_port()
    run_env = {k: v for k, v in env.items() if k != "UV"}
    run_env.update(runtime)
    run_env.update(
        PATH=f"{venv / 'bin'}:{run_env.get('PATH', '')}",
        HOME=str(writable),
        TMPDIR=str(writable),
        NICEGUI_STORAGE_PATH=str(writable / "nicegui"),
        BARISTA_PORT=str(port),
        BARISTA_DATABASE_URL=postgres_url,
        BARISTA_KUBECONFIG=sim.write_kubeconfig(str(writable / "kubeconfig")),
        BARISTA_LEADER_ELECTION="lease",
        BARISTA_AUTH="proxy",  # on 0.0.0.0 the dashboard refuses to start without sign-in
        BARISTA_TRUSTED_PROXIES="127.0.0.1/32",
        BARISTA_METRICS_PUBLIC="true",
        BARISTA_STORAGE_SECRET="a-long-random-secret",
    )
    log = tmp_path / "entrypoint.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(venv / "bin" / "python"), "main.py"],
            cwd=app_dir,
            env=run_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:

        def answers(path: str) -> int | None:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(url + path, timeout=3) as resp:
                    return resp.status
            except OSError:
                return None

        eventually(lambda: answers("/healthz/ready") == 200, timeout=180, what="ready")
        assert answers("/healthz/live") == 200
        assert answers("/metrics") == 200
        eventually(
            lambda: sim.get_object("Lease", "default", "barista-scheduler"),
            timeout=60,
            what="the Lease",
        )
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        app_dir.chmod(0o755)
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    assert lines and all(json.loads(line)["level"] for line in lines)
    assert [p.name for p in app_dir.iterdir()] == ["main.py"]  # nothing written beside it
