"""The view in the address bar: tab, search, filters, sort and the open model are query
parameters (``/?tab=models&team=vision&model=ml-prod/fraud-scorer``), so a copied link opens the
same view. Each change that a person would want to go back from (tab, filter, panel) is a new
history entry; typing and sorting replace the current one. The browser's back and forward
buttons load the page of that address, which restores the view."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from nicegui import ui

ORDER = ("tab", "q", "team", "namespace", "state", "sort", "desc", "model")
POPSTATE_JS = (
    "<script>window.addEventListener('popstate', () => window.location.reload());</script>"
)


class UrlState:
    """The page's query parameters, kept in step with the address bar."""

    def __init__(self, params: dict[str, str]):
        self.params = {k: str(v) for k, v in params.items() if k in ORDER and v}
        self.client = ui.context.client  # handlers may run where no page context is left

    def get(self, key: str) -> str:
        return self.params.get(key, "")

    def query(self) -> str:
        items = [(k, self.params[k]) for k in ORDER if self.params.get(k)]
        return "/?" + urlencode(items, safe="/") if items else "/"

    def update(self, *, push: bool = True, **changes: str | None) -> None:
        """Set (or, with "" or None, drop) parameters and write the address bar."""
        before = self.query()
        for key, value in changes.items():
            if value:
                self.params[key] = str(value)
            else:
                self.params.pop(key, None)
        after = self.query()
        if after == before:
            return
        method = "pushState" if push else "replaceState"
        if not self.client.has_socket_connection:
            return  # the page is gone (or not yet shown: its address is already right)
        self.client.run_javascript(f"history.{method}(null, '', {json.dumps(after)})")


def listen_to_back_button() -> None:
    ui.add_head_html(POPSTATE_JS)
