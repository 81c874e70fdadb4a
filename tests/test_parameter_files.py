"""Parameter files follow their declared layout (okmo_models/parameters/schema.py).

tests/data/malformed_parameters/ holds one deliberately malformed file per rule (as
OpenFisca's tests do): each is refused as it is read, with the rule's message key, the
field at fault, and a message in Russian, Kyrgyz and English naming the file, the field
and the value.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from okmo_models.errors import OkmoError, as_written
from okmo_models.i18n import has
from okmo_models.parameters import ParameterFileError, known_parameters, read_parameter_file

MALFORMED = Path(__file__).parent / "data" / "malformed_parameters"

# file -> (message key, field as the message names it; None: the whole file)
EXPECTED = {
    "unknown_key": ("field_unknown", "validity"),
    "value_without_effective_date": ("field_missing", "values[2].effective"),
    "unparsable_date": ("parameter_date_invalid", "values[2].effective"),
    "date_that_does_not_exist": ("parameter_date_invalid", "values[2].effective"),
    "year_instead_of_date": ("parameter_date_invalid", "values[2].effective"),
    "dates_out_of_order": ("parameter_dates_out_of_order", "values[2].effective"),
    "date_repeated": ("parameter_date_repeated", "values[2].effective"),
    "unknown_source": ("parameter_source_unknown", "values[2].source"),
    "value_without_source": ("field_missing", "values[2].source"),
    "missing_unit": ("field_missing", "unit"),
    "unknown_unit": ("parameter_unit_unknown", "unit"),
    "text_for_a_number": ("parameter_value_not_a_number", "values[2].value"),
    "yes_for_a_number": ("parameter_value_not_a_number", "values[2].value"),
    "number_out_of_range": ("parameter_value_out_of_range", "values[2].value"),
    "range_not_a_number": ("not_a_number", "valid.max"),
    "description_without_kyrgyz": ("field_missing", "description.ky"),
    "country_not_a_code": ("parameter_country_code", "country"),
    "no_values": ("list_empty", "values"),
    "no_references": ("field_missing", "references"),
    "control_character": ("control_character", "description.en"),
    "scalar_for_a_list": ("parameter_value_not_a_list", "values[1].value"),
    "range_for_a_list": ("parameter_field_not_for_unit", "valid"),
    "text_not_an_option": ("parameter_value_not_an_option", "values[1].value"),
    "text_without_options": ("parameter_options_missing", "options"),
    "not_yaml": ("file_not_yaml", None),
    "not_a_mapping": ("file_not_mapping", None),
    "empty": ("file_empty", None),
}


def test_every_malformed_file_has_its_expectation():
    assert {p.stem for p in MALFORMED.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_malformed_parameter_file_is_refused_naming_the_field(name):
    key, field = EXPECTED[name]
    path = MALFORMED / f"{name}.yaml"
    with pytest.raises(ParameterFileError) as info:
        read_parameter_file(path)
    assert isinstance(info.value, OkmoError)  # shown as a message, never a traceback
    (problem,) = info.value.problems  # one fault, one problem
    assert problem.key == key and has(key)
    if field is not None:
        assert problem.field_path() == field
    for lang in ("ru", "ky", "en"):
        text = info.value.render(lang)
        assert path.name in text, text
        assert key not in text.replace(path.name, ""), text  # words, not the message key
        if field is not None:  # a problem of a field names it and the value written there
            assert field in text
            if problem.value is not None:
                assert as_written(problem.value) in text


def test_every_shipped_parameter_file_follows_the_layout():
    folder = resources.files("okmo_models").joinpath("parameters")
    files = sorted(e for e in folder.iterdir() if e.name.endswith(".yaml"))
    assert files
    specs = {spec.name: spec for spec in map(read_parameter_file, files)}
    assert specs == known_parameters()


def test_a_value_in_force_keeps_its_type_and_written_range():
    """The model does not change what the files say: 17.25 stays a number, a range bound
    written 0 stays 0 (messages show it as written), list items stay as they are."""
    specs = known_parameters()
    assert specs["social_fund_employer_rate"].values[-1]["value"] == 17.25
    assert specs["vat_rate"].valid == {"min": 0, "max": 100}
    assert [type(b) for b in specs["vat_rate"].valid.values()] == [int, int]
    assert specs["vat_exempt_services"].values[0]["value"] == ["water", "waste"]
    assert "note" not in specs["affordability_threshold_water_epa"].values[0]
