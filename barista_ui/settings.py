"""Runtime configuration, read from ``BARISTA_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from barista_ui.records.limits import ACTOR_CHARS, ResourceBounds
from k8s.quantity import parse_quantity

DEFAULT_DB_PATH = Path("var") / "barista.db"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
DEFAULT_STORAGE_SECRET = "barista-local"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BARISTA_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DB_PATH}",
        description="SQLAlchemy URL: SQLite file by default, postgresql+psycopg://... in prod",
    )
    host: str = "127.0.0.1"
    port: int = 8080
    allowed_hosts: str = Field(
        default="",
        description="Extra Host header names the dashboard answers, comma-separated "
        "(*.example.com allowed); loopback names and the bind host are always allowed",
    )
    seed_demo: bool = Field(default=True, description="Seed the demo fleet into an empty database")
    max_replicas: int = Field(
        default=50, ge=1, le=100_000, description="Upper bound for a model's replicas"
    )
    max_cpu: str = Field(
        default="64", description="Largest CPU request or limit per replica (cores or millicores)"
    )
    max_memory: str = Field(
        default="512Gi", description="Largest memory request or limit per replica (a quantity)"
    )
    max_gpus: int = Field(default=8, ge=0, le=1024, description="Most GPUs per replica")
    actor: str = Field(
        default="",
        max_length=ACTOR_CHARS,
        description="Who the CLI records as actor (default: $USER)",
    )
    shutdown_grace_s: float = Field(
        default=10.0, ge=0, description="On SIGTERM: how long open connections may take to end"
    )
    storage_secret: str = Field(
        default=DEFAULT_STORAGE_SECRET,
        description="Signs the browser session cookie; the built-in one only on loopback",
    )

    # identity and roles
    auth: Literal["none", "proxy"] = Field(
        default="none",
        description="none (anyone, loopback only) or proxy (identity headers of a trusted "
        "authenticating proxy, and API tokens)",
    )
    trusted_proxies: str = Field(
        default="",
        description="CIDRs (comma-separated) whose identity headers are believed in proxy mode",
    )
    email_header: str = Field(
        default="X-Forwarded-Email", description="Header with the user's e-mail (oauth2-proxy)"
    )
    groups_header: str = Field(
        default="X-Forwarded-Groups", description="Header with the user's groups, comma-separated"
    )
    iap_header: str = Field(
        default="X-Goog-Authenticated-User-Email",
        description="Google IAP's e-mail header (its accounts.google.com: prefix is dropped)",
    )
    default_role: Literal["viewer", "none"] = Field(
        default="viewer", description="Role of a signed-in user without a binding"
    )
    admins: str = Field(default="", description="E-mails (comma-separated) that are always admins")
    token_days: int = Field(
        default=90, ge=1, le=3650, description="Lifetime of a new API token unless given"
    )

    # cluster
    kubeconfig: str | None = None
    kube_context: str | None = None
    in_cluster: bool = False
    cluster: str = Field(
        default="auto",
        description="auto (kubeconfig/in-cluster if given, else simulator), simulator, or none",
    )
    simulator_speed: float = 10.0
    console_url_template: str = Field(
        default="https://console.cloud.google.com/kubernetes/deployment/{region}/{cluster}/"
        "{namespace}/{name}/overview",
        description="Link to a model's page in the cluster console; {namespace} {name} {team} "
        "{region} {cluster} are replaced",
    )
    cluster_name: str = "barista-demo"
    region: str = "us-central1"

    # scheduler
    scheduler_enabled: bool = True
    scheduler_dry_run: bool = False
    reconcile_interval_s: float = 60.0
    grace_period_min: float = 15.0
    default_timezone: str = "UTC"
    leader_election: str = Field(
        default="auto",
        description="auto (a Lease in a cluster, else the lock), lease, lock (PostgreSQL "
        "advisory lock; a file lock on SQLite) or none",
    )

    # operating it (health, metrics, logs)
    metrics_public: bool = Field(
        default=False, description="Serve /metrics without a token even with auth on"
    )
    log_format: str = Field(default="text", description="text or json (one object per line)")

    # cost
    cost_timezone: str = "UTC"
    opencost_url: str | None = Field(
        default=None, description="OpenCost API base URL; daily cost per model then comes from it"
    )
    opencost_model_label: str = Field(
        default="model", description="Pod label that names the model (OpenCost aggregate key)"
    )
    price_file: str | None = Field(
        default=None, description="YAML or CSV price table; loaded at start, written on edits"
    )
    focus_team_tag: str = "team"
    focus_model_tag: str = "model"
    gcp_team_label: str = "k8s-label/team"
    gcp_model_label: str = "k8s-label/model"

    @field_validator("trusted_proxies")
    @classmethod
    def _cidrs(cls, value: str) -> str:
        for part in _split(value):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(f"'{part}' is not an address or CIDR (e.g. 10.0.0.0/8)") from None
        return value

    @field_validator("max_cpu", "max_memory")
    @classmethod
    def _quantity(cls, value: str) -> str:
        try:
            if parse_quantity(value) <= 0:
                raise ValueError
        except (ValueError, TypeError, ArithmeticError):
            raise ValueError(f"'{value}' is not a positive Kubernetes quantity") from None
        return value

    def trusted_hosts(self) -> list[str]:
        """Host header names the dashboard answers (the rest get 400: no DNS rebinding)."""
        names = [*LOOPBACK_HOSTS]
        if self.host not in ("0.0.0.0", "::", ""):
            names.append(self.host)
        names += [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]
        return list(dict.fromkeys(names))

    def proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(p, strict=False) for p in _split(self.trusted_proxies)]

    def admin_emails(self) -> frozenset[str]:
        return frozenset(e.lower() for e in _split(self.admins))

    def exposure_problem(self) -> str | None:
        """Why the dashboard must not start on this address, or None: without authentication,
        or with the built-in cookie secret, it serves loopback only."""
        if is_loopback(self.host):
            return None
        if self.auth == "none":
            return (
                f"BARISTA_AUTH=none lets anyone change anything, so it is allowed only on a "
                f"loopback address, not on {self.host}: set BARISTA_AUTH=proxy (behind an "
                "authenticating proxy, with BARISTA_TRUSTED_PROXIES) or bind to 127.0.0.1"
            )
        if self.storage_secret == DEFAULT_STORAGE_SECRET:
            return (
                f"the built-in BARISTA_STORAGE_SECRET is allowed only on a loopback address, not "
                f"on {self.host}: set BARISTA_STORAGE_SECRET to a long random value"
            )
        return None

    def resource_bounds(self) -> ResourceBounds:
        """The ceilings on one replica's resources that record validation applies."""
        return ResourceBounds.parse(self.max_cpu, self.max_memory, self.max_gpus)


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost (0.0.0.0 and :: listen on every interface)."""
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@lru_cache
def get_settings() -> Settings:
    return Settings()
