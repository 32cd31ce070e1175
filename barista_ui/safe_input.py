"""Text a user hands in (record files, the YAML editor, price files, billing exports), read
within fixed limits so that no input can exhaust memory, hang a parser or blow Python's stack.

Limits (refused with an ``InputError`` that names the limit):

- size: 10 MiB for record and price files (YAML or CSV) and the YAML editor, 100 MiB for
  billing exports; checked before anything is parsed (files are read no further);
- text: UTF-8 (a byte-order mark is allowed); anything else names the line of the first bad byte;
- nesting: 50 levels of mappings and lists, in YAML and in JSON;
- YAML aliases (``*name``): at most 100 per document, repeating at most 10,000 values and 1 MiB
  of text in all, so an "alias bomb" (each level ten aliases of the one before) is refused
  before it is built, and no file grows more than that by its aliases.

YAML is scanned as an event stream by libyaml first (linear in the text, no recursion, no
objects built), and only then loaded with the safe loader.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import yaml

MIB = 2**20
MAX_FILE_BYTES = 10 * MIB
MAX_BILLING_BYTES = 100 * MIB
MAX_DEPTH = 50
MAX_ALIASES = 100
MAX_ALIAS_NODES = 10_000
MAX_ALIAS_CHARS = MIB

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InputError(ValueError):
    """Input refused before or while it is parsed; the message names the limit or the line."""


def _mib(limit: int) -> str:
    return f"{limit / MIB:g} MiB" if limit >= MIB else f"{limit:,} bytes"


def check_size(size: int, limit: int, name: str = "the input") -> None:
    if size > limit:
        raise InputError(f"{name} is larger than the limit of {_mib(limit)} ({size:,} bytes)")


def decode_utf8(data: bytes, name: str = "the input") -> str:
    """UTF-8 text of ``data`` (a leading byte-order mark dropped); the error names the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "save it as UTF-8"
        ) from None


