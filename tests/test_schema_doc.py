"""The scenario reference is generated from the schema and the checked-in copy is current."""
from pathlib import Path

from fleet import scenario as schema
from runs.look.schema_doc import reference
from tests.commands import fleet

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scenario-reference.md"


def test_checked_in_reference_is_current():
    assert DOC.read_text() == reference(), (
        "docs/scenario-reference.md is stale: regenerate it with `python -m runs schema > docs/scenario-reference.md`")


def test_every_field_of_every_section_is_documented():
    text = reference()
    for model in (schema.Scenario, schema.FleetSpec, schema.ModuleDesign, schema.Generation, schema.LaunchVehicle,
                  schema.Exponential, schema.Weibull, schema.Servicing, schema.Station, schema.Economics):
        assert f"## {model.__name__}\n" in text
        for name in model.model_fields:
            assert f"| `{name}` |" in text
    assert "| `success_probability` | number | required | >= 0, <= 1, finite |" in text
    assert "| `timeline_step_days` | number | `30.0` | >= 0.01, <= 3650, finite | days |" in text
    assert "| `unit` | [Exponential](#exponential) or [Weibull](#weibull) | required |" in text
    assert "At `failures.unit`, `failures.bus`." in text


def test_fleet_schema_prints_the_reference():
    done = fleet("schema")
    assert done.returncode == 0, done.stderr
    assert done.stdout == reference()
