"""The paper of a budget forecast: the summary for the budget hearing. Figures are the
baseline forecast's totals and Monte Carlo bands, as ``okmo budget`` prints them."""

from __future__ import annotations

from pathlib import Path

from okmo_models.formatting import format_percent, signed_number, unit_label
from okmo_models.report.budget_sections import num
from okmo_models.i18n import t
from okmo_models.papers.common import Hearing, PapersOfAKind, Variant, bar_chart, headers
from okmo_models.papers.paper import Heading, Para, Paper, Table
from okmo_models.plan_links import forecast_linked_budget


class Papers(PapersOfAKind):
    report_key = "pp_doc_budget_report"  # what the kind's PDF report is in the package

    def __init__(self, path: Path, lang: str):
        super().__init__(path, lang)
        self.result = forecast_linked_budget(path)
        s = self.result.scenario
        self.years = list(self.result.forecast_years[: self.result.horizon])
        self.unit = unit_label(s.unit, lang)
        self.header, _ = headers(s.municipality, lang)

    def subject(self) -> str:
        return self._t("pp_budget_subject", first=self.years[0], last=self.years[-1])

    def summary(self) -> Paper:
        totals, bands = self.result.totals(), self.result.intervals()
        chance = self.result.deficit_probability()

        def plain(x):  # as the budget report prints it: a deficit with a real minus
            return num(x, self.lang)

        def signed(x):  # a balance: a surplus with its plus too
            return signed_number(x, 1, self.lang)

        def cell(total, year):
            low, high = bands.loc[(total, 5), year], bands.loc[(total, 95), year]
            value = totals.loc[total, year]
            figure = signed if total == "balance" else plain
            return f"{figure(value)} ({figure(low)} … {figure(high)})"

        rows = [(self._t(key), *(cell(total, y) for y in self.years))
                for key, total in (("pp_budget_revenue", "revenue"), ("pp_budget_expenditure", "expenditure"),
                                   ("pp_budget_balance", "balance"))]
        rows.append((self._t("pp_budget_deficit_chance"), *(format_percent(chance[y], 0, self.lang) for y in self.years)))
        summary = self.result.summary(self.lang)
        balance = t("b_balance", self.lang)  # the summary's balance row: signed like the table above
        lines = Table((self._t("pp_budget_lines"), *(str(c) for c in summary.columns[1:])),
                      tuple((str(row[0]), *((signed if row[0] == balance else plain)(v) for v in row[1:]))
                            for row in summary.itertuples(index=False)),
                      tuple(range(1, len(summary.columns))))
        history = self.result.history_totals()
        last = list(history.columns)[-1]  # the executed year the summary's table starts with
        bars = [(str(last), float(history.loc["revenue", last]))]
        bars += [(str(y), float(totals.loc["revenue", y])) for y in self.years]
        blocks = [Heading(self._t("pp_budget_summary_title", first=self.years[0], last=self.years[-1])),
                  Para(self._t("pp_budget_intro", unit=self.unit)),
                  Table((self._t("pp_budget_indicator"), *(str(y) for y in self.years)), tuple(rows),
                        tuple(range(1, len(self.years) + 1))),
                  Heading(self._t("pp_budget_lines"), 2), lines,
                  bar_chart(bars, self._t("pp_budget_chart", unit=self.unit, year=last), self.lang, decimals=1,
                            colours=["#9aa5b1"] + ["#1f5f99"] * len(self.years))]  # executed, then forecast
        return Paper(self.header, tuple(blocks), self._t("pp_page"), compact=True)

    def papers(self, hearing: Hearing, variants: list[Variant]) -> dict[str, Paper]:
        return {"pp_doc_budget_summary": self.summary()}
