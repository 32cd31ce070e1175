"""NiceGUI views: ``page.py`` composes the tabs, ``theme.py`` holds shared look and helpers, and
each tab has a folder (``models/``, ``cluster/``, ``schedules/``, ``cost/``).

A component receives the one typed service it needs from ``barista_ui``; it never opens database
sessions or talks to the cluster client, and every call that reaches the database or the cluster
runs in a worker thread (``run.io_bound``). May import ``barista_ui`` and ``nicegui``; not ``data``,
``k8s``, ``sqlalchemy`` or ``kubernetes``.
"""
