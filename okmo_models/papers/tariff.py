"""The papers of a tariff: draft decision, public notice, hearing protocol, summary.

Every figure comes from :func:`okmo_models.tariff.proposal.proposal` (also the ``proposal``
object of ``okmo tariff --format json``) and is printed by the package's formatter; every word
is a message of ``locales/papers.yaml``.
"""

from __future__ import annotations

from pathlib import Path

from okmo_models.formatting import format_money, format_number, format_percent, unit_label
from okmo_models.i18n import t
from okmo_models.papers.common import (Hearing, PapersOfAKind, Variant, bar_chart, effective_from, headers,
                                      legal_basis, signed_percent)
from okmo_models.papers.paper import Blank, Chart, Heading, Para, Paper, Signatures, Table
from okmo_models.report.sections import proposal_rule
from okmo_models.tariff import calculate_tariff
from okmo_models.tariff.proposal import Proposal, proposal


class Papers(PapersOfAKind):
    report_key = "pp_doc_justification"  # what the kind's PDF report is in the package
    """The four papers of one tariff scenario in one language."""

    def __init__(self, path: Path, lang: str, peers=None):
        super().__init__(path, lang)
        self.peers = peers  # folders of comparable municipalities' plans: the summary places the tariff among them
        self.result = calculate_tariff(path)
        self.proposal: Proposal = proposal(self.result)
        s = self.result.scenario
        self.year = s.tariff_year
        self.service = t("service_" + s.service, lang)
        self.operator = s.operator.name.get(lang)
        self.municipality = s.municipality.name.get(lang)
        self.header, self.kenesh_header = headers(s.municipality, lang)
        self.country, self.services = s.municipality.country, (s.service,)

    def subject(self) -> str:
        return self._t("pp_tariff_title", service=self.service, year=self.year)

    # --- pieces shared by the papers --------------------------------------------------------------

    def _tariff_table(self, justified: bool = False, proposed_key: str = "pp_proposed") -> Table:
        """Category, unit, today's and the proposed tariff (and the justified one), the change;
        a dipping bath's species each on a row below its category, at its coefficient."""
        rows = []
        for p in self.proposal.tariffs:
            rows.append((p.name.get(self.lang), unit_label("som/" + p.billing_unit, self.lang),
                         self._figure(p.current_som) if p.current_som else self._t("pp_none"), self._figure(p.tariff_som),
                         *([self._figure(p.justified_som)] if justified else []), signed_percent(p.change_pct, self.lang)))
            for species, coefficient, tariff in p.species:
                name = f"— {t('species_' + species, self.lang)} (× {format_number(coefficient, 2, self.lang)})"
                rows.append((name, unit_label("som/head", self.lang), "", self._figure(tariff),
                             *([self._figure(tariff)] if justified else []), ""))
        headers = [self._t("pp_category"), self._t("pp_unit"), self._t("pp_current"), self._t(proposed_key)]
        if justified:
            headers.append(self._t("pp_justified"))
        headers.append(self._t("pp_change"))
        return Table(tuple(headers), tuple(rows), tuple(range(2, len(headers))), nowrap=(1,))

    def _discount_table(self) -> Table:
        rows = [(d.name.get(self.lang), format_number(d.households, 0, self.lang),
                 self._figure(d.discount_som_month), self._figure(d.yearly_som))
                for d in self.proposal.discounts]
        rows.append((self._t("pp_total"), format_number(sum(d.households for d in self.proposal.discounts), 0, self.lang),
                     "", self._figure(self.proposal.discounts_yearly_som)))
        return Table((self._t("pp_group"), self._t("pp_households"), self._t("pp_discount_month"),
                      self._t("pp_discount_year")), tuple(rows), (1, 2, 3), total=True)

    def _figure(self, x: float | None) -> str:
        """A sum in a table whose heading names the unit: ``1 234,50``."""
        return format_money(x, self.lang, with_unit=False)

    def _discounts_key(self) -> str:
        """Who pays the discounts: the budget, the other consumers, or both (a path's steps
        leave part of them to the budget)."""
        p = self.proposal
        if p.discounts_financing == "budget":
            return "pp_tariff_item_discounts_budget"
        whole = abs(p.discounts_carried_som - p.discounts_yearly_som) < 0.005
        return "pp_tariff_item_discounts_cross" if whole else "pp_tariff_item_discounts_cross_partly"

    def _typical(self):
        """The population category a typical household is billed in, and its bill now / proposed."""
        for p, c in zip(self.proposal.tariffs, self.result.tariffs):
            if c.household_bill_som is not None and c.kind == "population":
                units = c.household_bill_som / c.tariff_som if c.tariff_som else 0.0
                now = None if p.current_som is None else round(p.current_som * units, 2)
                return p, now, round(p.tariff_som * units, 2), round(p.justified_som * units, 2)
        return None

    # --- the papers ---------------------------------------------------------------------------------

    def decision(self) -> Paper:
        p, n = self.proposal, 0
        blocks = [Heading(self._t("pp_decision")), Para(self._t("pp_number_line", year=self.year), "center"),
                  Heading(self.subject(), 2), Para(self._t("pp_legal_basis") + ":", "left", bold=True)]
        blocks += [Para(f"{i}) {act}", "left") for i, act in
                   enumerate(legal_basis(self.year, self.country, "tariff", self.services, self.lang), 1)]
        blocks += [Para(self._t("pp_tariff_preamble", service=self.service, operator=self.operator)),
                   Para(self._t("pp_decided"), "left", bold=True)]
        n += 1
        blocks += [Para(self._t("pp_tariff_item_approve", n=n, service=self.service, operator=self.operator,
                                date=effective_from(p.effective, self.lang))), self._tariff_table()]
        if p.subsidy_som > 0.005:
            n += 1
            blocks.append(Para(self._t("pp_tariff_item_subsidy", n=n, year=self.year, operator=self.operator,
                                       amount=format_money(p.subsidy_som, self.lang))))
        if p.on_path:
            n += 1
            key = "pp_tariff_item_path" if p.reached_year else "pp_tariff_item_path_open"
            blocks.append(Para(self._t(key, n=n, reached=p.reached_year)))
        if p.discounts:
            n += 1
            blocks += [Para(self._t(self._discounts_key(), n=n, operator=self.operator,
                                    amount=format_money(p.discounts_yearly_som, self.lang),
                                    carried=format_money(p.discounts_carried_som, self.lang))),
                       self._discount_table()]
        for key in ("pp_tariff_item_annex", "pp_item_publish", "pp_item_control"):
            n += 1
            blocks.append(Para(self._t(key, n=n)))
        blocks += [Para(self._t("pp_annex_line", year=self.year), "left"),
                   Signatures(((self._t("pp_chair"), self._t("pp_name_blank")),))]
        return self._paper(blocks, draft=True)

    def notice(self, hearing: Hearing) -> Paper:
        blocks = [Heading(self._t("pp_notice_title")),
                  Para(self._t("pp_notice_intro", municipality=self.municipality, service=self.service,
                               operator=self.operator, year=self.year)),
                  Para(self._t("pp_when", when=hearing.when(self.lang)), "left", bold=True),
                  Para(self._t("pp_where", place=hearing.place or self._t("pp_place_blank")), "left", bold=True),
                  Para(self._t("pp_notice_proposed"), "left"), self._tariff_table(proposed_key="pp_proposed_notice")]
        typical = self._typical()
        if typical:
            _, now, new, _ = typical
            if now is not None:
                change = signed_percent((new / now - 1) * 100 if now else None, self.lang)
                blocks.append(Para(self._t("pp_notice_bill", now=format_money(now, self.lang), new=format_money(new, self.lang),
                                           change=change)))
            else:
                blocks.append(Para(self._t("pp_notice_bill_new", new=format_money(new, self.lang))))
        blocks += [Para(self._t("pp_notice_read", where=hearing.reading_place or self._t("pp_read_default"))),
                   Signatures(((self._t("pp_head"), self._t("pp_name_blank")),))]
        return self._paper(blocks)

    def protocol(self, hearing: Hearing, variants: list[Variant]) -> Paper:
        typical = self._typical()
        category = typical[0] if typical else self.proposal.tariffs[0]
        rows = [self._variant_row(self._t("pp_variant_base"), self.result, self.proposal, category.id)]
        for i, v in enumerate(variants, 1):
            result = calculate_tariff(v.path)
            rows.append(self._variant_row(self._t("pp_variant_saved", n=i, name=v.name), result, proposal(result),
                                          category.id))
        blocks = [Heading(self._t("pp_protocol_title")),
                  Para(self._t("pp_protocol_subject", service=self.service, operator=self.operator, year=self.year), "left"),
                  Para(self._t("pp_date_place", when=hearing.when(self.lang),
                               place=hearing.place or self._t("pp_place_blank")), "left"),
                  Blank(self._t("pp_chairing")), Blank(self._t("pp_secretary")), Blank(self._t("pp_attended")),
                  Heading(self._t("pp_variants_heading"), 2),
                  Para(self._t("pp_variants_intro", category=category.name.get(self.lang)), "left"),
                  Table((self._t("pp_variant"), self._t("pp_tariff_col"), self._t("pp_bill_col"),
                         self._t("pp_subsidy_col"), self._t("pp_recovery_col")), tuple(rows), (1, 2, 3, 4)),
                  Blank(self._t("pp_questions"), 6), Blank(self._t("pp_answers"), 4), Blank(self._t("pp_outcome"), 3),
                  Signatures(((self._t("pp_chairing"), self._t("pp_name_blank")),
                              (self._t("pp_secretary"), self._t("pp_name_blank"))))]
        return self._paper(blocks)

    def _variant_row(self, name: str, result, prop: Proposal, category: str) -> tuple[str, ...]:
        tariff = next(p for p in prop.tariffs if p.id == category)
        source = next(c for c in result.tariffs if c.id == category)
        bill = None
        if source.household_bill_som is not None and source.tariff_som:
            bill = tariff.tariff_som * source.household_bill_som / source.tariff_som
        return (name, self._figure(tariff.tariff_som),
                self._figure(bill) if bill is not None else "—",
                self._figure(prop.subsidy_som), format_percent(prop.cost_recovery, 1, self.lang))

    def summary(self) -> Paper:
        p = self.proposal
        blocks = [Heading(self._t("pp_summary_title", year=self.year)),
                  Para(self._t("pp_summary_service", service=self.service, operator=self.operator), "center"),
                  Heading(self._t("pp_summary_what"), 2), self._tariff_table(justified=True),
                  Para(proposal_rule(p, self.lang))]
        if p.income_groups:
            blocks += [Heading(self._t("pp_summary_family"), 2),
                       Table((self._t("pp_income_group"), self._t("pp_income"), self._t("pp_bill_now"),
                              self._t("pp_bill_new"), self._t("pp_share_income")),
                             tuple((g.name.get(self.lang), format_number(g.income_per_capita_som, 0, self.lang),
                                    self._figure(g.bill_now_som) if g.bill_now_som is not None else "—",
                                    self._figure(g.bill_som),
                                    format_percent(g.share_of_income, 2, self.lang)) for g in p.income_groups),
                             (1, 2, 3, 4))]
        blocks.append(Heading(self._t("pp_summary_budget"), 2))
        blocks.append(Para(self._t("pp_budget_subsidy", year=self.year, amount=format_money(p.subsidy_som, self.lang)), "left"))
        if p.discounts:
            key = {"pp_tariff_item_discounts_budget": "pp_budget_discounts",
                   "pp_tariff_item_discounts_cross": "pp_budget_discounts_cross"}.get(self._discounts_key(),
                                                                                    "pp_budget_discounts_partly")
            blocks.append(Para(self._t(key, amount=format_money(p.discounts_yearly_som, self.lang),
                                       carried=format_money(p.discounts_carried_som, self.lang)), "left"))
        blocks += [Heading(self._t("pp_summary_enterprise"), 2),
                   Para(self._t("pp_enterprise_recovery", requirement=format_money(p.requirement_som, self.lang),
                                revenue=format_money(p.revenue_som, self.lang), share=format_percent(p.cost_recovery, 1, self.lang),
                                collection=format_percent(p.collection_rate, 0, self.lang), cash=format_money(p.cash_som, self.lang)))]
        if p.on_path and p.reached_year:
            blocks.append(Para(self._t("pp_enterprise_reached", reached=p.reached_year)))
        chart = self._chart()
        if chart:
            blocks.append(chart)
        if self.peers:  # after the page the summary always is: it may go on to a second
            blocks += self._among_peers()
        return self._paper(blocks, compact=True)

    def _among_peers(self) -> list:
        """The tariff beside the median of comparable municipalities' (the comparison's own
        figures, as the justification's section "tariffs of comparable municipalities" gives
        them): its bill, tariff and unit cost, its cost recovery, and its place."""
        from okmo_models.report.compare_sections import PeerComparison, heading, rank_text, value_text

        peers = PeerComparison(self.result, self.peers)
        own = peers.own_row(self.lang)
        rows, counted = [], 0
        for f in ("household_bill_som", "tariff_per_base_unit_som", "cost_per_base_unit_som", "cost_recovery_proposed"):
            s = peers.stat(f, self.lang)
            if own is None or own[f] is None or s is None or s["n"] < 2:  # nothing to place it among
                continue
            counted = max(counted, s["n"])
            rows.append((heading(f, own["base_unit"], self.lang), value_text(f, own[f], self.lang),
                         value_text(f, s["median"], self.lang), rank_text(own["positions"].get(f, {}).get("service"), self.lang)))
        if not rows:
            return []
        return [Heading(t("cmr_peers", self.lang), 2),
                Para(t("cmr_summary_peers", self.lang, n=counted, service=own["service_label"].lower())),
                Table((t("cmr_col_figure", self.lang), t("cmr_col_ours", self.lang), t("cmr_median", self.lang),
                       t("cmr_col_place", self.lang)), tuple(rows), (1, 2, 3))]

    def _chart(self) -> Chart | None:
        """Bars of a typical family's monthly bill: now, proposed, at the justified tariff."""
        typical = self._typical()
        if typical is None:
            return None
        _, now, new, justified = typical
        bars = [(self._t("pp_bar_now"), now), (self._t("pp_bar_proposed"), new), (self._t("pp_bar_justified"), justified)]
        bars = [(name, value) for name, value in bars if value is not None]
        return bar_chart(bars, self._t("pp_chart_caption"), self.lang)

    def _paper(self, blocks, draft: bool = False, compact: bool = False) -> Paper:
        return Paper(self.kenesh_header if draft else self.header, tuple(blocks),
                     self._t("pp_page"), self._t("pp_draft") if draft else "", compact)

    def papers(self, hearing: Hearing, variants: list[Variant]) -> dict[str, Paper]:
        return {"pp_doc_decision": self.decision(), "pp_doc_notice": self.notice(hearing),
                "pp_doc_protocol": self.protocol(hearing, variants), "pp_doc_summary": self.summary()}
