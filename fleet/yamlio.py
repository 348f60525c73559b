"""YAML reading that refuses duplicate keys and reports problems as ScenarioError."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fleet.errors import ScenarioError


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings refuse a key given twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark)
                seen[key] = key_node.start_mark.line
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, f"unhashable key {key!r}", key_node.start_mark) from None
        return super().construct_mapping(node, deep=deep)


MAX_FLOW_DEPTH = 100   # PyYAML's scanner slows quadratically with [ and { nesting; no scenario needs more


def flow_depth(text: str) -> int:
    """Deepest nesting of [ and { in `text` (brackets inside strings counted too)."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


def load_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text; a syntax error or duplicate key raises ScenarioError naming `source`."""
    if flow_depth(text) > MAX_FLOW_DEPTH:
        raise ScenarioError(source, [("", f"malformed YAML: [ and {{ nested more than {MAX_FLOW_DEPTH} levels deep")])
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(source, [("", f"{where}malformed YAML: {problem}")]) from None
    except RecursionError:
        raise ScenarioError(source, [("", "malformed YAML: nested too deeply")]) from None


def load_yaml_file(path: Path) -> Any:
    """Read and parse a YAML file; missing, unreadable or non-UTF-8 files raise ScenarioError."""
    source = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, [("", "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError(source, [("", "is a directory, not a file")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, [("", f"not UTF-8 text (byte {exc.start})")]) from None
    except OSError as exc:
        raise ScenarioError(source, [("", f"cannot read: {exc.strerror}")]) from None
    return load_yaml_text(text, source)


def dump_yaml(data: Any) -> str:
    """Serialise plain data as block-style YAML, keys in their given order."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)
