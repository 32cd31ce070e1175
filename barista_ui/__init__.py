"""Barista's core: what the page, the CLI and (later) the REST API share.

Grouped by capability: ``records/`` (the record format, validation, the registry and the replica
rule), ``cluster/`` (reconciling records into the cluster, sync status, the live-change hub),
``schedule/`` (the off-hours language, decisions, the scheduler and its leader lock), ``cost/``
(rates, price files, replica history, roll-ups, billing, budgets, the cost overview) and ``cli/``;
``settings.py`` and ``app.py`` (the typed application that builds and starts the services).

May import ``data`` and ``k8s``; never ``components``, ``main`` or ``nicegui``.
"""
