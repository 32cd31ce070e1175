"""The Cost tab (figures, charts, budgets, billing import, price table) and the cost lines shown
in the model panel and editor."""
