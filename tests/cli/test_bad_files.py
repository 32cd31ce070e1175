"""Files nobody should hand in, through the CLI: alias bombs, deep nesting, latin-1, impossible
dates, oversized input and usage mistakes. Each is refused with exactly one ``error:`` line, a
non-zero exit code and nothing stored."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from barista_ui.safe_input import MAX_FILE_BYTES
from tests.conftest import base_record

DEEP = "[" * 20_000 + "]" * 20_000
GOOD_PRICES = (
    "prices:\n- {region: r, cpu_hourly: 0.03, memory_gib_hourly: 0.004, as_of: 2026-11-01}\n"
)
FOCUS_HEADER = "ChargePeriodStart,BilledCost,Tags\n"


def alias_bomb(levels: int = 9) -> str:
    """A flow list of ``levels`` anchors, each ten aliases of the one before ("billion laughs"
    at nine levels: 10^9 strings once expanded)."""
    parts = ["&a0 [" + ", ".join(["lol"] * 10) + "]"]
    parts += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "[" + ", ".join(parts) + "]"


def record_yaml(**fields: str) -> str:
    plain = yaml.safe_dump(base_record(), sort_keys=False).splitlines()
    kept = [line for line in plain if line.split(":")[0] not in fields]
    return "\n".join(kept + [f"{k}: {v}" for k, v in fields.items()]) + "\n"


def refused(res, code: int = 1) -> str:
    """The one error line of a refused command."""
    assert res.exit_code == code, (res.exit_code, res.output)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert "Traceback" not in res.output
    return lines[0]


@pytest.fixture
def run(cli_run, tmp_path: Path):
    """The CLI on a database holding one record, a price table and a budget."""
    seed = tmp_path / "seed.yaml"
    seed.write_text(yaml.safe_dump(base_record(), sort_keys=False))
    prices = tmp_path / "seed-prices.yaml"
    prices.write_text(GOOD_PRICES)
    assert cli_run("models", "apply", "-f", str(seed)).exit_code == 0
    assert cli_run("cost", "prices", "load", str(prices)).exit_code == 0
    assert cli_run("cost", "budget", "payments", "100").exit_code == 0
    return cli_run


def stored(run) -> tuple[str, str, str, str]:
    """Everything the refused commands could have touched."""
    report = ("cost", "report", "--from", "2026-01-01", "--to", "2027-01-01", "--source")
    return (
        run("models", "list", "-o", "json").stdout,
        run("cost", "prices", "show").stdout,
        run("cost", "budget", "payments").stdout,
        run(*report, "billing", "--format", "json").stdout,
    )


def put(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


RECORD_COMMANDS = [("models", "apply", "-f"), ("models", "create", "-f"), ("import",)]


@pytest.mark.parametrize("command", RECORD_COMMANDS, ids=lambda c: " ".join(c))
@pytest.mark.parametrize("field", ["labels", "name"])
def test_alias_bomb_is_refused_fast(run, tmp_path: Path, command, field: str) -> None:
    before = stored(run)
    bomb = alias_bomb() if field == "name" else "{big: " + alias_bomb() + "}"
    path = put(tmp_path, "bomb.yaml", record_yaml(**{field: bomb}))
    started = time.perf_counter()
    res = run(*command, path)
    assert time.perf_counter() - started < 2.0
    line = refused(res)
    assert "bomb.yaml" in line and "alias" in line and "10,000" in line
    assert stored(run) == before


def test_alias_bomb_on_stdin(run) -> None:
    before = stored(run)
    line = refused(run("models", "apply", "-f", "-", input=record_yaml(labels=alias_bomb())))
    assert line.startswith("error: stdin: line ") and "alias" in line
    assert stored(run) == before


@pytest.mark.parametrize("command", RECORD_COMMANDS, ids=lambda c: " ".join(c))
def test_deep_nesting_is_refused_without_recursion_error(run, tmp_path: Path, command) -> None:
    before = stored(run)
    line = refused(run(*command, put(tmp_path, "deep.yaml", record_yaml(labels=DEEP))))
    assert "deep.yaml" in line and "nested deeper than the limit of 50 levels" in line
    assert stored(run) == before


def test_many_aliases_and_a_self_reference_are_refused(run, tmp_path: Path) -> None:
    before = stored(run)
    many = "[" + ", ".join(["*d"] * 101) + "]"
    path = put(tmp_path, "many.yaml", record_yaml(description="&d x", env=f"{{A: {many}}}"))
    assert "more than 100 aliases" in refused(run("models", "apply", "-f", path))
    path = put(tmp_path, "loop.yaml", record_yaml(labels="&me {a: *me}"))
    assert "refers to a value that holds it" in refused(run("models", "apply", "-f", path))
    assert stored(run) == before


@pytest.mark.parametrize("command", RECORD_COMMANDS, ids=lambda c: " ".join(c))
def test_oversized_record_file_is_refused(run, tmp_path: Path, command) -> None:
    before = stored(run)
    text = record_yaml(description="'" + "x" * MAX_FILE_BYTES + "'")
    line = refused(run(*command, put(tmp_path, "big.yaml", text)))
    assert "big.yaml is larger than the limit of 10 MiB" in line
    assert stored(run) == before


LATIN1 = "café".encode("latin-1")


@pytest.mark.parametrize(
    "command",
    [
        ("models", "apply", "-f", "{}.yaml"),
        ("import", "{}.yaml"),
        ("cost", "prices", "load", "{}.yaml"),
        ("cost", "prices", "load", "{}.csv"),
        ("cost", "import", "{}.csv", "--format", "focus"),
        ("cost", "import", "{}.json", "--format", "gcp"),
    ],
    ids=lambda c: " ".join(c).replace("{}", "latin"),
)
def test_latin1_file_names_the_file_and_line(run, tmp_path: Path, command) -> None:
    before = stored(run)
    content = {
        "yaml": b"name: x\ndescription: " + LATIN1 + b"\n",
        "csv": FOCUS_HEADER.encode() + b"2026-10-01T00:00:00Z,1," + LATIN1 + b"\n",
        "json": b'{"cost": 1}\n{"cost": 1, "service": "' + LATIN1 + b'"}\n',
    }
    args = [a.format(tmp_path / "latin") for a in command]
    target = next(a for a in args if a.startswith(str(tmp_path)))
    Path(target).write_bytes(content[target.rsplit(".", 1)[1]])
    line = refused(run(*args))
    assert "latin." in line and "not UTF-8 text" in line and "line 2" in line
    assert stored(run) == before


def test_impossible_date_in_a_price_file(run, tmp_path: Path) -> None:
    before = stored(run)
    path = put(tmp_path, "p.yaml", GOOD_PRICES.replace("2026-11-01", "2026-13-01"))
    line = refused(run("cost", "prices", "load", path))
    assert "p.yaml" in line and "line 2" in line and "'2026-13-01' is not a date" in line
    assert stored(run) == before


def test_deep_nesting_in_price_and_billing_files(run, tmp_path: Path) -> None:
    before = stored(run)
    limit = "nested deeper than the limit of 50 levels"
    assert limit in refused(run("cost", "prices", "load", put(tmp_path, "p.yaml", DEEP)))
    focus = FOCUS_HEADER + f'2026-10-01T00:00:00Z,1,"{DEEP}"\n'
    line = refused(run("cost", "import", put(tmp_path, "f.csv", focus), "--format", "focus"))
    assert "line 2: Tags" in line and limit in line
    gcp = json.dumps({"cost": 1, "x": 0}).replace("0}", DEEP + "}") + "\n"
    line = refused(run("cost", "import", put(tmp_path, "g.json", gcp), "--format", "gcp"))
    assert "line 1" in line and limit in line
    assert stored(run) == before


def test_a_csv_field_over_the_csv_limit_names_the_line(run, tmp_path: Path) -> None:
    before = stored(run)
    focus = (
        FOCUS_HEADER + "2026-10-01T00:00:00Z,1,{}\n" + f'2026-10-01T00:00:00Z,1,"{"x" * 200_000}"\n'
    )
    line = refused(run("cost", "import", put(tmp_path, "f.csv", focus), "--format", "focus"))
    assert "f.csv" in line and "line 3: not valid CSV" in line
    header = "region,cpu_hourly,memory_gib_hourly,as_of,source\n"
    prices = header + f'r,1,1,2026-11-01,"{"x" * 200_000}"\n'
    line = refused(run("cost", "prices", "load", put(tmp_path, "p.csv", prices)))
    assert "p.csv" in line and "line 2: not valid CSV" in line
    assert stored(run) == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("models", "apply"), "models apply: Missing option '-f'"),
        (("cost", "budget", "payments", "abc"), "cost budget: Invalid value"),
        (
            ("models", "list", "--format", "xml"),
            "models list: Invalid value for '--format'",
        ),
        (("cost", "import", "/no/such/file", "--format", "focus"), "does not exist"),
        (("models", "--bogus"), "models: No such option: --bogus"),
        (("--bogus",), "No such option: --bogus"),
        (("models", "nothere"), "No such command 'nothere'"),
    ],
)
def test_usage_errors_are_one_line(run, args: tuple[str, ...], fragment: str) -> None:
    before = stored(run)
    line = refused(run(*args), code=2)
    assert fragment in line and line.endswith("(see --help)")
    assert stored(run) == before


def test_help_still_works(cli_run) -> None:
    for args in (("--help",), ("models", "apply", "--help"), ("cost", "budget", "--help")):
        res = cli_run(*args)
        assert res.exit_code == 0 and "Usage" in res.stdout, res.output
    res = cli_run()  # no arguments: the help, as before
    assert "Usage" in res.output and "error:" not in res.output
