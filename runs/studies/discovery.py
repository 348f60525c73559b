"""Scenario discovery: boxes of input ranges in which a case of interest (a policy failing a
constraint) concentrates, found by PRIM (Friedman and Fisher's patient rule induction, peeling only).

A box is judged by its coverage (the share of all cases of interest that fall inside it) and its
density (the share of the points inside it that are cases of interest). Peeling starts from the box
holding every point and repeatedly cuts off the `alpha` quantile of one input, at its low or high end,
whichever leaves the highest density, until the box would hold fewer than `min_mass` of the points.
Of the boxes on that path, the densest with at least `min_coverage` is kept and pasted (widened
while its density does not fall); its points are then set aside and the search repeats on the rest (covering), up to `max_boxes` boxes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Box:
    """Restricted inputs with their (low, high) limits (inclusive); coverage, density and mass as fractions."""

    limits: dict[str, tuple[float, float]]
    coverage: float      # cases of interest inside over all cases of interest
    density: float       # cases of interest inside over points inside (of the points not in earlier boxes)
    mass: float          # points inside over all points
    points: int          # points inside (not in earlier boxes)

    def holds(self, inputs: pd.DataFrame) -> np.ndarray:
        """Per row of `inputs`: whether it lies in the box."""
        inside = np.ones(len(inputs), dtype=bool)
        for name, (low, high) in self.limits.items():
            values = inputs[name].to_numpy(dtype=float)
            inside &= (values >= low) & (values <= high)
        return inside


def prim(inputs: pd.DataFrame, cases: np.ndarray, alpha: float = 0.05, min_mass: float = 0.05,
         min_coverage: float = 0.5, max_boxes: int = 3, min_density: float = 0.5) -> list[Box]:
    """Boxes of `inputs` (one row per point, one numeric column per input) where `cases` (bool per row)
    concentrate, best first; none if there is no case of interest. A box is kept only if it is denser
    than `min_density` and than the points it is drawn from."""
    cases = np.asarray(cases, dtype=bool)
    if len(cases) != len(inputs):
        raise ValueError(f"{len(cases)} cases for {len(inputs)} points")
    values = inputs.to_numpy(dtype=float)
    total = int(cases.sum())
    left = np.ones(len(cases), dtype=bool)
    boxes: list[Box] = []
    while len(boxes) < max_boxes and cases[left].sum() > 0:
        box_inside = _best_box(values, cases, left, total, alpha, max(2, int(np.ceil(min_mass * len(cases)))),
                               min_coverage)
        if box_inside is None:
            break
        limits, inside = box_inside
        density = cases[inside].mean()
        if density < min_density or (density <= cases[left].mean() and boxes):
            break       # not where cases concentrate: nothing more to discover
        boxes.append(Box(_restricted(limits, values[left], list(inputs.columns)), float(cases[inside].sum() / total),
                         float(cases[inside].mean()), float(inside.sum() / len(cases)), int(inside.sum())))
        left &= ~inside
    return boxes


def _best_box(values: np.ndarray, cases: np.ndarray, left: np.ndarray, total: int, alpha: float,
              min_points: int, min_coverage: float) -> tuple[np.ndarray, np.ndarray] | None:
    """(limits as a (dims, 2) array, points inside) of the densest box on the peeling path of the points
    `left` with coverage at least `min_coverage` (else the densest), then pasted; None if no point is left."""
    limits = np.column_stack([values[left].min(axis=0), values[left].max(axis=0)])
    inside = left.copy()
    path = [(limits.copy(), inside.copy())]
    while True:
        peel = _best_peel(values, cases, inside, alpha, min_points)
        if peel is None:
            break
        dim, end, cut, inside = peel
        limits[dim, end] = cut
        path.append((limits.copy(), inside.copy()))
        if cases[inside].all():
            break
    covered = [p for p in path if cases[p[1]].sum() / total >= min_coverage] or path
    limits, inside = max(covered, key=lambda p: (cases[p[1]].mean(), cases[p[1]].sum()))
    return _paste(values, cases, left, limits.copy(), inside)


def _paste(values: np.ndarray, cases: np.ndarray, left: np.ndarray, limits: np.ndarray,
           inside: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Widen the box, one limit at a time, to take in the nearest point beyond that limit, while the
    density does not fall (peeling overshoots by up to one peel)."""
    while True:
        best = None
        for dim in range(values.shape[1]):
            others = left.copy()
            for d in range(values.shape[1]):
                if d != dim:
                    others &= (values[:, d] >= limits[d, 0]) & (values[:, d] <= limits[d, 1])
            for end in (0, 1):
                beyond = np.sort(values[others & ((values[:, dim] < limits[dim, 0]) if end == 0
                                                  else (values[:, dim] > limits[dim, 1])), dim])
                if beyond.size == 0:
                    continue
                cut = beyond[-1] if end == 0 else beyond[0]
                grown = others & (values[:, dim] >= (cut if end == 0 else limits[dim, 0])) & \
                    (values[:, dim] <= (cut if end == 1 else limits[dim, 1]))
                if cases[grown].mean() >= cases[inside].mean() and (best is None or
                                                                    cases[grown].mean() > cases[best[3]].mean()):
                    best = (dim, end, cut, grown)
        if best is None:
            return limits, inside
        dim, end, cut, inside = best
        limits[dim, end] = cut


def _best_peel(values: np.ndarray, cases: np.ndarray, inside: np.ndarray, alpha: float,
               min_points: int) -> tuple[int, int, float, np.ndarray] | None:
    """(input, end (0 low, 1 high), new limit, points inside) of the peel leaving the highest density."""
    best, best_density = None, -1.0
    for dim in range(values.shape[1]):
        column = values[inside, dim]
        for end, cut in ((0, np.quantile(column, alpha, method="higher")),
                         (1, np.quantile(column, 1 - alpha, method="lower"))):
            kept = inside & ((values[:, dim] >= cut) if end == 0 else (values[:, dim] <= cut))
            if kept.sum() < min_points or kept.sum() == inside.sum():
                continue
            density = cases[kept].mean()
            if density > best_density:
                best, best_density = (dim, end, float(cut), kept), density
    return best


def _restricted(limits: np.ndarray, values: np.ndarray, names: list[str]) -> dict[str, tuple[float, float]]:
    """The inputs whose limits cut into the range of `values`, with their limits."""
    low, high = values.min(axis=0), values.max(axis=0)
    return {name: (float(limits[i, 0]), float(limits[i, 1])) for i, name in enumerate(names)
            if limits[i, 0] > low[i] or limits[i, 1] < high[i]}
