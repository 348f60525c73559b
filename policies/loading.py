"""A user's own policy class, named `path/to/file.py:Class` or `package.module:Class`, loaded and
checked against the Policy interface. (Apart from the registry so that `Policy` can unpickle a
class loaded from a file without importing the library.)"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from fleet.errors import PolicyError, clip, shown


def load_user_class(spec: str) -> type:
    """The class named by `path/to/file.py:Class` or `package.module:Class`, checked against the interface."""
    where, _, cls_name = spec.rpartition(":")
    try:
        if where.endswith(".py"):
            path = Path(where).resolve()
            if not path.is_file():
                raise PolicyError(f"policy {shown(spec)}: file {shown(where)} not found")
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
        raise PolicyError(f"policy {shown(spec)}: cannot import {shown(where)}: "
                          f"{type(exc).__name__}: {clip(str(exc))}") from None
    cls = getattr(module, cls_name, None)
    if cls is None:
        raise PolicyError(f"policy {shown(spec)}: {shown(where)} has no class {shown(cls_name)}")
    check_policy_class(cls, spec)
    if where.endswith(".py") and "_loaded_from" not in cls.__dict__:
        cls._loaded_from = f"{Path(where).resolve()}:{cls_name}"   # how it pickles (see Policy)
    return cls


def check_policy_class(cls: Any, spec: str) -> None:
    """Refuse a class that does not implement the Policy interface."""
    if not isinstance(cls, type):
        raise PolicyError(f"policy {shown(spec)}: not a class")
    if not dataclasses.is_dataclass(cls):
        raise PolicyError(f"policy {shown(spec)}: must be a @dataclass(frozen=True) subclass of policies.Policy")
    missing = [m for m in ("review", "threshold_failed_fraction", "on_module_failed", "on_launch_failed",
                           "on_trip_returned", "on_generation_available", "on_threshold", "params")
               if not callable(getattr(cls, m, None))]
    if missing:
        raise PolicyError(f"policy {shown(spec)}: missing method(s) {', '.join(missing)}")
    if not isinstance(getattr(cls, "name", None), str):
        raise PolicyError(f"policy {shown(spec)}: missing a string class attribute `name`")
    absent = [a for a in ("label", "review_interval_days") if not hasattr(cls, a)]
    if absent:
        raise PolicyError(f"policy {shown(spec)}: missing {', '.join(absent)} "
                          "(subclass policies.Policy to inherit them)")
