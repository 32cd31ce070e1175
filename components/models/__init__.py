"""The Models tab: the table, the model panel (details, history, rollback, delete) and the editor."""
