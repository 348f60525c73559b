"""Words a reader can read: small percentages keep their digits, labels come from the KPI registry."""
import re

import pytest

from runs import simulate
from runs.look.report import write_report
from runs.look.table import format_value


@pytest.mark.parametrize("value, text", [(0.0, "0.0%"), (0.0002, "0.020%"), (0.00049, "0.049%"),
                                         (0.001, "0.1%"), (0.873, "87.3%")])
def test_small_percentages_are_not_rounded_to_zero(value, text):
    assert format_value("mean_availability", value) == text


def test_run_report_labels_are_words_not_snake_case(tmp_path):
    page = write_report(simulate("tiny", seed=1, years=1).save(tmp_path / "run")).read_text()
    labels = re.findall(r"<(?:th|h2|figcaption)>([^<]*)</", page)
    assert len(labels) > 20
    assert [t for t in labels if re.search(r"[a-z]_[a-z]", t)] == []
