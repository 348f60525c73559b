"""Policy names to classes: the library, installed plug-ins, and a user's own `file.py:Class`."""
from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import typing
from importlib.metadata import entry_points
from typing import Any

from pydantic import TypeAdapter, ValidationError

from fleet.errors import MAX_SHOWN, InputError, PolicyError, PolicyFailure, clip, describe_exception, shown
from policies.age_replacement import AgeReplacement
from policies.base import Policy
from policies.block_replacement import BlockReplacement
from policies.combined import Combined
from policies.economic import Economic
from policies.loading import check_policy_class, load_user_class
from policies.null import Null
from policies.opportunistic_service import OpportunisticService
from policies.ramp import Ramp
from policies.replenish import Replenish
from policies.service_on_threshold import ServiceOnThreshold
from policies.spares import Spares
from policies.tech_refresh import TechRefresh

ENTRY_POINT_GROUP = "orbital_fleet.policies"
LIBRARY: tuple[type[Policy], ...] = (Null, Replenish, AgeReplacement, BlockReplacement, ServiceOnThreshold,
                                     OpportunisticService, Spares, TechRefresh, Economic, Combined, Ramp)


def available() -> dict[str, type[Policy]]:
    """Every registered policy by name: the library, then installed plug-ins."""
    out = {cls.name: cls for cls in LIBRARY}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in out:
            spec = f"{ep.value} (entry point {ep.name!r} of {ENTRY_POINT_GROUP})"
            try:
                cls = ep.load()
            except Exception as exc:  # an installed plug-in can raise anything while importing
                raise PolicyError(f"policy {spec}: cannot import: {type(exc).__name__}: {exc}") from None
            check_policy_class(cls, spec)
            out[ep.name] = cls
    return out


def policy_class(name: str) -> type[Policy]:
    """Resolve a registered name (optionally `-vN`), `pkg.module:Class` or `path/file.py:Class`."""
    if ":" in name:
        return load_user_class(name)
    base, _, version = name.rpartition("-v")
    library = {cls.name: cls for cls in LIBRARY}   # first, and without scanning the installed plug-ins
    known = library if name in library or base in library else available()
    if base and version.isdigit() and base in known:
        cls = known[base]
        if cls.version != int(version):
            raise PolicyError(f"policy {shown(name)}: this version of the simulator has {cls.name}-v{cls.version}")
        return cls
    if name in known:
        return known[name]
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.4) if len(name) <= MAX_SHOWN else []
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(sorted(known))}"
    raise PolicyError(f"unknown policy {shown(name)}{hint}")


def make_policy(name: str, params: dict[str, Any] | None = None) -> Policy:
    """Build a policy from its name and parameters, refusing unknown or ill-typed parameters."""
    cls = policy_class(name)
    params = dict(params or {})
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(params) - fields)
    if unknown:
        raise PolicyError(f"policy {cls.name}: unknown parameter(s) {clip(', '.join(unknown))}; "
                          f"parameters are {', '.join(sorted(fields))}")
    if issubclass(cls, Combined) and "parts" in params:
        params["parts"] = _parts(params["parts"])
    loose = _loose_scalars(cls, params)
    if loose:
        raise PolicyError(f"policy {cls.name}: {'; '.join(loose)}")
    try:
        policy = _adapter(cls).validate_python(params)
        values = policy.params()
    except ValidationError as exc:
        problems = "; ".join(f"{clip('.'.join(map(str, e['loc'])))}: {clip(e['msg'])}" for e in exc.errors())
        raise PolicyError(f"policy {cls.name}: {problems}") from None
    except (InputError, KeyboardInterrupt):
        raise
    except BaseException as exc:   # the policy's own code (its __post_init__, say) failed: not bad input
        raise PolicyFailure(f"policy {cls.name}: construction raised {describe_exception(exc)}") from exc
    infinite = [k for k, v in values.items() if isinstance(v, float) and not math.isfinite(v)]
    if infinite:
        raise PolicyError(f"policy {cls.name}: {infinite[0]}: must be a finite number (got {values[infinite[0]]})")
    return policy


def _parts(given: Any) -> tuple[Policy, ...]:
    """The parts of a composition given as plain data: each a policy, a name, or {name, params}."""
    if not isinstance(given, (list, tuple)):
        raise PolicyError(f"policy combined: parts must be a list of policies (got {shown(given)})")
    out = []
    for spec in given:
        if isinstance(spec, Policy):
            out.append(spec)
        elif isinstance(spec, str):
            out.append(make_policy(spec))
        elif isinstance(spec, dict) and "name" in spec and set(spec) <= {"name", "params"}:
            out.append(make_policy(spec["name"], spec.get("params") or {}))
        else:
            raise PolicyError(f"policy combined: each part must be a policy or {{name, params}} (got {shown(spec)})")
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _adapter(cls: type[Policy]) -> TypeAdapter:
    """The validator of a policy class's parameters (built once: building one takes about a millisecond)."""
    return TypeAdapter(cls)


_SCALARS = {bool: "a valid boolean", int: "a valid integer", float: "a valid number"}   # pydantic's words


@functools.lru_cache(maxsize=64)
def _scalar_hints(cls: type[Policy]) -> dict[str, type]:
    """The class's parameters annotated as bool, int or float, by name."""
    try:
        return {k: v for k, v in typing.get_type_hints(cls).items() if v in (bool, int, float)}
    except Exception:  # a user's class may annotate with names it cannot resolve: let validation judge
        return {}


def _loose_scalars(cls: type[Policy], params: dict[str, Any]) -> list[str]:
    """Parameters given as the wrong kind of plain value ("0.3" for a number, 1 for true): strict like
    the scenario schema, where validation alone would convert them."""
    hints = _scalar_hints(cls)
    out = []
    for key, value in params.items():
        want = hints.get(key)
        if want is None:
            continue
        ok = (isinstance(value, bool) if want is bool else
              not isinstance(value, bool) and isinstance(value, int if want is int else (int, float)))
        if not ok:
            out.append(f"{key}: Input should be {_SCALARS[want]} (got {shown(value)})")
    return out
