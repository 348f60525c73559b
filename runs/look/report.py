"""`report.html`: one self-contained page (plots embedded as PNG data, no network) for a results folder.

Three kinds of folder are recognised by their files:

- a run, as written by `Result.save`: events.parquet, timeline.parquet, summary.json,
  scenario.yaml, manifest.json;
- a comparison or a sweep as written by `fleet compare` and `fleet sweep` (runs/studies/store.py):
  manifest.json and units/*.parquet, read with `runs.load_results`; the manifest gives the
  baseline, the axes, the objective (the first of its objectives) and the base scenario's key inputs;
  the page gives the verdict on the objective (paired differences, p-values, Holm-corrected p-values),
  and for a sweep draws each variant apart and the differences per variant on one colour scale;
- a study table: summary.parquet with one row per (variant, policy, replication) and columns
  `policy`, `replication`, any axis columns and KPI columns, with an optional manifest.json holding
  `baseline` (the policy differences are taken against; default the first policy in the table),
  `axes` (the axis columns; default every column whose name contains a dot, such as
  `servicing.servicers`), `objective` (the KPI drawn over two axes; default
  cost_per_pflops_day_usd) and `level` (a contour of the objective, e.g. 0: the parity frontier),
  and an optional scenario.yaml.

A report reads data only (Parquet, JSON, YAML through the safe loader): a policy that a manifest or
scenario names is shown by name and never imported, so a folder from someone else runs no code.
"""
from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
from matplotlib.figure import Figure

from fleet.errors import InputError, ScenarioError
from fleet.kpis import HEADLINE, not_outcomes
from fleet.scenario import Scenario, modules_for_target, parse_scenario
from fleet.yamlio import load_yaml_file
import runs.look.orbit_plots as orbit_plots
import runs.look.plots as plots
from runs.folders import check_out, read_json, write_page
from runs.pages import page as _page
from runs.look.comparison import format_p
from runs.studies.stats import KPI_DIRECTIONS
from runs.studies.stats import compare as compare_stats
from runs.studies.store import load_results
from runs.look.table import KPI_FORMATS, format_value, small_percent

RUN_FILES = ("events.parquet", "timeline.parquet", "summary.json")
STUDY_FILE = "summary.parquet"
STORE_FILES = ("manifest.json", "units")
MAIN_KPIS = HEADLINE
NOT_KPIS = ("key", "policy", "policy_name", "replication", "seed", "scenario", "variant", *not_outcomes())
DPI = 100
SHOWN_VARIANTS = 12     # variants drawn one by one in a sweep report



def write_report(result_dir: str | os.PathLike, into: str | os.PathLike | None = None) -> Path:
    """Write `report.html` about a run or study folder (see module doc) into the folder `into` (default:
    the results folder itself, created if new) and return its path.

    Raises InputError if the folder holds neither kind of results.
    """
    folder = Path(result_dir)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    if all((folder / f).exists() for f in RUN_FILES):
        page = run_html(folder)
    elif all((folder / f).exists() for f in STORE_FILES) or (folder / STUDY_FILE).exists():
        page = study_html(folder)
    else:
        raise InputError(f"{folder}: not a results folder (expected {', '.join(RUN_FILES)} of a run, "
                         f"{' and '.join(STORE_FILES)} of a comparison or sweep, or {STUDY_FILE})")
    return write_page(check_out(into) if into is not None else folder, page)


# ----- a run -----------------------------------------------------------------------------------
def run_html(folder: Path) -> str:
    """The report page of a run folder."""
    events = _parquet(folder / "events.parquet")
    timeline = _parquet(folder / "timeline.parquet")
    summary = read_json(folder / "summary.json")
    manifest = _json(folder / "manifest.json")
    scenario = _scenario(folder)
    servicers = scenario.servicing.servicers if scenario else None
    title = scenario.name if scenario else folder.name
    sub = f"policy {manifest.get('policy', '?')}, seed {manifest.get('seed', '?')}"
    if scenario:
        sub = f"{scenario.horizon_years:g} years from {scenario.start_year}, " + sub
    body = [f"<h1>{_e(title)}</h1>", f"<p class='sub'>{_e(sub)}</p>"]
    if scenario and scenario.description:
        body.append(f"<p>{_e(scenario.description)}</p>")
    body.append("<h2>Key inputs</h2>" + _pairs(_inputs(scenario, manifest)))
    kpis = _kpi_rows(summary)
    half = (len(kpis) + 1) // 2
    body.append("<h2>Summary</h2><div class='cols'>" + _pairs(kpis[:half], numeric=True)
                + _pairs(kpis[half:], numeric=True) + "</div>")
    body.append("<h2>Plots</h2>")
    figures = plots.run_figures(timeline, events, servicers)
    figures.update(orbit_plots.orbit_figures(scenario) if scenario else {})
    for name, fig in figures.items():
        body.append(_figure_html(name, fig))
    return _page(f"{title}: run report", body)


