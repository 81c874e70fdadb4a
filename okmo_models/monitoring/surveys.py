"""Residents' satisfaction surveys: the share satisfied with each service, its margin of error,
and whether a change between two surveys is more than noise (docs/monitoring.md).

A survey file has one row per respondent::

    respondent,settlement,sex,vulnerable,waste,dipping_bath,roads,water
    T23-001,Теплоключенка,ж,нет,4,,3,5

``sex`` is female/male (ж/м, аял/эркек, женщина/мужчина), ``vulnerable`` yes/no (да/нет,
ооба/жок, 1/0); an answer is a whole number on the survey's scale, or empty (not asked, no
answer). The file is CSV (``;``, ``,`` or tab; UTF-8 or Windows-1251, as Excel saves it) or an
.xlsx workbook (its first sheet). Every bad cell is refused with its line and column, a
duplicated respondent and a column nobody declared too: nothing is dropped silently.

The estimates (:func:`satisfaction`) are weighted by post-stratification when the survey
names ``weight_by``: each answering respondent of a cell (a sex or a settlement) counts
``population share ÷ sample share`` of that cell among those who answered the question, so
an over-represented group does not pull the share its way. Weights cost precision; the Kish
effective sample size ``(Σw)² ÷ Σw²`` is the number of unweighted answers worth as much, and
the 95 % Wilson interval and the z-test both use it. Results are numbers and ids; words come
only from :func:`estimate_text`, :func:`change_text` and :class:`SurveyReview`'s
``text_lines``/``to_dict`` (locales/monitoring_surveys.yaml).

Public API::

    SurveySpec, ReferencePoint                         # the monitoring file's surveys: / reference:
    read_survey(spec, base_dir, referrer=None, field_path=("surveys",)) -> Survey
    Survey(spec, path, respondents, input_file); Respondent(id, line, settlement, sex, vulnerable, answers)
    satisfaction(survey, question, group=None) -> Estimate     # group: all, women, men, vulnerable
    Estimate(survey, date, question, group, n, satisfied, weighting, share, n_eff, low, high, margin,
             reason, min_answers, confidence) .estimated
    compare(a, b) -> Change(question, group, survey_a, survey_b, share_a, share_b, difference_pp, z,
                            p_value, significant, alpha, reason);  verdict(change)
    review(specs, reference, base_dir, referrer=None, sources=None) -> SurveyReview
    SurveyReview(surveys, estimates, changes, reference, sources) .inputs .to_dict(lang) .text_lines(lang)
    estimate_text(e, lang, name=None, headed=True); change_text(c, lang, name=None, headed=True)
    weights(survey, question), kish(ws), wilson(share, n); MIN_ANSWERS, CONFIDENCE, ALPHA
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from okmo_models.csv_text import (
    control_character,
    read_csv_file,
)
from okmo_models.csv_text import column_letter as _column
from okmo_models.errors import Problem, ScenarioError
from okmo_models.monitoring.periods import period_label
from okmo_models.formatting import format_number, signed_number
from okmo_models.i18n import LANGUAGES, t
from okmo_models.provenance import InputFile, sha256_of
from okmo_models.scenario.schema import LocalText, Quantity, Share, SourceRef, Year
from okmo_models.strict_schema import StrictModel, invalid

# --- rules, each with its reason ----------------------------------------------------------

# A group (women, men, vulnerable residents) is estimated only from this many answers: below
# it the normal approximation behind the interval and the z-test is poor and the margin of
# error is wider than ±18 percentage points even for an unweighted sample (1.96·√(0.25/30)),
# too wide to tell anyone anything. The usual rule of thumb, and docs/monitoring.md's.
MIN_ANSWERS = 30
# The confidence of the interval and the level of the test: the usual 95 % / 5 %, as in the
# textbook examples the tests check against.
CONFIDENCE = 0.95
ALPHA = 0.05
# Population shares are typed from statistics rounded to a tenth of a percent at best.
SHARE_SUM_TOLERANCE = 0.001

FIXED_COLUMNS = ("respondent", "settlement", "sex", "vulnerable")
# The fixed columns by their code or by their heading in ru, ky or en (``sv_head_<code>``), as
# the actuals table reads its headings: a table typed in Russian says «пол», not «sex».
FIXED_HEADINGS = {
    **{code: code for code in FIXED_COLUMNS},
    **{t(f"sv_head_{code}", lang).lower().replace("ё", "е"): code for code in FIXED_COLUMNS for lang in LANGUAGES},
}
GROUPS = ("all", "women", "men", "vulnerable")
WEIGHT_BY = ("sex", "settlement")
SUFFIXES = (".csv", ".xlsx")
SURVEY_SHEETS = ("survey", "опрос", "сурамжылоо")

# The words a survey team writes for sex and vulnerability, in the three languages.
SEX_WORDS = {
    "female": "female", "male": "male",
    "ж": "female", "м": "male", "жен": "female", "муж": "male",
    "женщина": "female", "мужчина": "male", "женский": "female", "мужской": "male",
    "аял": "female", "эркек": "male",
}
YES_NO_WORDS = {"yes": True, "no": False, "да": True, "нет": False, "ооба": True, "жок": False,
                "1": True, "0": False}

_ID = r"^[A-Za-z0-9_\-]+$"
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_INTEGER = re.compile(r"^[+-]?\d+$")


# --- the monitoring file's entries ---------------------------------------------------------


def _population_share(v):
    """A population share as a fraction: ``0.51`` or ``"51 %"``; YAML's yes/no is no share."""
    if isinstance(v, bool):
        raise invalid("not_a_number", value=v)
    if isinstance(v, str):
        if "%" in v:
            try:
                q = Quantity.model_validate(v)
            except ValueError:
                raise invalid("quantity_unreadable", value=v) from None
            if q.unit.strip() != "%":  # "51 kg" is no share
                raise invalid("unit_mismatch", unit=q.unit, expected="%")
            return q.value * q.parsed_unit.factor
        try:
            return float(v.replace(",", ".").strip())
        except ValueError:
            raise invalid("not_a_number", value=v) from None
    if isinstance(v, (int, float)) and not math.isfinite(v):
        raise invalid("not_a_number", value=v)
    return v


