"""YAML reading that refuses duplicate keys and reports problems as ScenarioError."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from fleet.errors import InputError, ScenarioError, shown


MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_FILE_BYTES = 10_000_000   # a scenario or experiment file; the largest shipped one is a few kB
MAX_NODES = 100_000           # values in a document, aliases expanded; real files hold hundreds


class _TooLarge(Exception):
    """A document holds more than `MAX_NODES` values (the argument says how many)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings refuse a key given twice; merge keys (`<<: *base`,
    `<<: [*a, *b]`) work as YAML defines them, the mapping's own keys overriding merged ones."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._flattened: set[yaml.MappingNode] = set()
        self._composed = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """Compose as PyYAML does, but stop once the document holds more than `MAX_NODES` values."""
        self._composed += 1
        if self._composed > MAX_NODES:
            raise _TooLarge(f"more than {MAX_NODES:,}")
        return super().compose_node(parent, index)

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """Check the keys the mapping itself gives, then merge in those of `<<` (once per node)."""
        if node in self._flattened:
            return
        self._flattened.add(node)
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = "<<" if key_node.tag == MERGE_TAG else self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {shown(key)} (first at line {seen[key] + 1})",
                        key_node.start_mark)
                seen[key] = key_node.start_mark.line
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, f"unhashable key {shown(key)}", key_node.start_mark) from None
        super().flatten_mapping(node)
        _keep_last(node)


def _keep_last(node: yaml.MappingNode) -> None:
    """Leave one pair per scalar key, the last (a mapping's own key over a merged one), so that a
    mapping merged into another brings its final values: PyYAML 6.0.4 keeps the first pair of a key
    when it merges, which would bring back a value the mapping overrode."""
    last = {(k.tag, k.value): i for i, (k, _) in enumerate(node.value) if isinstance(k, yaml.ScalarNode)}
    node.value = [(k, v) for i, (k, v) in enumerate(node.value)
                  if not isinstance(k, yaml.ScalarNode) or last[(k.tag, k.value)] == i]


MAX_FLOW_DEPTH = 100   # PyYAML's scanner slows quadratically with [ and { nesting; no scenario needs more


_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def flow_depth(text: str) -> int:
    """Deepest nesting of [ and { in `text` (brackets inside strings counted too)."""
    depth = deepest = 0
    for ch in _NOT_BRACKETS.sub("", text):   # skipping the rest in C keeps a 10 MB file fast
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


def expanded_size(root: yaml.Node) -> int:
    """Values (scalars, sequences, mappings, keys included) in the document under `root`, counting
    each use of an alias again: what constructing and validating it would walk. Linear in the
    distinct nodes; raises ValueError on an alias that refers to itself (a cycle)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            continue
        if id(node) in open_nodes:
            raise ValueError("an alias refers to the value that contains it")
        open_nodes.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise ValueError("an alias refers to the value that contains it")
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text; a syntax error, a duplicate key or a document that expands (through
    aliases) to more than `MAX_NODES` values raises ScenarioError naming `source`."""
    if flow_depth(text) > MAX_FLOW_DEPTH:
        raise ScenarioError(source, [("", f"malformed YAML: [ and {{ nested more than {MAX_FLOW_DEPTH} levels deep")])
    try:
        loader = _UniqueKeyLoader(text)     # its reader refuses unprintable characters at once
    except yaml.reader.ReaderError as exc:
        raise ScenarioError(source, [("", f"malformed YAML: character {exc.character:#x} at position "
                                          f"{exc.position} is not allowed in YAML text")]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return loader.construct_document(node)
    except _TooLarge as exc:
        raise ScenarioError(source, [("", f"the document holds {exc} values, counting each use of an alias; "
                                          "no scenario or experiment needs so many")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(source, [("", f"{where}malformed YAML: {problem}")]) from None
    except RecursionError:
        raise ScenarioError(source, [("", "malformed YAML: nested too deeply")]) from None
    finally:
        loader.dispose()


def _check_size(node: yaml.Node) -> None:
    try:
        size = expanded_size(node)
    except ValueError as exc:
        raise yaml.YAMLError(str(exc)) from None
    if size > MAX_NODES:
        raise _TooLarge(f"{size:.3g} (more than {MAX_NODES:,})")


def load_yaml_file(path: str | os.PathLike) -> Any:
    """Read and parse a YAML file of at most `MAX_FILE_BYTES`; a missing, unreadable, non-UTF-8 or
    too large file, or one that is not a regular file (a folder, FIFO or device), raises ScenarioError."""
    source = str(path)
    try:
        data = read_regular_file(Path(path), MAX_FILE_BYTES)
        text = data.decode("utf-8")
    except InputError as exc:
        raise ScenarioError(source, [("", str(exc))]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, [("", f"not UTF-8 text (byte {exc.start})")]) from None
    return load_yaml_text(text, source)


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, refusing anything else and anything over `limit` bytes
    without reading more than `limit` + 1 bytes. A FIFO, device, socket or folder is never opened for
    reading (it could block or never end); raises InputError saying what is wrong."""
    try:
        kind = _kind(os.stat(path).st_mode)
        if kind:
            raise InputError(f"is {kind}, not a regular file")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))   # no wait should it be swapped
        with os.fdopen(fd, "rb") as f:
            kind = _kind(os.fstat(f.fileno()).st_mode)
            if kind:
                raise InputError(f"is {kind}, not a regular file")
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise InputError("file not found") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise InputError(f"file larger than {limit / 1e6:g} MB; no scenario or experiment needs so much")
    return data


def _kind(mode: int) -> str:
    """What a file of this mode is, if not a regular file ("" for a regular file)."""
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "" if stat.S_ISREG(mode) else "not a regular file"


def dump_yaml(data: Any) -> str:
    """Serialise plain data as block-style YAML, keys in their given order."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)
