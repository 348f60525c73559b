"""One of each helper: the rule turning a failed fraction into units, named tolerances (no bare
epsilon in the code), status logic that never compares codes by order, one canonical hash, one
interval formula."""
from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest

from fleet.state import OPERATIONAL, Status
from fleet.tolerances import ceil_count, floor_count, units_for_fraction
from runs.api import load_scenario, scenario_hash
from runs.jsonio import canonical_hash
from runs.studies import stats
from runs.trust.validate import Row

REPO = Path(__file__).resolve().parents[1]
CODE = sorted(p for pkg in ("fleet", "policies", "events", "runs") for p in (REPO / pkg).rglob("*.py"))
NUMBER_WITH_EXPONENT = re.compile(r"(?<![\w.])\d+(\.\d*)?e-\d+")


@pytest.mark.parametrize("fraction, units, expected", [
    (0.2, 16, 4),              # 3.2 units: the fourth failure reaches it
    (0.25, 16, 4),             # exactly 4
    (0.07, 100, 7),            # 0.07 * 100 = 7.000000000000001 in floats: still 7
    (1e-12, 16, 1),            # any fraction needs at least one failure
    (0.0, 16, 1),
    (1.0, 16, 16),
])
def test_units_for_fraction(fraction, units, expected):
    assert units_for_fraction(fraction, units) == expected


def test_counts_ignore_float_error_only():
    assert 0.07 * 100 > 7 and ceil_count(0.07 * 100) == 7
    assert ceil_count(3.001) == 4 and floor_count(2.9999999999) == 3 and floor_count(2.99) == 2


def _code_lines(path: Path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        code = line.split("#", 1)[0]
        if '"""' in line or line.lstrip().startswith(("#", "accurate")):
            continue
        yield number, code


def test_no_bare_epsilon():
    """A tolerance is a named constant (`NAME = 1e-9  # what it is`), never a literal inside an expression."""
    bare = [f"{p.relative_to(REPO)}:{n}: {code.strip()}" for p in CODE for n, code in _code_lines(p)
            if NUMBER_WITH_EXPONENT.search(code) and not re.match(r"^[A-Z_][A-Z0-9_]* = [\d.e-]+\s*$", code.strip())]
    assert not bare, "\n".join(bare)


def _is_status(node: ast.AST) -> bool:
    text = ast.unparse(node)
    return "status" in text.lower() or text in ("OPERATIONAL", "SPARE", "FAILED", "DEORBITED")


def test_status_codes_are_never_compared_by_order():
    """Status logic names the statuses it means (`in_status`, ==), so reordering the enum changes nothing."""
    ordered = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
    bad = []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(isinstance(op, ordered) for op in node.ops) \
                    and any(_is_status(x) for x in [node.left, *node.comparators]):
                bad.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node)}")
    assert not bad, "\n".join(bad)


def test_operational_is_the_enum_value():
    assert OPERATIONAL == Status.OPERATIONAL and type(OPERATIONAL) is int


def test_one_canonical_hash():
    assert canonical_hash({"b": 1, "a": [1.5, None]}) == canonical_hash({"a": [1.5, None], "b": 1})
    assert canonical_hash({"a": 1}) != canonical_hash({"a": 2})
    scenario = load_scenario("tiny")
    assert scenario_hash(scenario) == canonical_hash(scenario.model_dump(mode="json"))


def test_validation_rows_use_the_statistics_module():
    values = np.array([1.0, 2.0, 4.0, 7.0])
    assert Row("x", 3.0, values).half_width(0.05) == stats.t_half_width(values, 0.95)
    assert stats.mean_ci(values).half_width == pytest.approx(stats.t_half_width(values))
    assert math.isinf(Row("x", 3.0, values[:1]).half_width(0.05)) and math.isnan(stats.t_half_width(values[:1]))
