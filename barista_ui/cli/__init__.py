"""The ``barista`` command line: ``app`` (the root command), ``context`` (services, the actor,
output formats and the one error decorator), a module per command group (``models``, ``fleet``,
``schedule``, ``cost``, ``access``, ``session``), and remote mode: ``remote`` (the API client and
the stored login) with ``remote_models`` and ``remote_schedule``. Only this package imports it;
it may import every other core package, but never ``barista_ui.api`` (it speaks HTTP to it).
"""
