"""The Cost tab: controls, headline figures, charts, budgets, billing import, the per-model
table and the price table (the panel's and editor's cost lines are in ``components.widgets``)."""
