"""bench/mutation.py's own logic (the Cosmic Ray run itself is not part of the suite)."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("mutation", ROOT / "bench" / "mutation.py")
mutation = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutation)


def item(path: str, start: tuple[int, int], end: tuple[int, int], operator: str = "op", occurrence: int = 0):
    return SimpleNamespace(mutations=[SimpleNamespace(module_path=Path(path), start_pos=start, end_pos=end,
                                                      operator_name=operator, occurrence=occurrence)])


def test_function_annotations_are_equivalent_only_under_postponed_evaluation(tmp_path):
    source = "def f(x: int | None) -> float:\n    return x | 1\n"
    (tmp_path / "lazy.py").write_text("from __future__ import annotations\n" + source)
    (tmp_path / "eager.py").write_text(source)
    # the `|` of the annotation (line 2 in lazy.py), and the `|` of the body (line 3)
    assert mutation.in_function_annotation(item("lazy.py", (2, 13), (2, 14)), tmp_path)
    assert not mutation.in_function_annotation(item("lazy.py", (3, 13), (3, 14)), tmp_path)
    assert not mutation.in_function_annotation(item("eager.py", (1, 13), (1, 14)), tmp_path)


def test_listed_equivalent_mutants_have_reasons():
    lines = [x for x in mutation.EQUIVALENT.read_text().splitlines() if x.strip() and not x.startswith("#")]
    for line in lines:
        name, _, reason = line.partition(" # ")
        assert ":" in name and " " in name.strip() and reason.strip(), line


def test_report_scores_each_package_and_lists_survivors(capsys):
    killed = SimpleNamespace(test_outcome="killed", is_killed=True, diff="")
    survived = SimpleNamespace(test_outcome="survived", is_killed=False, diff="-a\n+b")
    broken = SimpleNamespace(test_outcome="incompetent", is_killed=True, diff="")
    results = [(item("fleet/a.py", (1, 0), (1, 1)), killed), (item("fleet/a.py", (2, 0), (2, 1)), survived),
               (item("events/b.py", (3, 4), (3, 5), "swap"), killed), (item("policies/c.py", (1, 0), (1, 1)), broken)]
    mutation.report(results, 90.0)
    out = capsys.readouterr().out
    assert "fleet        1 killed of    2  score 50.0%" in out
    assert "events       1 killed of    1  score 100.0%" in out
    assert "policies     0 killed of    0  score n/a" in out
    assert "all          2 killed of    3  score 66.7%  in 1.5 min" in out
    assert "SURVIVED fleet/a.py:2:0 op #0\n-a\n+b" in out and "NOT RUN policies/c.py:1:0 op #0" in out


def test_the_mutated_module_and_lines_are_found_against_the_pristine_copy(tmp_path):
    pristine, copy = tmp_path / "pristine", tmp_path / "copy"
    for root in (pristine, copy):
        (root / "fleet").mkdir(parents=True)
        (root / "fleet" / "a.py").write_text("x = 1\ny = 2\nz = 3\n")
    assert mutation.mutated_lines(copy, pristine) is None
    (copy / "fleet" / "a.py").write_text("x = 1\ny = 3\nz = 3\n")
    assert mutation.mutated_lines(copy, pristine) == ("fleet/a.py", {2})


def test_a_mutant_runs_the_tests_of_its_statement_fastest_first_and_module_tests_at_import():
    source = "LIMIT = 3\n\n\ndef f(x):\n    if (x >\n            LIMIT):\n        return 1\n    return 0\n"
    test_map = {"lines": {"fleet/a.py": {"1": [], "4": [], "5": ["t::slow", "t::fast"], "7": ["t::fast"],
                                         "8": ["t::other"]}},
                "seconds": {"t::slow": 9.0, "t::fast": 0.1, "t::other": 1.0}}
    # line 6 is part of the `if` on line 5 (its header), recorded under line 5
    assert mutation.tests_for(test_map, "fleet/a.py", {6}, source) == ["t::fast", "t::slow"]
    assert mutation.tests_for(test_map, "fleet/a.py", {8}, source) == ["t::other"]
    # a module-level line runs only at import: every test of the module
    assert mutation.tests_for(test_map, "fleet/a.py", {1}, source) == ["t::fast", "t::other", "t::slow"]
    # a line no test runs: no test, the mutant survives
    assert mutation.tests_for(test_map, "fleet/b.py", {1}, "x = 1\n") == []


def test_a_mutant_runs_only_the_fastest_tests_that_fit_in_its_budget_but_at_least_one():
    test_map = {"lines": {"fleet/a.py": {"1": ["t::a", "t::b", "t::c"]}},
                "seconds": {"t::a": 2.0, "t::b": 3.0, "t::c": 30.0}}
    assert mutation.tests_for(test_map, "fleet/a.py", {1}, "x = 1\n", budget_s=5.0) == ["t::a", "t::b"]
    assert mutation.tests_for(test_map, "fleet/a.py", {1}, "x = 1\n", budget_s=1.0) == ["t::a"]


def test_a_module_no_test_calls_into_takes_every_test():
    test_map = {"lines": {"fleet/a.py": {"1": [], "2": []}, "fleet/b.py": {"1": ["t::b"]}},
                "seconds": {"t::a": 2.0, "t::b": 1.0}}
    assert mutation.tests_for(test_map, "fleet/a.py", {2}, "x = 1\ny = x | 2\n") == ["t::b", "t::a"]
