"""Bad files and bad amounts through the CLI, on SQLite and PostgreSQL: alias bombs, deep nesting,
latin-1, oversized files, impossible dates, non-finite money. Every case is refused with a
non-zero exit code, one ``error:`` line naming the file, line or field, and every table as it was.

The cases of issue 14 that live in record fields or command arguments (lengths, quantities, team
names) are in ``test_bad_input.py``; this module reuses its database fixtures and checks."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from barista_ui.safe_input import MAX_FILE_BYTES
from tests.cli.test_bad_files import DEEP, GOOD_PRICES, alias_bomb, record_yaml
from tests.cost.test_money import FOCUS_HEADER as FOCUS_MONEY_HEADER
from tests.cost.test_money import PRICES_CSV, PRICES_YAML, focus_row, gcp_line
from tests.records import test_bad_input as bad_input
from tests.records.test_bad_input import LONG_TEAM, _assert_refused, _database_state

# The same database fixtures as the record table: every case runs on SQLite and PostgreSQL.
database_url = bad_input.database_url
run = bad_input.run

# A hung or memory-bound parser (the alias bomb took 26 s before failing) must not pass.
MAX_SECONDS = 5.0

RECORD = (("models", "apply", "-f", "{file}"), ("import", "{file}"))
PRICES = (("cost", "prices", "load", "{file}"),)
FOCUS = (("cost", "import", "{file}", "--format", "focus"),)
GCP = (("cost", "import", "{file}", "--format", "gcp"),)

# (case id, file name, its content, commands run on it, fragments the error line must hold)
FILE_CASES: list[tuple[str, str, str | bytes, tuple[tuple[str, ...], ...], tuple[str, ...]]] = [
    (
        "alias-bomb-labels",
        "bomb.yaml",
        record_yaml(labels="{big: " + alias_bomb() + "}"),
        RECORD,
        ("bomb.yaml: line ", "alias", "10,000"),
    ),
    (
        "alias-bomb-name",
        "bomb.yaml",
        record_yaml(name=alias_bomb()),
        RECORD,
        ("bomb.yaml: line ", "alias", "10,000"),
    ),
    (
        "nested-brackets-20000",
        "deep.yaml",
        record_yaml(labels=DEEP),
        RECORD,
        ("deep.yaml", "nested deeper than the limit of 50 levels"),
    ),
    (
        "latin1-record",
        "latin.yaml",
        record_yaml(description="café").encode("latin-1"),
        RECORD,
        ("latin.yaml", "line ", "not UTF-8 text"),
    ),
    (
        "description-30mb",
        "big.yaml",
        record_yaml(description="'" + "d" * (3 * MAX_FILE_BYTES) + "'"),
        RECORD,
        ("big.yaml is larger than the limit of 10 MiB",),
    ),
    (
        "price-as-of-month-13",
        "p.yaml",
        GOOD_PRICES.replace("2026-11-01", "2026-13-01"),
        PRICES,
        ("p.yaml", "line 2", "'2026-13-01' is not a date"),
    ),
    (
        "price-yaml-inf",
        "p.yaml",
        PRICES_YAML % (".inf", "0.004"),
        PRICES,
        ("p.yaml", "cpu_hourly: 'inf' is not a finite amount of USD"),
    ),
    (
        "price-yaml-nan",
        "p.yaml",
        PRICES_YAML % ("0.03", ".nan"),
        PRICES,
        ("p.yaml", "memory_gib_hourly: 'nan' is not a finite amount of USD"),
    ),
    (
        "price-csv-inf",
        "p.csv",
        PRICES_CSV % ("inf", "0.004", ""),
        PRICES,
        ("p.csv", "line 2: cpu_hourly: 'inf' is not a finite amount of USD"),
    ),
    (
        "price-alias-bomb",
        "p.yaml",
        "prices: " + alias_bomb() + "\n",
        PRICES,
        ("p.yaml", "line 1", "alias", "10,000"),
    ),
    (
        "focus-two-rows-1.7e308",
        "f.csv",
        FOCUS_MONEY_HEADER + focus_row("1.7e308") + focus_row("1.7e308", 1),
        FOCUS,
        ("f.csv", "line 2: BilledCost '1.7e308' is beyond the limit"),
    ),
    (
        "focus-team-tag-70",
        "f.csv",
        FOCUS_MONEY_HEADER + f'2026-10-01T00:00:00Z,1,,"{{""team"": ""{LONG_TEAM}""}}"\n',
        FOCUS,
        ("f.csv", "line 2", "team"),
    ),
    (
        "gcp-cost-nan",
        "g.json",
        gcp_line(1.0) + gcp_line(math.nan),
        GCP,
        ("g.json", "line 2: cost 'nan' is not a finite amount of USD"),
    ),
]

# (case id, CLI arguments, fragments the error line must hold)
AMOUNT_CASES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("budget-inf", ("cost", "budget", "nlp", "inf"), ("monthly budget", "'inf' is not a finite")),
    (
        "budget-1e309",
        ("cost", "budget", "nlp", "1e309"),
        ("monthly budget", "is not a finite amount of USD"),
    ),
    ("budget-nan", ("cost", "budget", "nlp", "nan"), ("monthly budget", "'nan' is not a finite")),
    ("budget-inf-existing-team", ("cost", "budget", "payments", "inf"), ("monthly budget",)),
]


def _refused_quickly(run, database_url: str, args: tuple[str, ...], fragments: tuple[str, ...]):
    before = _database_state(database_url)
    started = time.perf_counter()
    res = run(*args)
    took = time.perf_counter() - started
    _assert_refused(res, fragments[0], before, _database_state(database_url))
    line = res.stderr.strip()
    assert all(f in line for f in fragments), line[:2000]
    assert took < MAX_SECONDS, f"{' '.join(args)[:200]} took {took:.1f} s"


@pytest.mark.parametrize(
    ("name", "content", "commands", "fragments"),
    [c[1:] for c in FILE_CASES],
    ids=[c[0] for c in FILE_CASES],
)
def test_bad_file_is_refused_and_nothing_changes(
    run, database_url: str, tmp_path: Path, name: str, content, commands, fragments
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    for command in commands:
        args = tuple(a.format(file=path) for a in command)
        _refused_quickly(run, database_url, args, fragments)


@pytest.mark.parametrize(
    ("args", "fragments"), [c[1:] for c in AMOUNT_CASES], ids=[c[0] for c in AMOUNT_CASES]
)
def test_bad_amount_is_refused_and_nothing_changes(
    run, database_url: str, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    _refused_quickly(run, database_url, args, fragments)