def _no_bool(v):
    if isinstance(v, bool):  # YAML's yes is not 1
        raise invalid("not_an_integer", value=v)
    return v


PopulationShare = Annotated[float, BeforeValidator(_population_share), Field(ge=0, le=1)]
Whole = Annotated[int, BeforeValidator(_no_bool)]


class SurveySpec(StrictModel):
    """One entry of the monitoring file's ``surveys:`` list."""

    id: str = Field(min_length=1, pattern=_ID)
    date: str  # "YYYY-MM", the month the survey was taken
    file: str = Field(min_length=1)  # relative to the monitoring file
    scale: tuple[Whole, Whole] = (1, 5)
    satisfied: list[Whole] = Field(min_length=1)  # the answers counted as satisfied
    questions: dict[str, LocalText] = Field(min_length=1)  # column -> what was asked
    weight_by: Literal["sex", "settlement"] | None = None
    population: dict[str, PopulationShare] = {}  # group -> share of the population
    source: SourceRef

    @field_validator("date", mode="before")
    @classmethod
    def _month(cls, v):
        if not isinstance(v, str) or not _MONTH.match(v.strip()):
            raise invalid("sv_bad_month", value=str(v))
        return v

    @field_validator("questions")
    @classmethod
    def _columns(cls, v):
        for column in v:
            if not re.match(_ID, column) or column.lower() in FIXED_COLUMNS:
                raise invalid("sv_bad_question_column", value=column, fixed=", ".join(FIXED_COLUMNS))
        return v

    @model_validator(mode="after")
    def _consistent(self):
        lo, hi = self.scale
        if lo >= hi:
            raise invalid("sv_bad_scale", lo=lo, hi=hi)
        outside = [a for a in self.satisfied if not lo <= a <= hi]
        if outside:
            raise invalid("sv_satisfied_off_scale", value=outside[0], lo=lo, hi=hi)
        if len(set(self.satisfied)) != len(self.satisfied):
            raise invalid("sv_satisfied_twice", value=", ".join(map(str, self.satisfied)))
        if self.weight_by is None:
            if self.population:
                raise invalid("sv_population_without_weight_by")
            return self
        if not self.population:
            raise invalid("sv_weight_by_without_population", weight_by=self.weight_by)
        if self.weight_by == "sex" and set(self.population) != {"female", "male"}:
            raise invalid("sv_population_sexes", value=", ".join(self.population))
        total = sum(self.population.values())
        if abs(total - 1) > SHARE_SUM_TOLERANCE:
            raise invalid("sv_population_sum", total=format_number(total, 3, "en"),
                          tolerance=format_number(SHARE_SUM_TOLERANCE, 3, "en"))
        return self