def _inputs(scenario: Scenario | None, manifest: dict) -> list[tuple[str, str]]:
    rows = []
    if scenario:
        s = scenario
        m = s.fleet.module
        gen = s.hardware.generations[0]
        rows += [
            ("target power", f"{s.fleet.target_power_mw:g} MW: {modules_for_target(s)} modules "
                             f"in {s.fleet.clusters} cluster{'s' if s.fleet.clusters > 1 else ''}"),
            ("module", f"{m.units} units, {m.solar_array_kw:g} kW array, design life {m.design_life_years:g} years"),
            ("first hardware", f"{gen.name}: {gen.pflops_per_unit:g} PFLOPS, {gen.power_kw_per_unit:g} kW, "
                               f"${gen.price_usd_per_unit:,.0f} per unit"),
            ("unit failures", _lifetime(s.failures.unit)),
            ("bus failures", _lifetime(s.failures.bus)),
            ("launch", "; ".join(f"{v.name}: {v.payload_kg:,.0f} kg, {v.success_probability:.1%} success, "
                                 f"{v.launches_per_year:g}/year" for v in s.launch.vehicles)),
            ("servicing", f"{s.servicing.servicers} servicer{'s' if s.servicing.servicers != 1 else ''}, "
                          f"{s.servicing.trip_days:g}-day trips, "
                          f"{s.servicing.units_per_trip} units per trip, "
                          f"{s.servicing.success_probability:.0%} success"),
            ("ground", f"{len(s.ground.stations)} stations: " + ", ".join(st.name for st in s.ground.stations)),
            ("discount rate", f"{s.economics.discount_rate:.0%}"),
        ]
    if manifest:
        given = manifest.get("policy_params")
        params = ", ".join(f"{k}={v}" for k, v in given.items()) if isinstance(given, dict) else ""
        rows.append(("policy", f"{manifest.get('policy', '?')}" + (f" ({params})" if params else "")))
        rows.append(("seed", str(manifest.get("seed", "?"))))
    return rows


def _lifetime(spec) -> str:
    if spec.distribution == "exponential":
        return f"exponential, {spec.rate_per_year:.1%} per year"
    return f"Weibull, shape {spec.shape:g}, scale {spec.scale_years:g} years"


def _kpi_rows(summary: dict) -> list[tuple[str, str]]:
    known = [k for k in KPI_FORMATS if k in summary]
    rest = [k for k in summary if k not in KPI_FORMATS]
    return ([(KPI_FORMATS[k][0], format_value(k, summary[k])) for k in known]
            + [(_plain_label(k), _by_unit(k, summary[k])) for k in rest])


def _plain_label(key: str) -> str:
    for suffix in ("_usd", "_tb"):
        key = key.removesuffix(suffix)
    return key.replace("_", " ")