def read_limited(stream: BinaryIO, limit: int, name: str) -> bytes:
    """At most ``limit`` bytes of ``stream``; more is refused without reading it all."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{name} is larger than the limit of {_mib(limit)}")
    return data


def read_text_file(path: str | Path, limit: int = MAX_FILE_BYTES, name: str | None = None) -> str:
    """The UTF-8 text of a file of at most ``limit`` bytes (OSError when it cannot be read);
    errors start with ``name``, by default the path."""
    name = str(path) if name is None else name
    with open(path, "rb") as f:
        data = read_limited(f, limit, name)
    return decode_utf8(data, name)


def check_text(text: str, limit: int = MAX_FILE_BYTES, name: str = "the input") -> None:
    """Refuse text over ``limit`` bytes as UTF-8."""
    if len(text) > limit // 4:  # below that, even four bytes a character stay within the limit
        check_size(len(text.encode("utf-8", "surrogatepass")), limit, name)


# ------------------------------------------------------------------ YAML


def _where(event: Any) -> str:
    mark = getattr(event, "start_mark", None)
    return f"line {mark.line + 1}: " if mark is not None else ""


class _Scan:
    """Depth and alias accounting over one YAML event stream. A value's size is (nodes, text
    characters) once its aliases are expanded."""

    def __init__(self) -> None:
        self.open: list[list[Any]] = []  # per open collection: [anchor, nodes, characters]
        self.sizes: dict[str, tuple[int, int]] = {}  # anchor -> the size it stands for
        self.aliases = 0
        self.repeated = [0, 0]  # nodes and characters repeated by aliases

    def node(self, anchor: str | None, nodes: int, chars: int) -> None:
        if anchor:
            self.sizes[anchor] = (nodes, chars)
        if self.open:
            self.open[-1][1] += nodes
            self.open[-1][2] += chars

    def event(self, ev: Any) -> None:
        if isinstance(ev, yaml.DocumentStartEvent):
            self.aliases, self.repeated = 0, [0, 0]
            self.sizes.clear()
        elif isinstance(ev, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if len(self.open) >= MAX_DEPTH:
                raise InputError(f"{_where(ev)}nested deeper than the limit of {MAX_DEPTH} levels")
            self.open.append([ev.anchor, 1, 0])
        elif isinstance(ev, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            self.node(*self.open.pop())
        elif isinstance(ev, yaml.ScalarEvent):
            self.node(ev.anchor, 1, len(ev.value))
        elif isinstance(ev, yaml.AliasEvent):
            self.alias(ev)

    def alias(self, ev: Any) -> None:
        self.aliases += 1
        if any(entry[0] == ev.anchor for entry in self.open):
            raise InputError(f"{_where(ev)}alias *{ev.anchor} refers to a value that holds it")
        if self.aliases > MAX_ALIASES:
            raise InputError(f"{_where(ev)}more than {MAX_ALIASES} aliases (*name) in one document")
        nodes, chars = self.sizes.get(ev.anchor, (1, 0))  # unknown: the loader's error to report
        self.repeated[0] += nodes
        self.repeated[1] += chars
        if self.repeated[0] > MAX_ALIAS_NODES or self.repeated[1] > MAX_ALIAS_CHARS:
            raise InputError(
                f"{_where(ev)}aliases (*name) repeat more than {MAX_ALIAS_NODES:,} values or "
                f"{_mib(MAX_ALIAS_CHARS)} of text in one document (an alias bomb?)"
            )
        self.node(None, nodes, chars)


def _scan(text: str) -> None:
    scan = _Scan()
    for ev in yaml.parse(text, Loader=_Parser):
        scan.event(ev)


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{node.value}' is not a date: {exc}", node.start_mark
        ) from None


class _Loader(_Parser):
    """The safe loader; an impossible date (2026-13-01) is a YAML error with its line."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _at(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _yaml_error(exc: yaml.YAMLError, name: str) -> InputError:
    """The error at the place it starts (an unclosed bracket: where it opened), then where the
    parser noticed."""
    problem = str(getattr(exc, "problem", None) or exc)
    if "maximum nesting depth" in problem:  # libyaml's own stop, reached while scanning
        problem = f"nested deeper than the limit of {MAX_DEPTH} levels"
    context, started = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    noticed = getattr(exc, "problem_mark", None)
    first = started or noticed
    where = f" at {_at(first)}" if first else ""
    text = f"{context}, {problem}" if context else problem
    if started and noticed and _at(started) != _at(noticed):
        text += f" (noticed at {_at(noticed)})"
    return InputError(f"{name} is not valid YAML{where}: {text}")


def load_yaml_all(text: str, name: str = "the input", limit: int = MAX_FILE_BYTES) -> list[Any]:
    """Every document of a YAML stream, within the size, depth and alias limits."""
    check_text(text, limit, name)
    try:
        _scan(text)
        return list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, name) from None
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # a constructor's own refusal
        raise InputError(f"{name} is not valid YAML: {exc}") from None


def load_yaml(text: str, name: str = "the input", limit: int = MAX_FILE_BYTES) -> Any:
    """The one document of a YAML text (None when empty), within the limits."""
    docs = load_yaml_all(text, name, limit)
    if len(docs) > 1:
        raise InputError(f"{name} holds {len(docs)} YAML documents; expected one")
    return docs[0] if docs else None


# ------------------------------------------------------------------ JSON


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield from value.values()
    elif isinstance(value, list):
        yield from value


def _depth_ok(value: Any) -> bool:
    level = [value]
    for _ in range(MAX_DEPTH):
        level = [c for v in level for c in _children(v) if isinstance(c, dict | list)]
        if not level:
            return True
    return False


def load_json(text: str) -> Any:
    """A JSON value nested at most ``MAX_DEPTH`` levels (json.JSONDecodeError when not JSON,
    InputError when too deep)."""
    try:
        value = json.loads(text)
    except RecursionError:
        value = None
        deep = True
    else:
        deep = isinstance(value, dict | list) and not _depth_ok(value)
    if deep:
        raise InputError(f"nested deeper than the limit of {MAX_DEPTH} levels")
    return value