class ReferencePoint(StrictModel):
    """A figure shown beside the municipality's: a national (or project-wide) share satisfied."""

    year: Year
    share: Share
    group: Literal["all", "women", "men", "vulnerable"] = "all"
    label: LocalText | None = None  # e.g. "nationally", "project municipalities"
    source: SourceRef

    @property
    def fraction(self) -> float:
        return self.share.value * self.share.parsed_unit.factor


# --- the survey as read -----------------------------------------------------------------------


@dataclass(frozen=True)
class Respondent:
    id: str
    line: int  # the file's line (CSV) or the sheet's row (xlsx)
    settlement: str
    sex: str  # "female" or "male"
    vulnerable: bool
    answers: dict[str, int | None]  # question column -> answer, None when not answered


@dataclass(frozen=True)
class Survey:
    spec: SurveySpec
    path: Path
    respondents: tuple[Respondent, ...]
    input_file: InputFile  # for the result's provenance (role "survey")


def read_survey(spec: SurveySpec, base_dir: str | Path, referrer: str | Path | None = None,
                field_path: tuple = ("surveys",)) -> Survey:
    """The survey file ``spec.file`` read and checked, or :class:`ScenarioError` listing every
    bad cell with its line and column.

    ``base_dir`` is the folder of the monitoring file. With ``referrer`` (the monitoring file
    itself) the name is checked as every file named inside another one is
    (:func:`okmo_models.references.resolve_reference`: inside the opened folder, .csv or .xlsx,
    a regular file); ``field_path`` is where the name stands in the referrer, for that message.
    """
    if referrer is not None:
        from okmo_models.references import resolve_reference

        path = resolve_reference(referrer, spec.file, (*field_path, "file"), SUFFIXES)
    else:
        path = Path(base_dir) / spec.file
    if path.suffix.lower() == ".xlsx":
        rows, sha256, sheet = _xlsx_rows(path)
    else:
        (rows, sha256), sheet = _csv_rows(path), None
    respondents = _respondents(spec, path, rows, sheet)
    return Survey(spec, path, tuple(respondents), InputFile("survey", path, sha256))


def _csv_rows(path: Path) -> tuple[list[list[str]], str]:
    rows, raw = read_csv_file(path)
    return rows, sha256_of(raw)


def _xlsx_rows(path: Path) -> tuple[list[list[str]], str, str]:
    """The first sheet's cells as text, as a CSV reader would give them."""
    from okmo_models.workbook_reading import open_book, read_package

    sha256 = sha256_of(read_package(path))
    book = open_book(path)
    try:  # the sheet named for the survey, else the first (a survey workbook has one table)
        named = [n for n in book.sheetnames if n.strip().lower() in SURVEY_SHEETS]
        title = (named or book.sheetnames)[0]
        grid = book.sheet(title)
        rows = []
        for values in grid.row_values():
            rows.append(["" if v is None else _cell_text(v) for v in values])
    finally:
        book.close()
    return rows, sha256, title


