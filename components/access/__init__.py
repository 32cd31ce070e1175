"""The Access dialog: role bindings (admins) and API tokens (everyone their own)."""