def _by_unit(key: str, value) -> str:
    """Format a KPI not in the table's list by the unit its name ends with."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    if key.endswith("_usd"):
        return f"${value:,.0f}"
    if key.endswith("_tb"):
        return f"{value:,.1f} TB"
    if key.endswith(("_fraction", "_utilisation")):
        return small_percent(value) if value and abs(value) < 0.0005 else f"{value:.1%}"
    return _number(value)


# ----- a comparison or sweep ---------------------------------------------------------------------
def study_html(folder: Path) -> str:
    """The report page of a comparison or sweep folder (a results store, or a summary.parquet)."""
    if all((folder / f).exists() for f in STORE_FILES):
        results = load_results(folder)
        table, manifest, source = results.summary, results.manifest, folder / "units"
        if table.empty:
            raise InputError(f"{folder}: no finished units to report (see {folder / 'failures'})")
        scenario = _store_scenario(manifest)
        objective = (_field(manifest, "objectives", list, folder) or ["cost_per_pflops_day_usd"])[0]
    else:
        table, source = _parquet(folder / STUDY_FILE), folder / STUDY_FILE
        manifest = _json(folder / "manifest.json")
        scenario = _scenario(folder)
        objective = _field(manifest, "objective", str, folder) or "cost_per_pflops_day_usd"
    missing = [c for c in ("policy", "replication") if c not in table.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}")
    axes = list(_field(manifest, "axes", list, folder) or [c for c in table.columns if "." in c])
    if not all(isinstance(a, str) and a in table.columns for a in axes):
        raise InputError(f"{folder / 'manifest.json'}: axes: not all are columns of {source.name}")
    kpis = [c for c in table.columns if c not in NOT_KPIS and c not in axes
            and pd.api.types.is_numeric_dtype(table[c])]
    if not kpis:
        raise InputError(f"{source}: no numeric KPI columns")
    main = [k for k in MAIN_KPIS if k in kpis] or kpis[:4]
    policies = list(table["policy"].unique())
    baseline = _field(manifest, "baseline", str, folder) or policies[0]
    objective = objective if objective in kpis else main[0]
    kind = "sweep" if axes else "comparison"
    title = scenario.name if scenario else manifest.get("name", folder.name)
    sub = (f"{kind}: {len(policies)} polic{'ies' if len(policies) > 1 else 'y'}, "
           f"{table['replication'].nunique()} replications" + (f", axes {', '.join(axes)}" if axes else ""))
    body = [f"<h1>{_e(title)}</h1>", f"<p class='sub'>{_e(sub)}</p>"]
    inputs = _inputs(scenario, {}) + [("policies", ", ".join(map(str, policies))),
                                      ("baseline", str(baseline))]
    inputs += [(a, ", ".join(_number(v) for v in sorted(table[a].unique()))) for a in axes]
    body.append("<h2>Key inputs</h2>" + _pairs(inputs))
    body.append("<h2>Summary (mean ± 95% confidence half-width)</h2>" + _means_table(table, ["policy"] + axes, main))
    if len(policies) > 1:
        body.append(_verdict_html(table, objective, baseline, axes))
    body.append("<h2>Plots</h2>")
    if axes:
        body += _variant_figures(table, main, objective, baseline, axes, len(policies) > 1)
    else:
        body.append(_figure_html("KPIs by policy", plots.kpi_distributions(table, main)))
        if len(policies) > 1:
            body.append(_figure_html(f"Paired differences from {baseline}",
                                     plots.differences(table, main, baseline, ["replication"])))
    if len(axes) >= 2:
        level = _field(manifest, "level", (int, float), folder)
        for p in policies:
            fig = plots.response(table[table["policy"] == p], axes[0], axes[1], objective, level)
            body.append(_figure_html(f"{plots.kpi_label(objective)} over {axes[0]} and {axes[1]}: {p}", fig))
    return _page(f"{title}: {kind} report", body)


def _verdict_html(table: pd.DataFrame, objective: str, baseline: str, axes: list[str], alpha: float = 0.05) -> str:
    """The verdict on the objective: per (variant and) policy, the paired difference from the baseline with
    its 95% interval, the paired t-test's p-value, the Holm-corrected p-value and the verdict."""
    groups = table.groupby(axes, sort=True) if axes else [((), table)]
    rows = []
    for values, group in groups:
        values = values if isinstance(values, tuple) else (values,)
        stats = compare_stats(group, [objective], baseline, alpha=alpha)
        for r in stats[stats["policy"] != baseline].itertuples():
            cells = [_number(v) for v in values] + [str(r.policy)]
            if r.diff != r.diff:
                cells += ["no pairs with values", "-", "-", "cannot be compared"]
            else:
                cells += [f"{_signed(r.diff)} [{_signed(r.diff_low)}, {_signed(r.diff_high)}]", format_p(r.p),
                          format_p(r.p_holm), r.verdict or "(no direction)"]
            rows.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    others = table["policy"].nunique() - 1
    head = "".join(f"<th>{_breakable(a)}</th>" for a in axes) + "".join(
        f"<th>{h}</th>" for h in ("policy", f"difference from {_e(baseline)} [95% CI]", "p", "p (Holm)", "verdict"))
    note = (f"<p>{_e(plots.kpi_label(objective))} ({_e(KPI_DIRECTIONS.get(objective, 'no direction'))}): "
            f"each policy minus "
            f"{_e(baseline)}, paired replication by replication on common random numbers; p from the paired "
            f"t-test, Holm-corrected over the {others} polic{'y' if others == 1 else 'ies'} compared with "
            f"{_e(baseline)}{' within each variant' if axes else ''}; a verdict at family-wise level "
            f"{alpha:.0%}.</p>")
    return (f"<h2>Verdict on {_e(plots.kpi_label(objective))}</h2>{note}<div class='wide'><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _variant_figures(table: pd.DataFrame, kpis: list[str], objective: str, baseline: str, axes: list[str],
                     paired: bool) -> list[str]:
    """A sweep's plots: the objective's differences from the baseline per variant on one colour scale, then each
    variant's KPIs by policy (the first SHOWN_VARIANTS variants)."""
    out = []
    if paired:
        out.append(_figure_html(f"{plots.kpi_label(objective)}: paired differences from {baseline}, per variant",
                                plots.variant_differences(table, objective, baseline, axes)))
    for i, (values, group) in enumerate(table.groupby(axes, sort=True)):
        if i == SHOWN_VARIANTS:
            out.append(f"<p>{table.groupby(axes).ngroups - SHOWN_VARIANTS} more variants not drawn.</p>")
            break
        values = values if isinstance(values, tuple) else (values,)
        title = plots.variant_title(dict(zip(axes, values)))
        out.append(_figure_html(f"KPIs by policy: {title}", plots.kpi_distributions(group, kpis)))
    return out


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + _number(float(x))




