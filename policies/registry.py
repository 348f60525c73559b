"""Policy names to classes: the library, installed plug-ins, and a user's own `file.py:Class`."""
from __future__ import annotations

import dataclasses
import difflib
import importlib
import importlib.util
import math
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from fleet.errors import PolicyError
from policies.base import Policy
from policies.ramp import Ramp
from policies.replenish import Replenish
from policies.service_on_threshold import ServiceOnThreshold

ENTRY_POINT_GROUP = "orbital_fleet.policies"
LIBRARY: tuple[type[Policy], ...] = (Replenish, ServiceOnThreshold, Ramp)


def available() -> dict[str, type[Policy]]:
    """Every registered policy by name: the library, then installed plug-ins."""
    out = {cls.name: cls for cls in LIBRARY}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in out:
            out[ep.name] = ep.load()
    return out


def policy_class(name: str) -> type[Policy]:
    """Resolve a registered name (optionally `-vN`), `pkg.module:Class` or `path/file.py:Class`."""
    if ":" in name:
        return _load_user_class(name)
    known = available()
    base, _, version = name.rpartition("-v")
    if base and version.isdigit() and base in known:
        cls = known[base]
        if cls.version != int(version):
            raise PolicyError(f"policy {name!r}: this version of the simulator has {cls.label}")
        return cls
    if name in known:
        return known[name]
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(sorted(known))}"
    raise PolicyError(f"unknown policy {name!r}{hint}")


def make_policy(name: str, params: dict[str, Any] | None = None) -> Policy:
    """Build a policy from its name and parameters, refusing unknown or ill-typed parameters."""
    cls = policy_class(name)
    params = dict(params or {})
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(params) - fields)
    if unknown:
        raise PolicyError(f"policy {cls.name}: unknown parameter(s) {', '.join(unknown)}; "
                          f"parameters are {', '.join(sorted(fields))}")
    try:
        policy = TypeAdapter(cls).validate_python(params)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PolicyError(f"policy {cls.name}: {problems}") from None
    infinite = [k for k, v in policy.params().items() if isinstance(v, float) and not math.isfinite(v)]
    if infinite:
        raise PolicyError(f"policy {cls.name}: {infinite[0]}: must be a finite number "
                          f"(got {policy.params()[infinite[0]]})")
    return policy


def _load_user_class(spec: str) -> type[Policy]:
    where, _, cls_name = spec.rpartition(":")
    try:
        if where.endswith(".py"):
            path = Path(where).resolve()
            if not path.is_file():
                raise PolicyError(f"policy {spec!r}: file {where} not found")
            mod_name = f"user_policy_{path.stem}"
            module = sys.modules.get(mod_name)
            if module is None or getattr(module, "__file__", None) != str(path):
                module_spec = importlib.util.spec_from_file_location(mod_name, path)
                module = importlib.util.module_from_spec(module_spec)
                sys.modules[mod_name] = module
                module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except PolicyError:
        raise
    except Exception as exc:  # a user's file can raise anything while importing
        raise PolicyError(f"policy {spec!r}: cannot import {where}: {type(exc).__name__}: {exc}") from None
    cls = getattr(module, cls_name, None)
    if cls is None:
        raise PolicyError(f"policy {spec!r}: {where} has no class {cls_name}")
    check_policy_class(cls, spec)
    return cls


def check_policy_class(cls: Any, spec: str) -> None:
    """Refuse a class that does not implement the Policy interface."""
    if not isinstance(cls, type):
        raise PolicyError(f"policy {spec!r}: not a class")
    if not dataclasses.is_dataclass(cls):
        raise PolicyError(f"policy {spec!r}: must be a @dataclass(frozen=True) subclass of policies.Policy")
    missing = [m for m in ("review", "threshold_failed_fraction", "on_module_failed", "on_launch_failed",
                           "on_trip_returned", "on_generation_available", "on_threshold", "params")
               if not callable(getattr(cls, m, None))]
    if missing:
        raise PolicyError(f"policy {spec!r}: missing method(s) {', '.join(missing)}")
    if not isinstance(getattr(cls, "name", None), str):
        raise PolicyError(f"policy {spec!r}: missing a string class attribute `name`")
