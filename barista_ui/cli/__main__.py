"""``python -m barista_ui.cli``: the same as the ``barista`` command."""

from barista_ui.cli.app import main

main()