def _cell_text(v) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _respondents(spec: SurveySpec, path: Path, rows: list[list[str]], sheet: str | None) -> list[Respondent]:
    def where(row: int, col: int) -> tuple:
        cell = f"{_column(col)}{row}"
        return (f"{sheet}!{cell}",) if sheet else (cell,)

    def line(row: int) -> int | None:
        return None if sheet else row

    problems: list[Problem] = []
    for n, row in enumerate(rows, start=1):  # nothing echoes a control character
        for k, cell in enumerate(row):
            code = control_character(cell)
            if code:
                problems.append(Problem(path=where(n, k), key="csv_control_char", value=cell, line=line(n),
                                        context={"code": code}))
    if problems:
        raise ScenarioError(path, problems)
    if not rows or not any(c.strip() for c in rows[0]):
        raise ScenarioError(path, [Problem(key="sv_no_header", context={"fixed": ", ".join(FIXED_COLUMNS)})])

    known = [*FIXED_COLUMNS, *spec.questions]
    header = [c.strip() for c in rows[0]]
    columns: dict[str, int] = {}
    for k, name in enumerate(header):
        if not name:
            if any(k < len(r) and r[k].strip() for r in rows[1:]):  # values under no heading
                problems.append(Problem(path=where(1, k), key="sv_column_unnamed", line=line(1),
                                        context={"known": ", ".join(known)}))
            continue
        key = FIXED_HEADINGS.get(name.lower().replace("ё", "е"), name)  # a fixed column by its code or words
        if key in columns:
            problems.append(Problem(path=where(1, k), key="sv_column_twice", value=name, line=line(1)))
        elif key not in known:
            problems.append(Problem(path=where(1, k), key="sv_column_unknown", value=name, line=line(1),
                                    context={"known": ", ".join(known)}))
        else:
            columns[key] = k
    for name in known:
        if name not in columns:
            asked = name in spec.questions
            problems.append(Problem(key="sv_question_column_missing" if asked else "sv_column_missing",
                                    context={"column": name, "survey": spec.id}))
    if problems:
        raise ScenarioError(path, problems)

    lo, hi = spec.scale
    out: list[Respondent] = []
    first_line: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cells = {name: (row[k].strip() if k < len(row) else "") for name, k in columns.items()}
        extra = [k for k in range(len(row)) if k not in columns.values() and row[k].strip()]
        for k in extra:  # a value right of the header, or under an empty heading (named above)
            if k >= len(header):
                problems.append(Problem(path=where(n, k), key="sv_cell_outside_columns", value=row[k], line=line(n)))

        def bad(name: str, key: str, value=None, n=n, **context):
            problems.append(Problem(path=where(n, columns[name]), key=key, value=value, line=line(n),
                                    context={"column": name, **context}))

        rid = cells["respondent"]
        if not rid:
            bad("respondent", "sv_value_missing")
        elif rid in first_line:
            bad("respondent", "sv_respondent_twice", rid, first=first_line[rid])
        else:
            first_line[rid] = n
        settlement = cells["settlement"]
        if not settlement:
            bad("settlement", "sv_value_missing")
        elif spec.weight_by == "settlement" and settlement not in spec.population:
            bad("settlement", "sv_settlement_not_in_population", settlement, known=", ".join(spec.population))
        sex = SEX_WORDS.get(cells["sex"].lower())
        if sex is None:
            if cells["sex"]:
                bad("sex", "sv_bad_sex", cells["sex"])
            else:
                bad("sex", "sv_value_missing")
        vulnerable = YES_NO_WORDS.get(cells["vulnerable"].lower())
        if vulnerable is None:
            if cells["vulnerable"]:
                bad("vulnerable", "sv_bad_yes_no", cells["vulnerable"])
            else:
                bad("vulnerable", "sv_value_missing")
        answers: dict[str, int | None] = {}
        for question in spec.questions:
            text = cells[question]
            if not text:
                answers[question] = None
                continue
            if not _INTEGER.match(text) or not lo <= int(text) <= hi:
                bad(question, "sv_bad_answer", text, lo=lo, hi=hi)
                continue
            answers[question] = int(text)
        out.append(Respondent(rid, n, settlement, sex or "", bool(vulnerable),
                              answers))
    if problems:
        raise ScenarioError(path, problems)
    if not out:
        raise ScenarioError(path, [Problem(key="sv_no_respondents")])
    return out


