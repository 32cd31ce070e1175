"""The ``barista`` command line: the same service layer as the page, on the same database."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from typer.core import TyperGroup

from barista_ui.cli.access import access_app, tokens_app
from barista_ui.cli.context import fail
from barista_ui.cli.cost import cost_app
from barista_ui.cli.models import export_fleet, import_fleet, models_app, simulator
from barista_ui.cli.schedule import override_command, schedule_app

# click's exceptions where Typer takes click from (recent Typer releases carry their own copy)
click_errors: Any = importlib.import_module(typer.BadParameter.__module__)


@contextmanager
def one_line_usage_errors() -> Iterator[None]:
    """A usage error (unknown option, bad value, missing argument) as one ``error:`` line naming
    the command, with click's exit code (2), instead of a usage box."""
    try:
        yield
    except click_errors.NoArgsIsHelpError:
        raise  # `barista models` alone: the help, as asked for
    except click_errors.ClickException as exc:
        where = (
            f"{exc.ctx.command_path}: "
            if isinstance(exc, click_errors.UsageError) and exc.ctx
            else ""
        )
        hint = " (see --help)" if isinstance(exc, click_errors.UsageError) else ""
        fail(f"{where}{exc.format_message()}{hint}", exc.exit_code)


class OneLineErrorsGroup(TyperGroup):
    """The root group: arguments of every command are parsed inside ``make_context`` (the root's)
    or ``invoke`` (a subcommand's), so both hold the one-line rule."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Any = None,
        **extra: Any,
    ) -> Any:
        with one_line_usage_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with one_line_usage_errors():
            return super().invoke(ctx)


app = typer.Typer(
    cls=OneLineErrorsGroup,
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
app.add_typer(access_app, name="access")
app.add_typer(tokens_app, name="tokens")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
