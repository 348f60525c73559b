"""Golden outputs (tests/golden/): `fleet trace tiny --seed 0` and every tutorial print what the
checked-in files say; on drift the failure shows the diff. Regenerate after a deliberate change with
`python3 -m tests.golden --update`. The tutorials' outputs are compared by tests/test_tutorials.py, on
the run that also checks what each tutorial shows."""
import pytest

import golden


@pytest.mark.parametrize("name", [name for name in golden.cases() if not name.startswith("tutorial-")])
def test_output_matches_the_golden_file(name):
    assert golden.expected_path(name).exists(), f"no golden file for {name}: run python3 -m tests.golden --update {name}"
    golden.assert_matches(name, golden.run(name))


def test_every_tutorial_has_a_case():
    assert {f"tutorial-{p.stem}" for p in golden.TUTORIALS} <= set(golden.cases())
    assert len(golden.TUTORIALS) == 5


def test_masks_hide_only_run_to_run_values():
    text = "results in /tmp/golden-x1/results/a.html 218 kB, ran in 0.42 s; wall_seconds: 0.0123; 3 servicers, 5 s"
    assert golden.mask(text, "/tmp/golden-x1") == \
        "results in <TMP>/results/a.html <SIZE>, ran in <SECONDS>; wall_seconds: <SECONDS>; 3 servicers, <SECONDS>"


def test_drift_is_shown_as_a_diff(tmp_path, monkeypatch):
    monkeypatch.setattr(golden, "HERE", tmp_path)
    (tmp_path / "case.txt").write_text("day 1: launch\nday 2: failure\n")
    assert golden.drift("case", "day 1: launch\nday 2: failure\n") == ""
    shown = golden.drift("case", "day 1: launch\nday 3: failure\n")
    assert "-day 2: failure" in shown and "+day 3: failure" in shown
