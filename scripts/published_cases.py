"""Write docs/published-cases.md from tests/published/*.yaml (runs every case)."""

from pathlib import Path

from okmo_models.published import cases_page

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    page = ROOT / "docs" / "published-cases.md"
    page.write_text(cases_page(ROOT / "tests" / "published"), "utf-8")
    print(page)
