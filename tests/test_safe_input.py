"""The limits on text a user hands in, at the function level: size, UTF-8, nesting, aliases."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from barista_ui.cost.billing import BillingFileError
from barista_ui.cost.billing_imports import parse_export
from barista_ui.records.file_format import (
    FileFormatError,
    dump_records_yaml,
    load_record_yaml,
    load_records_yaml,
)
from barista_ui.safe_input import (
    MAX_BILLING_BYTES,
    MAX_DEPTH,
    InputError,
    decode_utf8,
    load_json,
    load_yaml,
    load_yaml_all,
    read_limited,
    read_text_file,
)
from tests.cli.test_bad_files import alias_bomb
from tests.conftest import base_record


@pytest.mark.parametrize("where", ["labels: {big: %s}", "name: %s", "- %s"])
def test_nine_level_alias_bomb_is_refused_in_well_under_a_second(where: str) -> None:
    started = time.perf_counter()
    with pytest.raises(FileFormatError, match="repeat more than 10,000 values"):
        load_records_yaml(where % alias_bomb(9), "editor")
    assert time.perf_counter() - started < 0.5


def test_the_458_byte_page_bomb_is_refused() -> None:
    text = "labels: " + alias_bomb(9)
    assert len(text) < 600
    with pytest.raises(InputError, match="alias bomb"):
        load_yaml(text)


def test_a_few_aliases_are_fine() -> None:
    text = "base: &b {cpu: '1'}\nrequests: *b\nlimits: *b\n"
    assert load_yaml(text) == {
        "base": {"cpu": "1"},
        "requests": {"cpu": "1"},
        "limits": {"cpu": "1"},
    }


def test_aliases_of_long_text_are_bounded_too() -> None:
    text = 'd: &d "' + "x" * 200_000 + '"\nenv: [' + ", ".join(["*d"] * 6) + "]\n"
    with pytest.raises(InputError, match="or 1 MiB of text"):
        load_yaml(text)
    assert len(load_yaml(text.replace("*d, *d]", "*d]"))["env"]) == 5


def test_alias_count_and_size_are_per_document() -> None:
    doc = "a: &x [1, 2]\nb: [" + ", ".join(["*x"] * 60) + "]\n"
    assert len(load_yaml_all(doc + "---\n" + doc)) == 2  # 60 + 60 aliases, in two documents
    with pytest.raises(InputError, match="more than 100 aliases"):
        load_yaml("a: &x 1\nb: [" + ", ".join(["*x"] * 101) + "]\n")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 20_000])
def test_nesting_beyond_the_limit_is_an_input_error(depth: int) -> None:
    block = "a:\n" + "".join(f"{' ' * i}- \n" for i in range(min(depth, 200)))
    for text in ("[" * depth + "]" * depth, block):
        with pytest.raises(InputError, match=f"nested deeper than the limit of {MAX_DEPTH}"):
            load_yaml(text, "f.yaml")


def test_nesting_up_to_the_limit_loads() -> None:
    assert load_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 20_000])
def test_json_nesting_beyond_the_limit(depth: int) -> None:
    with pytest.raises(InputError, match="nested deeper"):
        load_json('{"a": ' + "[" * depth + "]" * depth + "}")


def test_impossible_date_is_a_yaml_error_with_its_line() -> None:
    with pytest.raises(InputError, match="line 2, column 8: '2026-13-01' is not a date"):
        load_yaml("a: 1\nas_of: 2026-13-01\n", "p.yaml")


def test_latin1_names_the_line_of_the_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(b"name: x\nteam: y\ndescription: caf\xe9\n")
    with pytest.raises(InputError, match=r"r.yaml is not UTF-8 text \(byte 0xe9 on line 3\)"):
        read_text_file(path)
    assert decode_utf8("\ufeffname: x".encode()) == "name: x"  # a byte-order mark is fine


def test_size_is_checked_before_reading_everything(tmp_path: Path) -> None:
    stream = io.BytesIO(b"x" * 1000)
    with pytest.raises(InputError, match="larger than the limit"):
        read_limited(stream, 100, "stdin")
    assert stream.tell() == 101  # read no further than the limit
    with pytest.raises(InputError, match="larger than the limit of 10 bytes"):
        load_yaml("a: 1234567890", limit=10)


def test_billing_upload_size_limit() -> None:
    with pytest.raises(BillingFileError, match="larger than the limit of 100 MiB"):
        parse_export(b" " * (MAX_BILLING_BYTES + 1), "focus", None, None)


def test_our_own_yaml_has_no_aliases() -> None:
    shared = {"tier": "critical"}
    text = dump_records_yaml([base_record(labels=shared), base_record(name="b", labels=shared)])
    assert "&" not in text and "*" not in text
    assert [r["labels"] for r in load_records_yaml(text)] == [shared, shared]


def test_the_editor_entry_point_takes_exactly_one_record() -> None:
    assert load_record_yaml("name: a\nteam: t\n") == {"name": "a", "team": "t"}
    with pytest.raises(FileFormatError, match="the YAML holds 2 records; give one"):
        load_record_yaml("- {name: a}\n- {name: b}\n")
    with pytest.raises(FileFormatError, match="the YAML: line 1: aliases"):
        load_record_yaml("labels: " + alias_bomb(9))
