"""The scenario reference in Markdown, generated from the pydantic models of `fleet.scenario`.

One section per model (section), in the order a scenario file meets them, with a row per field:
its type, whether it is required or its default, its constraints, and its description (the unit
read from the field's name when the description does not give one).
"""
from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from events.log import COLUMN_MEANINGS, COLUMNS, KIND_COLUMNS, KINDS
from fleet import failure_trace
from fleet.scenario import Scenario

# name ending -> unit, longest first
UNITS = (("_usd_per_module_year", "USD per module-year"), ("_usd_per_station_year", "USD per station-year"),
         ("_usd_per_unit", "USD per unit"), ("_per_kg_usd", "USD per kg"), ("_per_year_per_krad", "per year per krad"),
         ("_rad_per_year", "rad per year"), ("_per_module_year", "per module-year"),
         ("_tb_per_pflops_day", "TB per PFLOPS-day"), ("_pflops_per_unit", "PFLOPS per unit"), ("_kg_per_unit", "kg per unit"),
         ("_kw_per_unit", "kW per unit"), ("_per_unit", "per unit"), ("_per_year", "per year"),
         ("_per_trip", "per trip"), ("_usd", "USD"), ("_kg", "kg"), ("_kw", "kW"), ("_mw", "MW"),
         ("_gbps", "Gbit/s"), ("_tb", "TB"), ("_days", "days"), ("_hours", "hours"), ("_years", "years"),
         ("_probability", "probability, 0 to 1"), ("_fraction", "fraction, 0 to 1"), ("_year", "calendar year"))

HEADER = """# Scenario reference

A scenario is a YAML file with the sections below (`fleet run tiny` uses the shipped
`runs/scenarios/tiny.yaml`; any other path works too). Unknown fields are errors, and every problem
is reported at once with the file and the field's path. Units are part of field names.

This page is generated from the schema in `fleet/scenario.py` by `fleet schema`; a test checks that
it is current.
"""


def reference() -> str:
    """The whole reference as Markdown."""
    models, used_at = _walk(Scenario)
    parts = [HEADER]
    for model in models:
        parts.append(_section(model, used_at[model]))
    parts.append(_failure_trace())
    parts.append(_event_log())
    return "\n".join(parts)


def _failure_trace() -> str:
    """The file `failures.trace` names (`fleet.failure_trace`)."""
    lines = ["## Failure trace", "", "The file `failures.trace` names (see [Failures](#failures)): failures to "
             "replay, from a real fleet's record or a test's script.", "",
             " ".join(failure_trace.__doc__.split("\n\n")[1].split()), "",
             "`failures.trace_mode: replace` (the default): the units and buses the trace does not list never "
             "fail; boards installed later (by a repair or an upgrade) still draw their lifetimes from "
             "`failures.unit` unless the trace lists their slot after they were installed. `add`: every board and "
             "bus keeps its drawn lifetime and fails at the earlier of that and its listed day. Replaying draws "
             "nothing from the other random streams: launches, weather and storms stay as without a trace. A "
             "relative path is read from the scenario file's folder; a saved scenario holds the absolute path.", ""]
    return "\n".join(lines)


def _event_log() -> str:
    """The event log's columns, and what each kind of event puts in them (`events.log`)."""
    lines = ["## Event log", "", "What a run's `result.events` (and `events.parquet`) holds: one row per event, in "
             "time order. Rows link through `ref` and `cause`, never through `detail`.", "",
             "| column | meaning |", "|---|---|"]
    lines += [f"| `{c}` | {COLUMN_MEANINGS[c]} |" for c in COLUMNS]
    lines += ["", "Each kind, and what its row's columns hold (those not named are -1, 0 or empty):", "",
              "| kind | columns |", "|---|---|"]
    for kind in KINDS:
        said = "; ".join(f"`{c}`: {text}" for c, text in KIND_COLUMNS[kind].items())
        lines.append(f"| `{kind}` | {said} |")
    return "\n".join(lines) + "\n"


def _walk(root: type[BaseModel]) -> tuple[list[type[BaseModel]], dict[type[BaseModel], list[str]]]:
    """Models in the order a depth-first reading of the fields meets them, and the paths they sit at."""
    order: list[type[BaseModel]] = []
    used_at: dict[type[BaseModel], list[str]] = {}

    def visit(model: type[BaseModel], path: str) -> None:
        used_at.setdefault(model, []).append(path)
        if model in order:
            return
        order.append(model)
        for name, info in model.model_fields.items():
            for sub in _models_in(info.annotation):
                visit(sub, f"{path}.{name}" if path else name)

    visit(root, "")
    return order, used_at


def _models_in(tp: Any) -> list[type[BaseModel]]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return [m for arg in typing.get_args(tp) for m in _models_in(arg)]


def _section(model: type[BaseModel], paths: list[str]) -> str:
    doc = (model.__doc__ or "").strip()
    where = ", ".join(f"`{p}`" for p in paths if p) or "the top level of the file"
    lines = [f"## {model.__name__}", ""]
    if doc and not doc.startswith("Base of every section"):
        lines += [doc, ""]
    lines += [f"At {where}.", "", "| field | type | required / default | constraints | description |",
              "|---|---|---|---|---|"]
    for name, info in model.model_fields.items():
        lines.append(f"| `{name}` | {_type(info.annotation)} | {_default(info)} | "
                     f"{_constraints(info.metadata)} | {_description(name, info)} |")
    return "\n".join(lines) + "\n"


def _type(tp: Any) -> str:
    """A reader's name for a type annotation, with nested constraints in parentheses."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        inner = _type(args[0])
        cons = [c for a in args[1:] for c in (a.metadata if isinstance(a, FieldInfo) else [a])]
        text = _constraints(cons)
        return f"{inner} ({text})" if text else inner
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        text = " or ".join(_type(a) for a in options)
        return text + (" or null" if len(options) < len(args) else "")
    if origin is Literal:
        return " or ".join(f'`"{a}"`' if isinstance(a, str) else f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is dict:
        return f"mapping of {_type(args[0])} to {_type(args[1])}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    return {int: "integer", float: "number", str: "text", bool: "true or false", Any: "any"}.get(tp, str(tp))


def _constraints(metadata: list) -> str:
    out = []
    for c in metadata:
        if isinstance(c, at.Gt):
            out.append(f"> {c.gt:g}")
        elif isinstance(c, at.Ge):
            out.append(f">= {c.ge:g}")
        elif isinstance(c, at.Lt):
            out.append(f"< {c.lt:g}")
        elif isinstance(c, at.Le):
            out.append(f"<= {c.le:g}")
        elif isinstance(c, at.MinLen):
            out.append(f"at least {c.min_length} item{'s' if c.min_length > 1 else ''}"
                       if c.min_length != 1 else "not empty")
        elif isinstance(c, at.MaxLen):
            out.append(f"at most {c.max_length} items")
        elif getattr(c, "allow_inf_nan", None) is False:
            out.append("finite")
    return ", ".join(out)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.default_factory() if info.default is PydanticUndefined else info.default
    if value is None:
        return "null (absent)"
    if value == "" or value == {} or value == []:
        return "empty"
    return f"`{value}`"


def _description(name: str, info: FieldInfo) -> str:
    text = (info.description or "").replace("|", "\\|")
    unit = next((u for suffix, u in UNITS if f"_{name}".endswith(suffix)), "")
    if unit and unit.split(",")[0].split(" ")[0] not in text:
        text = f"{text}; {unit}" if text else unit
    return text
