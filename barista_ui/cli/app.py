"""The ``barista`` command line: the same service layer as the page, on the same database."""

from __future__ import annotations

import typer

from barista_ui.cli.cost import cost_app
from barista_ui.cli.models import export_fleet, import_fleet, models_app, simulator
from barista_ui.cli.schedule import override_command, schedule_app

app = typer.Typer(
    help="Barista: deploy, run, schedule and cost ML models on Kubernetes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(models_app, name="models")
app.add_typer(schedule_app, name="schedule")
app.command("override")(override_command)
app.add_typer(cost_app, name="cost")
app.command("export")(export_fleet)
app.command("import")(import_fleet)
app.command("simulator")(simulator)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
