"""PRIM finds planted boxes: the inputs where cases of interest lie, with coverage and density."""
import numpy as np
import pandas as pd
import pytest

from runs.studies.discovery import prim

POINTS = 600


def uniform_inputs(seed: int) -> pd.DataFrame:
    return pd.DataFrame(np.random.default_rng(seed).random((POINTS, 3)), columns=["a", "b", "c"])


def test_finds_a_planted_box_restricting_only_its_inputs():
    inputs = uniform_inputs(1)
    cases = ((inputs.a > 0.6) & (inputs.b < 0.4)).to_numpy()
    box = prim(inputs, cases)[0]
    assert set(box.limits) == {"a", "b"}
    # the limits are data points; the gap next to a limit is about 1/(points in the box) of the range
    tolerance = 5 / cases.sum()
    assert box.limits["a"][0] == pytest.approx(0.6, abs=tolerance)
    assert box.limits["b"][1] == pytest.approx(0.4, abs=tolerance)
    assert box.coverage >= 0.95 and box.density == 1.0
    assert box.mass == pytest.approx(cases.mean(), abs=0.02)
    assert (box.holds(inputs) <= cases | ~box.holds(inputs)).all()


def test_finds_a_second_box_by_covering_and_tolerates_noisy_labels():
    inputs = uniform_inputs(2)
    first = (inputs.a > 0.6) & (inputs.b < 0.4)
    second = (inputs.c > 0.8) & (inputs.a < 0.3)
    flips = np.random.default_rng(3).random(POINTS) < 0.05
    cases = ((first | second).to_numpy()) ^ flips
    boxes = prim(inputs, cases)
    assert len(boxes) == 2                  # what is left is noise: no denser box than min_density
    for box, planted in zip(boxes, [{"a": (0.6, 1), "b": (0, 0.4)}, {"a": (0, 0.3), "c": (0.8, 1)}]):
        for name, (low, high) in box.limits.items():
            if name in planted:
                assert (low, high) == pytest.approx(planted[name], abs=0.05)
            else:
                assert high - low > 0.9         # the noise may trim an input, not restrict it
    assert boxes[0].density > 0.85 and boxes[1].density > 0.7
    assert boxes[0].coverage + boxes[1].coverage > 0.75


def test_no_case_gives_no_box_and_every_case_gives_the_whole_space():
    inputs = uniform_inputs(4)
    assert prim(inputs, np.zeros(POINTS, dtype=bool)) == []
    whole = prim(inputs, np.ones(POINTS, dtype=bool))
    assert len(whole) == 1 and whole[0].limits == {} and whole[0].coverage == 1 and whole[0].density == 1
    with pytest.raises(ValueError):
        prim(inputs, np.ones(3, dtype=bool))
