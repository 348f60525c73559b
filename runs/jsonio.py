"""JSON that strict parsers accept (NaN and infinities are written as `null`), and the one canonical hash
of a JSON value, which names scenarios, experiments, policies and variants."""
from __future__ import annotations

import hashlib
import json
import math
from typing import Any


def finite(value: Any) -> Any:
    """`value` with every NaN or infinite float, in any nested dict, list or tuple, replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def strict_json(value: Any, **options: Any) -> str:
    """`json.dumps(value, **options)` with missing numbers as null; ValueError if a NaN slips through."""
    return json.dumps(finite(value), allow_nan=False, **options)


def canonical_hash(value: Any) -> str:
    """SHA-256 (hex) of `value`'s canonical JSON: keys sorted, no spaces, anything else as `str`."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
