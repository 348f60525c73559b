"""bench/mutation.py's own logic (the Cosmic Ray run itself is not part of the suite)."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("mutation", ROOT / "bench" / "mutation.py")
mutation = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutation)


def item(path: str, start: tuple[int, int], end: tuple[int, int], operator: str = "op"):
    return SimpleNamespace(mutations=[SimpleNamespace(module_path=Path(path), start_pos=start, end_pos=end,
                                                      operator_name=operator)])


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
    assert "SURVIVED fleet/a.py:2:0 op\n-a\n+b" in out and "NOT RUN policies/c.py:1:0 op" in out
