"""Small views shared by more than one tab (cost lines, pods and events). May import
``barista_ui``, ``nicegui`` and ``components.theme``; never a tab's folder."""
