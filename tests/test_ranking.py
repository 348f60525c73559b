"""KN ranking and selection (runs.studies.ranking) and the constraint grammar (runs.studies.constraints)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fleet.errors import InputError
from runs.studies.constraints import MET, UNCLEAR, VIOLATED, judge, parse_constraint
from runs.studies.ranking import kn


def _run_kn(rng: np.random.Generator, means: np.ndarray, sigma: float, rho: float, n0: int, delta: float,
            pcs: float, batch: int = 7, most: int = 2000) -> tuple[int, int]:
    """KN on normal systems whose replications share a common normal with correlation `rho`, the
    survivors computed `batch` replications at a time; (chosen, replications used in all)."""
    k = len(means)
    common, own = rng.standard_normal(most), rng.standard_normal((k, most))
    outputs = means[:, None] + sigma * (math.sqrt(rho) * common + math.sqrt(1 - rho) * own)
    have = np.full(k, n0)
    while True:
        state = kn(np.where(np.arange(most) < have[:, None], outputs, np.nan), n0, delta, pcs)
        if state.decided:
            return state.chosen, int(have.sum())
        assert state.r + batch <= most
        have[list(state.alive)] = state.r + batch


@pytest.mark.slow
@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_kn_reaches_its_probability_of_correct_selection(rho):
    """Slippage configuration (best exactly delta above the others): the procedure must choose the best
    in at least 95% of 400 independent problems, up to three binomial standard errors."""
    trials, pcs, delta = 400, 0.95, 0.5
    means = np.array([0.0, 0.0, delta, 0.0, 0.0])
    correct = sum(_run_kn(np.random.default_rng(seed), means, 1.0, rho, 10, delta, pcs)[0] == 2
                  for seed in range(trials))
    assert correct / trials >= pcs - 3 * math.sqrt(pcs * (1 - pcs) / trials)


def test_kn_minimises_and_stops_at_once_on_exact_values():
    x = np.array([[3.0] * 5, [1.0] * 5, [2.0] * 5])
    state = kn(x, 5, 0.1, maximise=False)
    assert state.decided and state.chosen == 1 and state.r == 5


def test_kn_asks_for_more_replications_when_undecided():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (3, 5))
    state = kn(x, 5, 0.01)
    assert not state.decided and state.r == 6 and state.n_max > 6


def test_kn_refuses_missing_first_replications():
    with pytest.raises(ValueError):
        kn(np.array([[1.0, np.nan], [1.0, 2.0]]), 2, 0.1)


@pytest.mark.parametrize("text, kpi, op, number, other", [
    ("mean_availability >= 0.99", "mean_availability", ">=", 0.99, None),
    ("data_lost_tb<=0.01*data_generated_tb", "data_lost_tb", "<=", 0.01, "data_generated_tb"),
    ("  cost_total_usd < 1e9 ", "cost_total_usd", "<", 1e9, None),
    ("launches > -2", "launches", ">", -2.0, None),
])
def test_constraint_grammar_accepts(text, kpi, op, number, other):
    c = parse_constraint(text)
    assert (c.kpi, c.op, c.number, c.other) == (kpi, op, number, other)


@pytest.mark.parametrize("text, says", [
    ("mean_availability = 0.99", "not KPI OP NUMBER"),
    ("mean_availability >= __import__('os')", "not KPI OP NUMBER"),
    ("availability >= 0.99", "'availability' is not a KPI"),
    ("data_lost_tb <= 0.01 * data_made", "'data_made' is not a KPI"),
    ("mean_availability >= 0.99 and launches < 3", "not KPI OP NUMBER"),
    ("0.99 <= mean_availability", "not KPI OP NUMBER"),
    (0.99, "a constraint is a text"),
])
def test_constraint_grammar_refuses(text, says):
    with pytest.raises(InputError, match="constraints.0") as info:
        parse_constraint(text, "constraints.0")
    assert says in str(info.value)


def test_constraints_judged_with_one_sided_intervals():
    c = parse_constraint("mean_availability >= 0.9")
    rows = pd.DataFrame({"mean_availability": [0.95, 0.96, 0.94, 0.95]})
    assert judge(c, rows, 0.95)[0] == MET
    assert judge(parse_constraint("mean_availability >= 0.99"), rows, 0.95)[0] == VIOLATED
    assert judge(parse_constraint("mean_availability >= 0.95"), rows, 0.95)[0] == UNCLEAR
    ratio = parse_constraint("data_lost_tb <= 0.1 * data_generated_tb")
    frame = pd.DataFrame({"data_lost_tb": [1.0, 2.0, 1.5], "data_generated_tb": [100.0, 100.0, 100.0]})
    assert judge(ratio, frame, 0.95)[0] == MET