def _means_table(table: pd.DataFrame, keys: list[str], kpis: list[str]) -> str:
    head = "".join(f"<th>{_breakable(k)}</th>" for k in keys) + "<th>n</th>" + "".join(
        f"<th>{_e(plots.kpi_label(k))}</th>" for k in kpis)
    rows = []
    for key, group in table.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        cells = "".join(f"<td class='key'>{_e(_number(v))}</td>" for v in key) + f"<td class='num'>{len(group)}</td>"
        for k in kpis:
            v = group[k].to_numpy(dtype=float)
            hw = plots.t_half_width(v)
            mean = _e(_short(k, float(v.mean())))
            spread = "" if hw != hw else "<br>± " + _e(_short(k, hw).split(" ")[0])
            cells += f"<td class='num'>{mean}{spread}</td>"
        rows.append(f"<tr>{cells}</tr>")
    return f"<div class='wide'><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


# ----- HTML pieces -------------------------------------------------------------------------------
def _pairs(rows: list[tuple[str, str]], numeric: bool = False) -> str:
    cls = " class='num'" if numeric else ""
    return "<table class='pairs'>" + "".join(f"<tr><th>{_e(k)}</th><td{cls}>{_e(v)}</td></tr>" for k, v in rows) + "</table>"


def _figure_html(caption: str, fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f"<figure><img alt='{_e(caption)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _breakable(name: str) -> str:
    """An axis name that may wrap after its dots and underscores."""
    return _e(name).replace(".", ".<wbr>").replace("_", "_<wbr>")


def _short(key: str, value: float) -> str:
    """A KPI value in a narrow cell: millions and billions of USD abbreviated."""
    if key.endswith("_usd") and abs(value) >= 1e6:
        return f"${value / 1e9:,.2f}B" if abs(value) >= 1e9 else f"${value / 1e6:,.2f}M"
    return format_value(key, value)


def _number(v) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"
    return str(v)


def _field(manifest: dict, name: str, kind: type | tuple[type, ...], folder: Path):
    """`manifest[name]` if it is absent, null or of `kind`; InputError (a corrupt manifest) if not."""
    value = manifest.get(name)
    if (value is not None and not isinstance(value, kind)) or isinstance(value, bool):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        raise InputError(f"{folder / 'manifest.json'}: {name}: {' or '.join(k.__name__ for k in kinds)} expected, "
                         f"found {type(value).__name__}; the manifest is corrupt")
    return value


def _parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__}); the file is corrupt") from None


def _json(path: Path) -> dict:
    return read_json(path) if path.exists() else {}


def _store_scenario(manifest: dict) -> Scenario | None:
    """The base scenario a results store recorded (as data: its policy is named, never imported)."""
    data = manifest.get("base_scenario")
    try:
        return parse_scenario(data, "manifest.json: base_scenario") if isinstance(data, dict) else None
    except ScenarioError:
        return None


def _scenario(folder: Path) -> Scenario | None:
    """The run's scenario.yaml as data (its policy is named, never imported), or None."""
    path = folder / "scenario.yaml"
    if not path.exists():
        return None
    try:
        return parse_scenario(load_yaml_file(path), str(path))
    except ScenarioError:
        return None
