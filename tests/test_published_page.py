"""docs/published-cases.md lists every published case with its true status."""

from conftest import PUBLISHED, ROOT
from okmo_models.published import cases, cases_page


def test_the_page_is_the_cases_as_they_run_now():
    page = (ROOT / "docs" / "published-cases.md").read_text("utf-8")
    assert page == cases_page(PUBLISHED), "run: .venv/bin/python scripts/published_cases.py"


def test_enough_cases_and_every_one_cites_its_source():
    found = cases(PUBLISHED)
    assert len(found) >= 12
    for case in found:
        assert case.data["citation"].get("published"), case.id
