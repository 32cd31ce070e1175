"""The REST API (``/api/v1``): a FastAPI application mounted on the dashboard's server.

Thin routes over the same services as the page and the CLI (``fleet``, ``records.service``,
``schedule``, ``cost``): ``problems`` (RFC 9457 errors), ``schemas`` (request and response
bodies in the record format), ``deps`` (the acting user, If-Match, CSRF), ``models`` and
``model_history`` (records), ``schedules``, ``cost``, and ``server`` (builds the application).

May import the rest of ``barista_ui``; nothing but ``main.py`` imports it.
"""
