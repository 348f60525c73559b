"""The KPI registry holds exactly the keys of a summary, each with a usable unit, direction,
label, format and meaning; the tables, statistics and reports read it."""
import math

import pytest

from fleet.kpis import KPIS, MAXIMISE, MINIMISE, NONE, REGISTRY, directions, formats, not_outcomes
from policies.registry import LIBRARY
from runs import simulate
from runs.look.report import MAIN_KPIS, NOT_KPIS
from runs.studies.stats import KPI_DIRECTIONS, NOT_OUTCOMES
from runs.look.table import KPI_FORMATS

RUNS = [("tiny", None, 4), ("baseline", None, 2), ("suncatcher-cluster", None, 2),
        *[("tiny", p.name, 3) for p in LIBRARY]]


@pytest.fixture(scope="module")
def summaries():
    return [simulate(scenario, seed=2, policy=policy, years=years).summary for scenario, policy, years in RUNS]


def test_every_summary_key_is_registered(summaries):
    for s in summaries:
        assert set(s) <= set(REGISTRY), sorted(set(s) - set(REGISTRY))


def test_every_registered_kpi_appears_in_a_summary(summaries):
    seen = set().union(*summaries)
    assert set(REGISTRY) <= seen, sorted(set(REGISTRY) - seen)


def test_each_kpi_is_complete_and_formats_its_values(summaries):
    assert len(REGISTRY) == len(KPIS)
    for k in KPIS:
        assert k.direction in (MAXIMISE, MINIMISE, NONE)
        assert k.unit and k.label and k.meaning and "\n" not in k.meaning
        for s in summaries:
            value = s[k.name]
            if isinstance(value, float) and not math.isfinite(value):
                continue
            assert k.format.format(value)   # raises if the format does not fit the value's type


def test_users_read_the_registry():
    assert KPI_FORMATS == formats()
    assert KPI_DIRECTIONS == directions() and NONE not in KPI_DIRECTIONS.values()
    assert set(NOT_OUTCOMES) == set(not_outcomes()) == {"events", "wall_seconds"}
    assert set(MAIN_KPIS) <= set(REGISTRY) and set(NOT_OUTCOMES) <= set(NOT_KPIS)
