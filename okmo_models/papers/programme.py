"""The papers of a development programme (ПСЭР): the draft decision approving it and the
summary for deputies. Figures are the optimal portfolio's, as ``okmo programme`` prints them
(its measures and financing tables), in the file's unit."""

from __future__ import annotations

from pathlib import Path

from okmo_models.formatting import format_number, unit_label
from okmo_models.papers.common import Hearing, PapersOfAKind, Variant, bar_chart, headers, legal_basis
from okmo_models.papers.paper import Heading, Para, Paper, Signatures, Table
from okmo_models.programme.result import evaluate_programme


class Papers(PapersOfAKind):
    report_key = "pp_doc_programme_annex"  # what the kind's PDF report is in the package

    def __init__(self, path: Path, lang: str):
        super().__init__(path, lang)
        self.result = evaluate_programme(path)
        p = self.result.programme
        self.first, self.last = p.first_year, p.last_year
        self.unit = unit_label(p.unit, lang)
        self.municipality = p.municipality.name.get(lang)
        self.header, self.kenesh_header = headers(p.municipality, lang)
        self.country = p.municipality.country

    def subject(self) -> str:
        return self._t("pp_programme_title", first=self.first, last=self.last)

    def _measures(self, with_reasons: bool) -> Table:
        table = self.result.measures_table("optimal", self.lang)
        columns = list(table.columns)
        keep = [columns[0], columns[1], columns[2], columns[4]] + ([columns[5]] if with_reasons else [])
        rows = table[keep] if with_reasons else table[table[columns[4]] != "—"][keep]
        return Table(tuple(str(c) for c in keep), tuple(tuple(str(v) for v in row) for row in rows.itertuples(index=False)),
                     (1, 2, 3))

    def _financing(self) -> Table:
        table = self.result.financing_table("optimal", self.lang)
        years = [str(y) for y in table.columns[1:]]
        rows = tuple((str(row[0]), *(format_number(v, 1, self.lang) for v in row[1:]))
                     for row in table.itertuples(index=False))
        return Table(("", *years), rows, tuple(range(1, len(years) + 1)))

    def decision(self) -> Paper:
        left_out = [m.name.get(self.lang) for m in self.result.programme.measures
                    if m.id not in self.result.optimal.starts]
        blocks = [Heading(self._t("pp_decision")), Para(self._t("pp_number_line", year=self.first), "center"),
                  Heading(self.subject(), 2), Para(self._t("pp_legal_basis") + ":", "left", bold=True)]
        blocks += [Para(f"{i}) {act}", "left") for i, act in
                   enumerate(legal_basis(self.first, self.country, "programme", (), self.lang), 1)]
        blocks += [Para(self._t("pp_programme_preamble", municipality=self.municipality, first=self.first, last=self.last)),
                   Para(self._t("pp_decided"), "left", bold=True),
                   Para(self._t("pp_programme_item_approve", n=1, first=self.first, last=self.last, unit=self.unit)),
                   self._measures(with_reasons=False),
                   Para(self._t("pp_programme_item_financing", n=2, unit=self.unit)), self._financing()]
        n = 2
        if left_out:
            n += 1
            blocks.append(Para(self._t("pp_programme_item_left_out", n=n, measures="; ".join(left_out))))
        for key in ("pp_programme_item_annex", "pp_item_publish", "pp_item_control"):
            n += 1
            blocks.append(Para(self._t(key, n=n)))
        blocks += [Para(self._t("pp_programme_annex_line", first=self.first, last=self.last), "left"),
                   Signatures(((self._t("pp_chair"), self._t("pp_name_blank")),))]
        return Paper(self.kenesh_header, tuple(blocks), self._t("pp_page"),
                     self._t("pp_draft"))

    def summary(self) -> Paper:
        optimal = self.result.optimal
        flows = optimal.by_source()
        cost = sum(float(v.sum()) for v in flows.values())
        local = float(flows["local_budget"].sum())
        per_year = sum(flows.values())
        chart = bar_chart([(str(y), float(v)) for y, v in zip(self.result.space.years, per_year)],
                          self._t("pp_programme_chart", unit=self.unit), self.lang)
        blocks = [Heading(self._t("pp_programme_summary_title", first=self.first, last=self.last)),
                  Para(self._t("pp_programme_summary_total", included=len(optimal.starts),
                               total=len(self.result.programme.measures),
                               cost=f"{format_number(cost, 1, self.lang)}\u00a0{self.unit}",
                               local=f"{format_number(local, 1, self.lang)}\u00a0{self.unit}")),
                  Heading(self._t("pp_programme_measures"), 2), self._measures(with_reasons=True),
                  Heading(self._t("pp_programme_financing", unit=self.unit), 2), self._financing(), chart]
        return Paper(self.header, tuple(blocks), self._t("pp_page"), compact=True)

    def papers(self, hearing: Hearing, variants: list[Variant]) -> dict[str, Paper]:
        return {"pp_doc_decision": self.decision(), "pp_doc_summary": self.summary()}
