"""Remote mode: the CLI talks to a Barista server's API instead of the database.

On when ``BARISTA_URL`` and ``BARISTA_TOKEN`` are set, or after ``barista login URL`` (which
stores both in ``$XDG_CONFIG_HOME/barista/remote.json``, mode 0600). Imports only the standard
library and httpx (lazily): a remote command never loads the services, pandas or kubernetes.
Problem documents from the server become the same one-line errors and exit codes as local mode.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from barista_ui.cli.errors import EXIT_DENIED, CliError

TIMEOUT_S = 30.0
TRANSPORT: Any = None  # an httpx transport to use instead of the network (tests: an app in-process)


@dataclass(frozen=True)
class Target:
    url: str
    token: str
    source: str  # "environment" or the config file's path


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "barista" / "remote.json"


def target() -> Target | None:
    """Where remote mode points, if it is on: the environment first, then ``barista login``."""
    url, token = os.environ.get("BARISTA_URL", ""), os.environ.get("BARISTA_TOKEN", "")
    if url:
        return Target(url.rstrip("/"), token, "environment")
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("url"):
        return None
    return Target(str(data["url"]).rstrip("/"), str(data.get("token", "")), str(path))


def save_login(url: str, token: str) -> Path:
    """Store URL and token for later commands, readable by the user only."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": url.rstrip("/"), "token": token}, f)
    os.chmod(path, 0o600)  # also when the file existed with wider rights
    return path


def forget_login() -> bool:
    try:
        config_path().unlink()
        return True
    except FileNotFoundError:
        return False


class Problem(CliError):
    """A problem document from the server, as the one-line error local mode prints."""

    def __init__(self, status: int, body: dict[str, Any]):
        self.status = status
        self.body = body
        self.kind = str(body.get("type", "")).rsplit("/", 1)[-1]
        detail = str(body.get("detail") or body.get("title") or f"HTTP {status}")
        if self.kind == "invalid-record":
            detail = f"invalid record {detail}" if body.get("name") else f"invalid record: {detail}"
        usage = self.kind in ("invalid-report", "invalid-request")
        super().__init__(detail, EXIT_DENIED if status in (401, 403) else 2 if usage else 1)


def path(*parts: str) -> str:
    return "/".join(quote(p, safe="") for p in parts)


class Client:
    """A few calls to ``/api/v1`` with the token; errors raised as :class:`Problem`."""

    def __init__(self, t: Target):
        if "httpx" not in sys.modules:
            # httpx imports its own command line (with rich and pygments) when it can; without
            # it httpx is whole and loads in a third of the time
            sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
        import httpx  # only here: local commands never pay for it

        headers = {"Accept": "application/json", "User-Agent": "barista-cli"}
        if t.token:
            headers["Authorization"] = f"Bearer {t.token}"
        actor = os.environ.get("BARISTA_ACTOR") or os.environ.get("USER") or ""
        if actor:  # only heeded by a server without authentication
            headers["X-Barista-Actor"] = actor
        self.target = t
        self._http = httpx.Client(
            base_url=t.url + "/api/v1", headers=headers, timeout=TIMEOUT_S, transport=TRANSPORT
        )
        self._errors = httpx.HTTPError

    def call(self, method: str, url: str, **kw: Any) -> tuple[Any, dict[str, str]]:
        try:
            resp = self._http.request(method, url, **kw)
        except self._errors as exc:
            raise CliError(f"cannot reach {self.target.url}: {exc}") from None
        finally:  # a token authenticates the CLI, never a cookie a server set (CSRF rule)
            self._http.cookies.clear()
        if resp.status_code >= 400:
            try:
                body = resp.json()
            except ValueError:
                body = {"detail": f"HTTP {resp.status_code}: {resp.text[:200]}"}
            if not isinstance(body, dict):
                body = {"detail": f"HTTP {resp.status_code}"}
            raise Problem(resp.status_code, body)
        return (resp.json() if resp.content else None), dict(resp.headers)

    def get(self, url: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return self.call("GET", url, params=clean)[0]

    def send(self, method: str, url: str, body: Any = None, **kw: Any) -> Any:
        return self.call(method, url, json=body, **kw)[0]


_client: dict[str, Client] = {}


def client() -> Client:
    """The client of the current target (one per process, rebuilt if the target changed)."""
    t = target()
    if t is None:
        raise CliError("not in remote mode: run 'barista login URL' or set BARISTA_URL")
    if "c" not in _client or _client["c"].target != t:
        _client["c"] = Client(t)
    return _client["c"]


def is_remote() -> bool:
    return target() is not None