# --- estimates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """The share of a group satisfied with one question's service.

    ``n`` is the answers counted (the group's respondents who answered), ``satisfied`` how many
    of them gave a satisfied answer (unweighted). When ``reason`` is set (``"too_few_answers"``:
    fewer than ``min_answers``) nothing is estimated and the figures are None."""

    survey: str
    date: str
    question: str
    group: str  # "all", "women", "men", "vulnerable"
    n: int
    satisfied: int
    weighting: str  # "unweighted", or the weight_by: "sex", "settlement"
    share: float | None = None  # 0..1, weighted when weighting is not "unweighted"
    n_eff: float | None = None  # Kish: (Σw)² / Σw²
    low: float | None = None  # the 95 % Wilson interval, computed with n_eff
    high: float | None = None
    margin: float | None = None  # half the interval's width
    reason: str | None = None
    min_answers: int = MIN_ANSWERS
    confidence: float = CONFIDENCE

    @property
    def estimated(self) -> bool:
        return self.reason is None


def _in_group(r: Respondent, group: str) -> bool:
    return (group == "all" or (group == "women" and r.sex == "female") or (group == "men" and r.sex == "male")
            or (group == "vulnerable" and r.vulnerable))


def weights(survey: Survey, question: str) -> dict[str, float]:
    """Each answering respondent's weight for ``question`` (respondent id -> weight).

    Post-stratified to ``population``: a respondent of cell g weighs P_g ÷ (n_g ÷ N), N the
    answers to the question, n_g those of cell g; all weigh 1 without ``weight_by``. The
    weights add up to N. A cell of the population with no answer cannot be weighted up from
    nothing: refused with :class:`ScenarioError` naming the cell and the question."""
    spec = survey.spec
    answering = [r for r in survey.respondents if r.answers.get(question) is not None]
    if spec.weight_by is None:
        return {r.id: 1.0 for r in answering}
    cell_of = (lambda r: r.sex) if spec.weight_by == "sex" else (lambda r: r.settlement)
    counts: dict[str, int] = {}
    for r in answering:
        counts[cell_of(r)] = counts.get(cell_of(r), 0) + 1
    empty = [g for g in spec.population if counts.get(g, 0) == 0 and spec.population[g] > 0]
    if empty:
        raise ScenarioError(survey.path, [Problem(key="sv_weight_cell_empty", context={
            "cell": g, "weight_by": spec.weight_by, "question": question, "survey": spec.id}) for g in empty])
    total = len(answering)
    return {r.id: spec.population[cell_of(r)] * total / counts[cell_of(r)] for r in answering}


def kish(ws: list[float]) -> float:
    """Kish's effective sample size (Σw)² ÷ Σw²: n for equal weights, less for unequal ones."""
    s2 = sum(w * w for w in ws)
    return sum(ws) ** 2 / s2 if s2 else 0.0


def wilson(share: float, n: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of ``share`` observed on ``n`` (effective, maybe fractional)
    answers: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) ÷ (1 + z²/n).

    Written out rather than imported: statsmodels' ``proportion_confint(method="wilson")`` gives
    the same numbers (tests/test_surveys.py checks it, and Newcombe's published table), but
    importing statsmodels costs seconds of every ``okmo monitoring`` start."""
    if n <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def satisfaction(survey: Survey, question: str, group: str | None = None) -> Estimate:
    """The share of ``group`` (None: all) satisfied with ``question`` in ``survey``."""
    group = group or "all"
    spec = survey.spec
    if question not in spec.questions:
        raise KeyError(question)
    if group not in GROUPS:
        raise ValueError(f"group {group!r} is not one of {GROUPS}")
    w = weights(survey, question)
    members = [r for r in survey.respondents if r.id in w and _in_group(r, group)]
    happy = set(spec.satisfied)
    satisfied = [r.answers[question] in happy for r in members]
    base = dict(survey=spec.id, date=spec.date, question=question, group=group, n=len(members),
                satisfied=sum(satisfied), weighting=spec.weight_by or "unweighted")
    if len(members) < MIN_ANSWERS:
        return Estimate(**base, reason="too_few_answers")
    ws = [w[r.id] for r in members]
    share = sum(wi for wi, ok in zip(ws, satisfied) if ok) / sum(ws)
    n_eff = kish(ws)
    low, high = wilson(share, n_eff)
    return Estimate(**base, share=share, n_eff=n_eff, low=low, high=high, margin=(high - low) / 2)


def survey_results(survey: Survey) -> list[Estimate]:
    """Every question of the survey, for all respondents and for each group, in the file's order."""
    return [satisfaction(survey, q, g) for q in survey.spec.questions for g in GROUPS]


# --- change between two surveys --------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """From estimate ``a`` (earlier) to ``b`` (later): the difference and the two-proportion
    z-test. ``significant`` is None (and ``reason`` set) when either side is not estimated."""

    question: str
    group: str
    survey_a: str
    survey_b: str
    share_a: float | None
    share_b: float | None
    difference_pp: float | None  # (b − a) in percentage points
    z: float | None
    p_value: float | None  # two-sided
    significant: bool | None  # p < alpha: "more than noise"
    alpha: float = ALPHA
    reason: str | None = None


def compare(a: Estimate, b: Estimate) -> Change:
    """The change from ``a`` to ``b`` and whether it is more than noise.

    The two-proportion z-test with the pooled proportion, two-sided, at the 5 % level
    (:data:`ALPHA`): z = (p_b − p_a) ÷ √(p(1−p)(1/n_a + 1/n_b)), p the pooled share. Each side
    enters with its Kish effective sample size as n, so a weighted survey is not credited with
    more precision than its weights leave it. It is statsmodels' ``proportions_ztest`` (default
    pooled variance) written out: the tests check both give the same z and p-value, and the
    textbook's; statsmodels itself is not imported because it costs seconds of every start."""
    base = dict(question=b.question, group=b.group, survey_a=a.survey, survey_b=b.survey,
                share_a=a.share, share_b=b.share)
    if not (a.estimated and b.estimated):
        return Change(**base, difference_pp=None, z=None, p_value=None, significant=None,
                      reason=a.reason or b.reason)
    difference = (b.share - a.share) * 100
    pooled = (a.share * a.n_eff + b.share * b.n_eff) / (a.n_eff + b.n_eff)
    variance = pooled * (1 - pooled) * (1 / a.n_eff + 1 / b.n_eff)
    if variance <= 0:  # everyone (or no one) satisfied both times: nothing changed
        return Change(**base, difference_pp=difference, z=0.0, p_value=1.0, significant=False)
    z = (b.share - a.share) / math.sqrt(variance)
    p = math.erfc(abs(z) / math.sqrt(2))  # two-sided: 2·(1 − Φ(|z|))
    return Change(**base, difference_pp=difference, z=z, p_value=p, significant=p < ALPHA)


# --- words, at the edge ------------------------------------------------------------------------


def _pct(x: float, lang: str) -> str:
    return format_number(x * 100, 0, lang)


def estimate_text(e: Estimate, lang: str, name: LocalText | None = None, headed: bool = True) -> str:
    """One line for the review: the question's name (``name``, else its id) and the group
    (``headed``; else the group alone), the share with its margin and interval, the answers and
    the effective sample size; or why the group is not estimated."""
    group = t(f"sv_group_{e.group}", lang)
    if not e.estimated:
        text = t("sv_estimate_not_estimated", lang, n=e.n, min=e.min_answers)
    else:
        text = t("sv_estimate", lang, share=_pct(e.share, lang), margin=format_number(e.margin * 100, 1, lang),
                 low=_pct(e.low, lang), high=_pct(e.high, lang), n=e.n, n_eff=format_number(e.n_eff, 0, lang),
                 weighting=t(f"sv_weighting_{e.weighting}", lang))
    if not headed:
        return f"{group}: {text}"
    return t("sv_line", lang, question=name.get(lang) if name is not None else e.question, group=group, text=text)


def change_text(c: Change, lang: str, name: LocalText | None = None, headed: bool = True) -> str:
    """The change in words: "more than noise" or "within the noise", with the p-value; headed by
    the question and the group unless ``headed`` is False."""
    if c.significant is None:
        text = t("sv_change_not_tested", lang, min=MIN_ANSWERS)
    else:
        key = "sv_change_more_than_noise" if c.significant else "sv_change_within_noise"
        text = t(key, lang, a=_pct(c.share_a, lang), b=_pct(c.share_b, lang),
                 diff=signed_number(c.difference_pp, 1, lang), p=format_number(c.p_value, 3, lang),
                 alpha=_pct(c.alpha, lang))
    if not headed:
        return text
    return t("sv_line", lang, question=name.get(lang) if name is not None else c.question,
             group=t(f"sv_group_{c.group}", lang), text=text)


# --- the surveys of a monitoring file, for the review --------------------------------------------


@dataclass(frozen=True)
class SurveyReview:
    """Every survey's estimates (each question × all, women, men, vulnerable), the change
    between each survey and the one before it (by date) for every question asked in both,
    and the reference figures shown beside them. Numbers and ids; words in :meth:`text_lines`
    and :meth:`to_dict`."""

    surveys: tuple[Survey, ...]  # by date
    estimates: tuple[Estimate, ...]
    changes: tuple[Change, ...]
    reference: tuple[ReferencePoint, ...]
    sources: dict = None  # the monitoring file's sources (key -> LocalText), to cite in words

    @property
    def inputs(self) -> tuple[InputFile, ...]:
        return tuple(s.input_file for s in self.surveys)

    def name(self, question: str, lang: str) -> str:
        """The question as the latest survey asking it words it, in ``lang``."""
        for s in reversed(self.surveys):
            if question in s.spec.questions:
                return s.spec.questions[question].get(lang)
        return question

    def questions(self) -> list[str]:
        """Every question asked, in the order the surveys first ask them."""
        return list(dict.fromkeys(q for s in self.surveys for q in s.spec.questions))

    def estimate(self, survey: str, question: str, group: str = "all") -> Estimate | None:
        return next((e for e in self.estimates if (e.survey, e.question, e.group) == (survey, question, group)), None)

    def to_dict(self, lang: str) -> dict:
        def number(x, digits=4):
            return None if x is None else round(x, digits)

        return {
            "rules": {"min_answers": MIN_ANSWERS, "confidence": CONFIDENCE, "alpha": ALPHA,
                      "interval": "wilson", "effective_sample_size": "kish",
                      "test": "two_proportion_z_pooled", "weighting": "post_stratification"},
            "surveys": [{"id": s.spec.id, "date": s.spec.date, "respondents": len(s.respondents),
                         "weight_by": s.spec.weight_by, "population": dict(s.spec.population),
                         "source": self._source(s.spec.source, lang)} for s in self.surveys],
            "questions": [{"id": q, "name": self.name(q, lang)} for q in self.questions()],
            "estimates": [{"survey": e.survey, "date": e.date, "question": e.question, "group": e.group,
                           "n": e.n, "satisfied": e.satisfied, "weighting": e.weighting,
                           "share": number(e.share), "n_eff": number(e.n_eff, 1), "low": number(e.low),
                           "high": number(e.high), "margin": number(e.margin), "not_estimated": e.reason,
                           "text": estimate_text(e, lang, self._local(e.question))} for e in self.estimates],
            "changes": [{"question": c.question, "group": c.group, "from": c.survey_a, "to": c.survey_b,
                         "difference_pp": number(c.difference_pp, 2), "z": number(c.z), "p_value": number(c.p_value),
                         "significant": c.significant, "verdict": verdict(c), "not_tested": c.reason,
                         "text": change_text(c, lang, self._local(c.question))} for c in self.changes],
            "reference": [{"year": r.year, "share": number(r.fraction), "group": r.group,
                           "label": self._label(r, lang), "source": self._source(r.source, lang),
                           "source_text": self._source(r.source, lang)} for r in self.reference],
        }

    def _local(self, question: str) -> LocalText | None:
        for s in reversed(self.surveys):
            if question in s.spec.questions:
                return s.spec.questions[question]
        return None

    def text_lines(self, lang: str) -> list[str]:
        """The review's lines for the terminal: by question, each survey's estimate for all
        residents and each group, then the change from the survey before; the reference last."""
        out = []
        for q in self.questions():
            out.append(f"{self.name(q, lang)}:")
            for s in self.surveys:
                if q not in s.spec.questions:
                    continue
                out.append(f"  {period_label(s.spec.date, lang)}")
                out += [f"    {estimate_text(e, lang, headed=False)}" for e in self.estimates
                        if e.survey == s.spec.id and e.question == q]
            out += [f"  {t('sv_change_from', lang, a=self.when(c.survey_a, lang), b=self.when(c.survey_b, lang), group=t(f'sv_group_{c.group}', lang))} "
                    f"{change_text(c, lang, headed=False)}" for c in self.changes if c.question == q]
        for r in self.reference:
            out.append(t("sv_reference", lang, year=r.year, share=_pct(r.fraction, lang),
                         label=self._label(r, lang), source=self._source(r.source, lang)))
        return out

    def when(self, survey: str, lang: str) -> str:
        """A survey as the reader names it: by its month (the id is the file's, not the reader's)."""
        spec = next(s.spec for s in self.surveys if s.spec.id == survey)
        return period_label(spec.date, lang)

    def _label(self, r: ReferencePoint, lang: str) -> str:
        if r.label is not None:
            return r.label.get(lang)
        # reference figures are national unless labelled (docs/monitoring.md)
        return t("sv_reference_national", lang) + ("" if r.group == "all" else f", {t(f'sv_group_{r.group}', lang)}")

    def _source(self, key: str, lang: str) -> str:
        text = (self.sources or {}).get(key)
        return key if text is None else (text.get(lang) if hasattr(text, "get") else str(text))


def verdict(c: Change) -> str:
    """``more_than_noise``, ``within_noise`` or ``not_tested``: the change in one word, for tables."""
    return "not_tested" if c.significant is None else ("more_than_noise" if c.significant else "within_noise")


def review(specs, reference, base_dir: str | Path, referrer: str | Path | None = None,
           sources: dict | None = None) -> SurveyReview:
    """Read every survey of a monitoring file (``specs``, its ``surveys:``; ``reference``, its
    ``reference:``; ``sources``, its ``sources:`` to cite the reference in words) and estimate
    them; ``base_dir`` and ``referrer`` as in :func:`read_survey`."""
    read = [read_survey(spec, base_dir, referrer, ("surveys", i)) for i, spec in enumerate(specs)]
    read.sort(key=lambda s: s.spec.date)
    estimates = [e for s in read for e in survey_results(s)]
    by_key = {(e.survey, e.question, e.group): e for e in estimates}
    changes = []
    for before, after in itertools.pairwise(read):
        for q in after.spec.questions:
            if q in before.spec.questions:
                changes += [compare(by_key[before.spec.id, q, g], by_key[after.spec.id, q, g]) for g in GROUPS]
    return SurveyReview(tuple(read), tuple(estimates), tuple(changes), tuple(reference), sources)
