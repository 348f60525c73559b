"""Plain-text reports of a comparison: per KPI, each policy's mean and the paired difference vs baseline."""
from __future__ import annotations

import math

import pandas as pd

from runs.studies.stats import BETTER, KPI_DIRECTIONS, NOT_OUTCOMES, SAME, WORSE, compare
from runs.look.table import format_value

ID_COLUMNS = ("key", "variant", "policy", "policy_name", "replication", "seed")


def kpi_columns(summary: pd.DataFrame, axes: list[str]) -> list[str]:
    """The numeric outcome columns of a summary, in their order."""
    skip = set(ID_COLUMNS) | set(axes) | set(NOT_OUTCOMES)
    return [c for c in summary.columns if c not in skip and pd.api.types.is_numeric_dtype(summary[c])
            and not pd.api.types.is_bool_dtype(summary[c])]


def num(x: float, signed: bool = False) -> str:
    """About four significant figures, with thousands separators for large values."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return format_value("", x)   # in words: "not available", "infinite"
    sign = "+" if signed and x > 0 else ""
    if abs(x) >= 1000:
        return f"{sign}{x:,.0f}"
    return f"{sign}{x:.4g}"


P_SHOWN_DOWN_TO = 1e-4   # smaller p-values are shown as "<0.0001"


def format_p(p: float) -> str:
    """A p-value with four decimals, "<0.0001" below that, "-" when there is none (NaN)."""
    if math.isnan(p):
        return "-"
    return "<0.0001" if p < P_SHOWN_DOWN_TO else f"{p:.4f}"


def kpi_table(rows: list[dict], kpi: str, baseline: str | None) -> str:
    """The table of one KPI from its `rows` of `compare`'s table (as records): policy, mean ± half-width, and
    (if a baseline) difference [CI], Holm p, verdict."""
    direction = KPI_DIRECTIONS.get(kpi)
    head = f"{kpi}" + (f" ({direction})" if direction else "")
    lines = [head]
    cells = []
    for r in rows:
        mean = _mean_cell(r)
        if baseline is None:
            diff = p = v = ""
        elif r["policy"] == baseline:
            diff, p, v = "baseline", "", ""
        else:
            diff = (f"{num(r['diff'], True)} [{num(r['diff_low'], True)}, {num(r['diff_high'], True)}]"
                    if not math.isnan(r["diff"]) else "no pairs with values")
            p, v = format_p(r["p_holm"]), r["verdict"]
        cells.append((r["policy"], mean, diff, p, v))
    header = ("policy", "mean ± 95% CI", f"vs {baseline} [95% CI]" if baseline else "", "p (Holm)" if baseline else "",
              "")
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(5)]
    for c in [header, *cells]:
        lines.append("  " + "  ".join(s.ljust(w) for s, w in zip(c, widths)).rstrip())
    return "\n".join(lines)


def _mean_cell(r: dict) -> str:
    """Mean ± half-width, saying how many runs had no value (NaN) for the KPI."""
    n, runs = r["n"], r["runs"]
    if n == 0:
        return f"NaN in all {runs} runs"
    mean = f"{num(r['mean'])} ± {num((r['ci_high'] - r['ci_low']) / 2)}" if n > 1 else num(r["mean"])
    return mean + (f" (NaN in {runs - n} of {runs} runs)" if n < runs else "")


def comparison_text(summary: pd.DataFrame, kpis: list[str], baseline: str | None, objective: str,
                    alpha: float = 0.05) -> str:
    """The table of `objective` and the verdict on it, then tables for the other KPIs that vary."""
    if baseline is None:
        baseline_used = list(dict.fromkeys(summary["policy"]))[0]
    else:
        baseline_used = baseline
    varying = [k for k in kpis if k == objective or summary[k].nunique(dropna=False) > 1]
    constant = [k for k in kpis if k not in varying]
    table = compare(summary, varying, baseline_used, alpha=alpha)
    shown_baseline = baseline_used if summary["policy"].nunique() > 1 else None
    by_kpi: dict[str, list[dict]] = {k: [] for k in varying}
    for row in table.to_dict("records"):      # one pass: filtering the table per KPI took 5 ms a KPI
        by_kpi[row["kpi"]].append(row)
    parts = [kpi_table(by_kpi[objective], objective, shown_baseline)]
    if shown_baseline is not None:
        parts.append(verdict_text(table, objective, shown_baseline, alpha))
    parts += [kpi_table(by_kpi[k], k, shown_baseline) for k in varying if k != objective]
    if constant:
        parts.append("the same in every run: " + ", ".join(
            f"{k} = {num(float(summary[k].iloc[0]))}" for k in constant))
    return "\n\n".join(parts)


def verdict_text(table: pd.DataFrame, objective: str, baseline: str, alpha: float = 0.05) -> str:
    """One sentence per policy: better, worse or not distinguishable from the baseline on `objective`."""
    rows = table[(table["kpi"] == objective) & (table["policy"] != baseline)]
    direction = KPI_DIRECTIONS.get(objective, "maximise")
    lines = [f"verdict on {objective} ({direction}), paired on common random numbers, "
             f"Holm-corrected over {len(rows)} polic{'y' if len(rows) == 1 else 'ies'} at {alpha:.0%}:"]
    for r in rows.itertuples():
        if math.isnan(r.diff):
            lines.append(f"  {r.policy} cannot be compared with {baseline}: no replication has a value (not NaN) "
                         f"for both")
            continue
        detail = (f"{num(r.diff, True)} (95% CI {num(r.diff_low, True)} to {num(r.diff_high, True)}), "
                  f"p {format_p(r.p_holm) if format_p(r.p_holm).startswith('<') else '= ' + format_p(r.p_holm)}")
        phrase = {BETTER: "BETTER than", WORSE: "WORSE than", SAME: "not distinguishable from"}.get(
            r.verdict, "not distinguishable from")
        lines.append(f"  {r.policy} is {phrase} {baseline}: {detail}")
    return "\n".join(lines)
