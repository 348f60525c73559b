"""The command line's manners: --version, `fleet scenarios`, names for experiments, --years, cheap start."""
from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from runs.commands import cli
from runs.api import EXPERIMENT_DIR, SCENARIO_DIR, experiment_path, simulate
from runs.studies.backends import BACKENDS, DEFAULT_UNIT_TIMEOUT
from runs.commands import COMMANDS, execution, scenarios
from runs.studies.experiment import load_experiment
from runs.look.trace import narrative
from tests.commands import REPO, repo_env

HEAVY = ("pandas", "scipy", "matplotlib", "dask", "distributed", "pyarrow", "simpy")


def fleet_main(capsys, *argv: str) -> tuple[int, str, str]:
    """`fleet ARGV` in this process: exit status, stdout, stderr."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:   # argparse's --help and --version exit
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_version_prints_the_package_version(capsys):
    code, out, _ = fleet_main(capsys, "--version")
    assert code == 0
    assert out.strip() == f"fleet {metadata.version('orbital-fleet')}"


def test_version_without_an_installed_package_says_unknown(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(cli.metadata, "version", missing)
    assert cli.version() == "unknown"


def test_scenarios_lists_every_shipped_file_with_its_description(capsys):
    code, out, _ = fleet_main(capsys, "scenarios")
    assert code == 0
    files = sorted(SCENARIO_DIR.glob("*.yaml")) + sorted(EXPERIMENT_DIR.glob("*.yaml"))
    assert len(files) >= 8
    lines = out.splitlines()
    for path in files:
        described = yaml.safe_load(path.read_text())["description"]
        assert described, f"{path.name} has no description"
        assert any(line.split()[:1] == [path.stem] and " ".join(described.split()) in line for line in lines), path
    assert out.index("experiments") > max(out.index(p.stem) for p in SCENARIO_DIR.glob("*.yaml"))


def test_description_falls_back_to_the_first_comment_line(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("# mine: a fleet of my own, two modules.\n# more words\nname: mine\n")
    assert scenarios.description(path) == "a fleet of my own, two modules."


def test_experiments_resolve_by_name_like_scenarios():
    assert experiment_path("servicers-sweep") == EXPERIMENT_DIR / "servicers-sweep.yaml"
    by_name, by_path = load_experiment("servicers-sweep"), load_experiment(EXPERIMENT_DIR / "servicers-sweep.yaml")
    assert by_name.sha256() == by_path.sha256()


def test_an_unknown_experiment_name_lists_the_shipped_ones(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = fleet_main(capsys, "sweep", "no-such-sweep")
    assert code == 2
    assert "no-such-sweep" in err and "no such experiment" in err and "servicers-sweep" in err
    assert not (tmp_path / "results").exists()


def test_trace_years_simulates_that_many_years_and_until_years_is_its_alias(capsys):
    expected = narrative(simulate("tiny", seed=2, years=0.4))
    for option in ("--years", "--until-years"):
        code, out, _ = fleet_main(capsys, "trace", "tiny", "--seed", "2", option, "0.4")
        assert code == 0
        assert out.rstrip("\n") == expected.rstrip("\n")


def test_trace_years_beyond_the_horizon_means_what_it_means_for_run(capsys):
    code, out, _ = fleet_main(capsys, "trace", "tiny", "--years", "6")
    assert code == 0
    assert out.rstrip("\n") == narrative(simulate("tiny", years=6)).rstrip("\n")


def test_help_texts_print_no_doubled_percent_signs(capsys):
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if a.choices and "run" in a.choices).choices
    assert set(subparsers) == {m.__name__.rsplit(".", 1)[1] for m in COMMANDS}
    for name, sub in subparsers.items():
        text = sub.format_help()
        assert "%%" not in text, name
    assert "launch_price" in subparsers["parity"].format_help()
    assert "machine-repair-1" in subparsers["validate"].format_help()


def test_execution_defaults_are_the_backends_own():
    assert execution.UNIT_TIMEOUT == DEFAULT_UNIT_TIMEOUT
    parser = cli.build_parser()
    text = next(a for a in parser._actions if a.choices and "sweep" in a.choices).choices["sweep"].format_help()
    assert "{" + ",".join(BACKENDS) + "}" in text


def test_an_unknown_backend_is_bad_input(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = fleet_main(capsys, "compare", "tiny", "--policies", "null", "--replications", "2",
                              "--years", "0.1", "--backend", "cloud", "--no-progress")
    assert code == 2 and "--backend 'cloud'" in err
    for backend in BACKENDS:
        assert backend in err


def _loaded_after(code: str) -> dict:
    """The heavy top-level packages a fresh interpreter has loaded after running `code`."""
    probe = (f"import sys\n{code}\nimport json\n"
             f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=repo_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("argv", [["--help"], ["policies"], ["run", "--help"], ["sweep", "--help"]])
def test_cheap_commands_load_no_heavy_library(argv):
    code = ("import contextlib, io\nfrom runs.commands.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try:\n        main({argv!r})\n    except SystemExit:\n        pass")
    assert _loaded_after(code) == []


def test_a_compare_runs_and_reports_without_loading_scipy_stats(tmp_path):
    """scipy.stats takes about half a second to load; a study's statistics need only Student's t."""
    probe = ("import contextlib, io, sys\nfrom runs.commands.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
             f"    code = main(['compare', 'tiny', '--policies', 'null,replenish', '--replications', '3', '--years', "
             f"'0.2', '--backend', 'serial', '--no-progress', '--out', {str(tmp_path / 'cmp')!r}])\n"
             "print(code, 'p (Holm)' in out.getvalue(), 'scipy.stats' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=repo_env(), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True", "False"]


def test_the_executable_exits_with_the_commands_status_its_objects_frozen_and_exit_handlers_run():
    """`fleet` skips the interpreter's last collection (frozen objects), not the exit handlers (coverage's)."""
    probe = ("import atexit, gc, sys\nfrom runs.commands.cli import command\n"
             "atexit.register(lambda: print('handler ran', gc.get_freeze_count() > 0, flush=True))\n"
             "command(['run', 'no-such-scenario'])")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=repo_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    assert "no-such-scenario" in done.stderr
    assert done.stdout.splitlines() == ["handler ran True"]


def test_the_installed_command_and_python_m_runs_are_the_same_entry():
    import configparser

    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    scripts = dict(line.split(" = ") for line in config["options.entry_points"]["console_scripts"].split("\n") if line)
    assert scripts == {"fleet": "runs.commands.cli:command"}
    assert "command()" in (REPO / "runs" / "__main__.py").read_text()


def test_building_the_parser_and_importing_runs_load_no_heavy_library():
    assert _loaded_after("import runs\nfrom runs.commands.cli import build_parser\nbuild_parser()") == []


def test_the_runs_package_still_exports_its_api():
    import runs

    assert {"Result", "load_results", "load_scenario", "simulate"} <= set(dir(runs))
    assert runs.simulate is simulate
    with pytest.raises(AttributeError):
        runs.no_such_name  # noqa: B018


def test_load_results_on_a_run_folder_says_what_it_is_and_how_to_read_it(tmp_path):
    import runs
    from fleet.errors import InputError

    folder = simulate("tiny", seed=1, years=0.1).save(tmp_path / "one-run")
    with pytest.raises(InputError) as caught:
        runs.load_results(folder)
    message = str(caught.value)
    assert str(folder) in message and "single run" in message
    assert "summary.json" in message and "events.parquet" in message and "fleet report" in message


def test_load_results_on_a_parity_folder_names_its_tables(tmp_path):
    from fleet.errors import InputError
    from runs.studies.store import load_results

    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "parity", "scenario": "tiny"}))
    with pytest.raises(InputError, match="parity.*frontier.csv"):
        load_results(tmp_path)


def test_missing_and_infinite_values_read_as_words():
    from runs.look.comparison import num
    from runs.look.table import format_value

    assert format_value("orbit_cheaper_from_year", float("nan"), years=30) == "never within 30 years"
    assert format_value("orbit_cheaper_from_year", None, years=1) == "never within 1 year"
    assert format_value("orbit_cheaper_from_year", None) == "never within the run"
    assert format_value("orbit_cheaper_from_year", 2041.0, years=30) == "2041"
    assert format_value("cost_per_pflops_day_usd", float("inf")) == "infinite"
    assert format_value("mean_availability", float("nan")) == "not available"
    assert num(float("nan")) == "not available" and num(None) == "not available" and num(-float("inf")) == "minus infinite"


def _no_nan_word(text: str) -> bool:
    return not any(word.strip("[](),±").lower() in ("nan", "inf", "-inf", "none") for word in text.split())


def test_run_prints_never_instead_of_nan(capsys, tmp_path, monkeypatch):
    import math

    monkeypatch.chdir(tmp_path)
    assert math.isnan(simulate("tiny", years=1).summary["orbit_cheaper_from_year"])   # so the test has a NaN
    code, out, _ = fleet_main(capsys, "run", "tiny", "--years", "1")
    assert code == 0
    assert "never within 1 year" in out
    assert _no_nan_word(out), out


def _strict(path: Path):
    """The JSON file parsed by a strict parser: NaN, Infinity and -Infinity are refused."""
    def refuse(name):
        raise ValueError(f"{path}: {name} is not JSON")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def test_every_json_file_a_run_a_compare_and_a_parity_write_is_strict_json(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    commands = {
        "run": ["run", "tiny", "--years", "1", "--out", "run"],
        "compare": ["compare", "tiny", "--policies", "null,replenish", "--replications", "2", "--years", "1",
                    "--backend", "serial", "--no-progress", "--out", "compare"],
        "parity": ["parity", "tiny", "--replications", "2", "--points", "2", "--years", "1", "--out", "parity"],
    }
    for name, argv in commands.items():
        code, out, err = fleet_main(capsys, *argv)
        assert code == 0, (name, err)
        assert _no_nan_word(out), (name, out)
    files = sorted(tmp_path.rglob("*.json"))
    assert {p.relative_to(tmp_path).parts[0] for p in files} == set(commands)
    for path in files:
        _strict(path)
    summary = _strict(tmp_path / "run" / "summary.json")
    assert "orbit_cheaper_from_year" in summary and summary["orbit_cheaper_from_year"] is None


def test_json_writer_refuses_nothing_it_can_write_as_null():
    from runs.jsonio import strict_json

    text = strict_json({"a": float("nan"), "b": [1.5, float("inf"), {"c": -float("inf")}], "d": (2, "x")})
    assert json.loads(text) == {"a": None, "b": [1.5, None, {"c": None}], "d": [2, "x"]}


def test_validate_prints_the_interval_it_judges_with_clipped_for_probabilities(capsys):
    import re

    code, out, _ = fleet_main(capsys, "validate", "--quick", "--case", "machine-repair-unlimited")
    assert code == 0
    level = re.search(r"within the ([\d.]+)% interval", out).group(1)
    assert level != "95"
    headers = [line for line in out.splitlines() if line.strip().startswith("quantity")]
    assert headers and all(f"{level}% CI" in h and "95% CI" not in h for h in headers)
    intervals = re.findall(r"^\s+P\(.*\[(\S+), (\S+)\]\s+pass$", out, flags=re.M)
    assert len(intervals) == 6
    for low, high in intervals:
        assert 0 <= float(low) <= float(high) <= 1
    assert any(float(low) == 0 for low, _ in intervals)   # the rare states' intervals reach below 0 unclipped


def test_only_probability_intervals_are_clipped():
    from runs.commands.validate import interval

    assert interval("P(2 of 5 up)", -0.01, 1.2) == (0.0, 1.0)
    assert interval("availability MTTF/(MTTF+MTTR)", 0.5, 1.01) == (0.5, 1.0)
    assert interval("wait for a servicer, days", -0.5, 3.0) == (-0.5, 3.0)


def test_readme_leads_with_its_set_up_commands_and_points_only_inside_the_repository():
    import re

    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.S)
    assert [b.split()[:2] for b in blocks[:2]] == [["pip", "install"], ["pip", "install"]]
    assert "../" not in text
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)", doc.read_text(encoding="utf-8")):
            if not re.match(r"https?://", target):
                path = (doc.parent / target).resolve()
                assert path.is_relative_to(REPO) and path.exists(), (doc.name, target)
    for name in ("docs/design.md", "docs/reference-figures.md", "fleet scenarios", "--version"):
        assert name in text
