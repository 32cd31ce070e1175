"""Start-up work that would otherwise fall on the first page served: nicegui imports an
element's module the first time a page uses it and compiles its page template on the first
request, both on the event loop (tens of milliseconds each). Done once, when the page mounts."""

from __future__ import annotations

from nicegui import ui
from nicegui.client import templates

# every element the views use (ui.<name>)
ELEMENTS = (
    "badge button card chip colors column dialog element expansion grid header html icon input "
    "label link menu notify number plotly row scroll_area select separator space spinner switch "
    "tab tab_panel tab_panels table tabs textarea timer toggle tooltip upload"
).split()


def warm_up() -> None:
    for name in ELEMENTS:
        getattr(ui, name)
    templates.get_template("index.html")
