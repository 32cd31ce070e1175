"""Who is asking: request headers and the client's address to an :class:`Actor`.

``BARISTA_AUTH=proxy``: an ``Authorization: Bearer`` API token, else the identity headers of an
authenticating reverse proxy (oauth2-proxy's ``X-Forwarded-Email``/``X-Forwarded-Groups``,
Google IAP's ``X-Goog-Authenticated-User-Email``), believed only from the addresses in
``BARISTA_TRUSTED_PROXIES``; the same headers from anywhere else are ignored and logged.
``BARISTA_AUTH=none``: everyone is an unauthenticated actor who may do everything (loopback
only), unless a valid API token names someone.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping

from barista_ui.access.actor import USER, Actor, open_actor
from barista_ui.access.service import AccessService
from barista_ui.records.limits import ACTOR_CHARS
from barista_ui.settings import Settings

log = logging.getLogger("barista.access")

IAP_PREFIX = "accounts.google.com:"
NONE_MODE_NAME = "anonymous"


class Identity:
    """Resolves requests to actors with the settings' headers and trusted proxies."""

    def __init__(self, settings: Settings, access: AccessService):
        self.mode = settings.auth
        self.networks = settings.proxy_networks()
        self.email_header = settings.email_header.lower()
        self.groups_header = settings.groups_header.lower()
        self.iap_header = settings.iap_header.lower()
        self.access = access

    def resolve_actor(self, headers: Mapping[str, str], client_host: str | None) -> Actor | None:
        """The actor of a request, or None without a usable identity (HTTP 401). A bearer
        token that is unknown, revoked or expired is no identity, whatever else came along."""
        lowered = {k.lower(): v for k, v in headers.items()}
        auth = lowered.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return self.access.actor_for_token(auth[7:].strip())
        if self.mode == "none":
            return open_actor(NONE_MODE_NAME)
        email = self._header_email(lowered)
        if email is None:
            return None
        if not self.trusted(client_host):
            log.warning(
                "identity headers from untrusted address %s ignored (claimed %s)",
                client_host,
                email[:100],
            )
            return None
        groups = frozenset(
            g.strip() for g in lowered.get(self.groups_header, "").split(",") if g.strip()
        )
        return self.access.actor_for(email, groups, USER)

    def trusted(self, client_host: str | None) -> bool:
        """Is ``client_host`` one of the configured proxies?"""
        if not client_host:
            return False
        try:
            address = ipaddress.ip_address(client_host.strip("[]"))
        except ValueError:
            return False
        return any(address in net for net in self.networks)

    def _header_email(self, lowered: Mapping[str, str]) -> str | None:
        raw = lowered.get(self.email_header) or ""
        if not raw.strip():
            raw = lowered.get(self.iap_header) or ""
            raw = raw.strip().removeprefix(IAP_PREFIX)
        email = raw.strip().lower()
        if not email or len(email) > ACTOR_CHARS or any(c.isspace() for c in email):
            return None
        return email
