"""The monthly review served by `okmo hearing monitoring.yaml` in a real browser (issue 20).

One page, served by Voilà and opened in Debian's Chromium with every request outside this
computer blocked (conftest's ``served_page`` asserts none was made), read tab by tab as the
hall sees it at 1366×768: every figure shown equals `okmo monitoring FILE --format json`'s,
in Russian and then, switched on the page, in Kyrgyz; no Latin-script word on either page;
choosing another month and the file's month again restores every figure. Screenshots of each
tab are kept in test-artifacts/monitoring_*.png to be looked at.
"""

from __future__ import annotations

import shutil

from conftest import ARTIFACTS, SCENARIOS, browser, served_page
from reader_language import foreign_words
from test_monitoring_dashboard import check_figures, command_json

from okmo_models.i18n import t
from okmo_models.monitoring.periods import period_label

SMALL = {"width": 1366, "height": 768}  # a hall laptop
LOAD_MS = 120_000  # a page on a loaded 2-core machine, its kernel starting
REDRAW_MS = 60_000

# The figures a reader sees now: data-okmo elements rendered (a hidden tab's are not).
VISIBLE = """() => Array.from(document.querySelectorAll('[data-okmo]')).filter(e => e.checkVisibility())
    .map(e => [e.getAttribute('data-okmo'), e.textContent.trim()])"""
OPEN_DETAILS = "() => document.querySelectorAll('.okmo-monitoring details').forEach(d => d.open = true)"
TAB = ".widget-tab .lm-TabBar-tab"


def read_tabs(page, lang: str, shots: str | None = None) -> dict:
    """Every tab clicked in turn: the figures shown in it (the folded month-by-month tables
    opened), its text checked for Latin-script words; a screenshot of each if ``shots``."""
    shown = {}
    tabs = page.locator(TAB)
    for k in range(tabs.count()):
        tabs.nth(k).click()
        page.wait_for_timeout(300)
        if shots:
            page.screenshot(path=str(ARTIFACTS / f"monitoring_{shots}_{k + 1}.png"))
        page.evaluate(OPEN_DETAILS)
        for name, text in page.evaluate(VISIBLE):
            assert shown.get(name, text) == text, name  # the summary is on every tab, the same
            shown[name] = text
        body = page.locator("body").inner_text()
        assert "import" not in body and "hearing_dashboard_from_environment" not in body  # no code shown
        assert foreign_words(body) == {}, (lang, k, foreign_words(body))
    tabs.nth(0).click()
    return shown


def choose(page, nth: int, label: str):
    page.locator(".okmo-monitoring select").nth(nth).select_option(label=label)


@browser
def test_served_review_is_the_commands_in_both_languages_and_offline(tmp_path, capsys):
    shutil.copytree(SCENARIOS / "teploklyuchenka", tmp_path / "teploklyuchenka")
    path = tmp_path / "teploklyuchenka" / "monitoring.yaml"
    ru, ky = command_json(path, "ru", capsys), command_json(path, "ky", capsys)
    ARTIFACTS.mkdir(exist_ok=True)
    with served_page(path, "ru") as page:
        page.set_viewport_size(SMALL)
        meeting = page.locator('[data-okmo="meeting"]')
        meeting.wait_for(timeout=LOAD_MS)
        at_rest = read_tabs(page, "ru", shots="ru")
        check_figures(at_rest, ru, "ru")
        # another month, then the file's month again: every figure as it was
        choose(page, 0, period_label("2027-05", "ru"))
        page.wait_for_function("() => document.querySelector('[data-okmo=meeting]').textContent === '08.06.2027'",
                               timeout=REDRAW_MS)
        assert read_tabs(page, "ru") != at_rest
        choose(page, 0, period_label(ru["month"], "ru"))
        page.wait_for_function("() => document.querySelector('[data-okmo=meeting]').textContent === '08.10.2027'",
                               timeout=REDRAW_MS)
        assert read_tabs(page, "ru") == at_rest
        # the hall switches to Kyrgyz: the same review, in Kyrgyz words and figures
        choose(page, 1, t("wt_language_ky", "ru"))
        page.locator(TAB).first.filter(has_text=t("mh_tab_behind", "ky")).wait_for(timeout=REDRAW_MS)
        check_figures(read_tabs(page, "ky", shots="ky"), ky, "ky")
