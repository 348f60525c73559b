"""report.html of `fleet robust` (regret per policy, failure boxes) and `fleet sensitivity` (Sobol
indices with their intervals): one self-contained page, plots embedded as PNG."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from runs.studies.discovery import Box
from runs.folders import check_out, write_page
from runs.look.plots import _figure, _plain
from runs.look.report import _e, _figure_html, _pairs
from runs.pages import page as _page, table as _table


def regret_figure(regrets: pd.DataFrame, objective: str, quantile: float = 0.9) -> Figure:
    """Each policy's regret in every future (dots), its `quantile` (bar) and maximum (diamond)."""
    fig, axes = _figure(height=0.6 + 0.5 * len(regrets.columns))
    ax = axes[0, 0]
    jitter = np.random.default_rng(0)
    for i, policy in enumerate(regrets.columns):
        values = regrets[policy].dropna().to_numpy()
        if values.size == 0:
            continue
        ax.scatter(values, i + jitter.uniform(-0.15, 0.15, values.size), s=12, alpha=0.5, color="tab:blue")
        ax.plot([np.quantile(values, quantile)] * 2, [i - 0.3, i + 0.3], color="tab:orange", lw=2.5,
                label=f"{quantile:.0%} quantile" if i == 0 else None)
        ax.scatter([values.max()], [i], marker="D", color="tab:red", zorder=3, label="maximum" if i == 0 else None)
    ax.set_yticks(range(len(regrets.columns)), [_plain(p) for p in regrets.columns])
    ax.set_xlabel(_plain(f"regret in {objective} (0: the best policy in that future)"))
    ax.legend(loc="best", fontsize="small")
    return fig


def boxes_figure(boxes: dict[str, list[Box]], ranges: pd.DataFrame) -> Figure:
    """Per policy (a panel), each box's restricted inputs as bars over the input's sampled range (0 to 1)."""
    names = list(ranges.columns)
    fig, axes = _figure(rows=len(boxes), height=0.8 + 0.4 * len(names))
    low, high = ranges.min(), ranges.max()
    for ax, (policy, found) in zip(axes[:, 0], boxes.items()):
        for k, box in enumerate(found):
            for j, name in enumerate(names):
                if name not in box.limits:
                    continue
                a, b = ((np.array(box.limits[name]) - low[name]) / (high[name] - low[name]))
                ax.barh(j + 0.25 * k, b - a, left=a, height=0.22, color=f"C{k}",
                        label=(f"box {k + 1}: coverage {box.coverage:.0%}, density {box.density:.0%}"
                               if j == min(names.index(n) for n in box.limits) else None))
        ax.set_yticks(range(len(names)), [_plain(n) for n in names])
        ax.set_xlim(0, 1)
        ax.set_title(_plain(f"{policy}: {_box_title(found)}"), fontsize="medium")
        if ax.get_legend_handles_labels()[1]:
            ax.legend(loc="best", fontsize="small")
    axes[-1, 0].set_xlabel("position in the sampled range (0: low, 1: high)")
    return fig


def _box_title(found: list[Box]) -> str:
    if not found:
        return "meets it in every future"
    return "fails it in every future" if not found[0].limits and found[0].density == 1 else "where it fails"


def indices_figure(first: pd.DataFrame, title: str) -> Figure:
    """First-order and total Sobol indices per input, with their intervals as error bars."""
    fig, axes = _figure(height=3.2)
    ax = axes[0, 0]
    x = np.arange(len(first))
    for offset, name, color in ((-0.18, "S1", "tab:blue"), (0.18, "ST", "tab:orange")):
        errors = [first[name] - first[f"{name}_low"], first[f"{name}_high"] - first[name]]
        ax.bar(x + offset, first[name], width=0.34, color=color, yerr=errors, capsize=4,
               label={"S1": "first order", "ST": "total"}[name])
    ax.set_xticks(x, [_plain(n) for n in first["input"]], fontsize="small")
    ax.axhline(0, color="#888", lw=0.8)
    ax.set_ylabel("Sobol index")
    ax.set_title(_plain(title), fontsize="medium")
    ax.legend(fontsize="small")
    return fig


def robust_report(study: Any, into: Path, discover: str | None) -> Path:
    """Write a runs.robust.RobustStudy's report.html into the folder `into`."""
    plan = study.plan
    body = [f"<h1>{_e(plan.experiment.name)}: robustness across futures</h1>",
            _pairs([("scenario", plan.base.name), ("horizon", f"{plan.base.horizon_years:g} years"),
                    ("futures", str(len(plan.variants))), ("replications per future", str(len(plan.seeds))),
                    ("objective", study.objective), ("constraints", "; ".join(map(str, plan.constraints)) or "none"),
                    ("uncertain inputs", "; ".join(_range(u) for u in plan.uncertainties))]),
            "<h2>Verdict</h2>", f"<pre>{_e(study.verdict())}</pre>",
            "<h2>Regret per policy</h2>", _table(study.table()),
            _figure_html("regret in each future", regret_figure(study.regrets(), study.objective))]
    if discover:
        boxes = {policy: study.boxes(discover, policy) for policy in study.policies}
        body += [f"<h2>Where each policy fails {_e(discover)}</h2>", _table(study.discover(discover)),
                 _figure_html(f"PRIM boxes: futures failing {discover}", boxes_figure(boxes, study.inputs()))]
    return _write(into, _page(f"{plan.experiment.name}: robust", body))


def sensitivity_report(study: Any, into: Path) -> Path:
    """Write a runs.sensitivity.SensitivityStudy's report.html into the folder `into`."""
    plan = study.plan
    body = [f"<h1>{_e(plan.experiment.name)}: what drives the answer</h1>",
            _pairs([("scenario", plan.base.name), ("horizon", f"{plan.base.horizon_years:g} years"),
                    ("samples", f"{len(plan.variants)} = N(2D+2) with N = {plan.design['base_samples']}, "
                                f"D = {len(plan.inputs)}"),
                    ("replications per sample", str(len(plan.seeds))),
                    ("uncertain inputs", "; ".join(_range(u) for u in plan.uncertainties))]),
            "<h2>Verdict</h2>", f"<pre>{_e(study.verdict())}</pre>", "<h2>Sobol indices (95% intervals)</h2>",
            _table(study.table())]
    for policy in study.policies:
        for kpi in study.kpis:
            first, _ = study.indices(kpi, policy)
            body.append(_figure_html(f"{kpi} under {policy}", indices_figure(first, f"{kpi} under {policy}")))
    body += ["<h2>Second-order indices</h2>", _table(study.differences())]
    return _write(into, _page(f"{plan.experiment.name}: sensitivity", body))


def _range(u) -> str:
    what = "x factor" if u.scale else ""
    return f"{u.path} {u.low:g} to {u.high:g}{what and ' ' + what}{' (log)' if u.log else ''}"


def _write(into: Path, page: str) -> Path:
    return write_page(check_out(into), page)
