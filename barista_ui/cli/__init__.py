"""The ``barista`` command line: ``app`` (the root command), ``context`` (services, the actor,
output formats and the one error decorator) and a module per command group (``models``,
``schedule``, ``cost``). Only this package imports it; it may import every other core package.
"""
