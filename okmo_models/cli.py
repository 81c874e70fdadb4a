"""The ``okmo`` command.

``okmo tariff SCENARIO`` prints the калькуляция and the tariffs; ``okmo check`` validates
scenario files; ``okmo schema`` prints the scenario schema; ``okmo parameters`` lists the
rates in force.  Problems in the user's files are explained in the user's language and
exit with status 2; no traceback reaches the user unless OKMO_DEBUG=1.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import sys
import traceback

from okmo_models.version import __version__
from okmo_models.errors import OkmoError, Refusal, ScenarioError
from okmo_models.i18n import LANGUAGES, default_language, has, t
from okmo_models.kinds import FORMATS, KINDS, check_file, kind_of, plan_files
from okmo_models.scenario.schema import language_note
from okmo_models.progress import progress

EXIT_USER_ERROR = 2
EXIT_INTERNAL = 70


def _language_from_argv(argv: list[str]) -> str:
    """Peek at --lang before building the parser, so that --help is in that language."""
    for i, arg in enumerate(argv):
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        elif arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        else:
            continue
        if value in LANGUAGES:
            return value
    return default_language()


# argparse's own messages (it asks gettext for them by their English text) -> our message keys
_ARGPARSE_MESSAGES = {
    "usage: ": "cli_argparse_usage",
    "positional arguments": "cli_argparse_positionals",
    "options": "cli_argparse_options",
    "show this help message and exit": "cli_argparse_help",
    "%(prog)s: error: %(message)s\n": "cli_argparse_error",
    "argument %(argument_name)s: %(message)s": "cli_argparse_argument",
    "the following arguments are required: %s": "cli_argparse_required",
    "one of the arguments %s is required": "cli_argparse_one_of_required",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli_argparse_invalid_choice",
    "invalid %(type)s value: %(value)r": "cli_argparse_invalid_value",
    "expected one argument": "cli_argparse_expected_one",
    "expected at most one argument": "cli_argparse_expected_at_most_one",
    "expected at least one argument": "cli_argparse_expected_at_least_one",
    "expected %s argument": "cli_argparse_expected_n",
    "expected %s arguments": "cli_argparse_expected_n",
    "unrecognized arguments: %s": "cli_argparse_unrecognized",
    "ambiguous option: %(option)s could match %(matches)s": "cli_argparse_ambiguous",
    "not allowed with argument %s": "cli_argparse_not_allowed_with",
    "ignored explicit argument %r": "cli_argparse_ignored_value",
}


@contextlib.contextmanager
def argparse_in(lang: str):
    """argparse's own words ("usage:", "options", its error messages) in ``lang`` while the
    block runs: argparse looks its messages up through gettext, and this is that hook."""
    def gettext(message: str) -> str:
        key = _ARGPARSE_MESSAGES.get(message)
        return t(key, lang) if key else message

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    old = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:  # argparse's own again (unittest.mock did this, at 0.3 s of every command's start)
        argparse._, argparse.ngettext = old


@contextlib.contextmanager
def _environment(**values: str):
    """``values`` in the environment while the block runs, the environment as it was after."""
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def word(code: str, lang: str) -> str:
    """The word a reader types for ``code`` (``таблица`` for ``table``), or the code itself."""
    return t(f"cli_word_{code}", lang) if has(f"cli_word_{code}") else code


def _words(code: str) -> set[str]:
    """Every way ``code`` may be typed: itself and its word in each language, "ё" as "е" too."""
    typed = {code} | {word(code, lang) for lang in LANGUAGES}
    return typed | {w.replace("ё", "е") for w in typed}


class _Choice:
    """An argument's ``choices`` typed as the code or as its word in any language
    (``--format таблица``, ``okmo template тариф``); the parsed value is always the code."""

    def __init__(self, codes, lang: str):
        self.codes, self.lang = tuple(codes), lang

    def __call__(self, text: str) -> str:
        typed = text.strip().lower()
        for code in self.codes:
            if typed in {w.lower() for w in _words(code)}:
                return code
        raise argparse.ArgumentTypeError(t("cli_choice_invalid", self.lang, value=text, choices=", ".join(
            word(code, self.lang) for code in self.codes)))


def _metavar(text: str, lang: str) -> str:
    """``FILE.xlsx`` -> ``ФАЙЛ.xlsx``: each upper-case word of a placeholder in ``lang``."""
    def one(m):
        key = "cli_metavar_" + m.group().lower()
        return t(key, lang) if has(key) else m.group()

    return re.sub(r"\b[A-Z][A-Z_]+\b", one, text)


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that shows placeholders and choices in the reader's words and
    accepts those words as input; the language is the class's (see :func:`_parser_class`),
    so that parsers made by ``add_subparsers`` elsewhere (``okmo register``) speak it too."""

    lang = "en"

    def add_argument(self, *args, **kwargs):
        if isinstance(kwargs.get("metavar"), str):
            kwargs["metavar"] = _metavar(kwargs["metavar"], self.lang)
        choices = kwargs.get("choices")
        if choices is not None and "type" not in kwargs and any(has(f"cli_word_{c}") for c in choices):
            kwargs["type"] = _Choice(kwargs.pop("choices"), self.lang)
            kwargs.setdefault("metavar", "{" + ",".join(word(c, self.lang) for c in choices) + "}")
        return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs):
        if isinstance(kwargs.get("metavar"), str):
            kwargs["metavar"] = _metavar(kwargs["metavar"], self.lang)
        kwargs.setdefault("action", _Commands)
        return super().add_subparsers(**kwargs)


class _Commands(argparse._SubParsersAction):  # argparse's subcommand action, with words added
    """Subcommands listed in the reader's words (``okmo тариф``) and accepted by their name or
    their word in any language; ``args`` always hold the name (``tariff``)."""

    def __init__(self, *args, prog, parser_class, **kwargs):
        super().__init__(*args, prog=prog, parser_class=parser_class, **kwargs)
        self.prefix, self.lang, self.names = prog, getattr(parser_class, "lang", "en"), {}

    def add_parser(self, name, **kwargs):
        shown = word(name, self.lang)
        aliases = sorted(_words(name) - {name})
        self.names.update(dict.fromkeys(aliases, name))
        kwargs.setdefault("prog", f"{self.prefix} {shown}")
        parser = super().add_parser(name, aliases=aliases, **kwargs)
        if "help" in kwargs:  # listed once, in the reader's word (argparse would add every alias)
            self._choices_actions[-1].metavar = shown
        return parser

    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, [self.names.get(values[0], values[0]), *values[1:]], option_string)


@functools.lru_cache(maxsize=None)
def _parser_class(lang: str) -> type[_Parser]:
    return type(f"Parser_{lang}", (_Parser,), {"lang": lang})


def build_parser(lang: str) -> argparse.ArgumentParser:
    """The ``okmo`` parser with its help in ``lang`` (run it inside :func:`argparse_in`
    for argparse's own words in ``lang`` too)."""
    parser_class = _parser_class(lang)
    common = parser_class(add_help=False)
    common.add_argument("--lang", choices=LANGUAGES, default=lang, help=t("cli_lang_help", lang))
    # SUPPRESS: a value given before the command is not reset by the command's own default
    common.add_argument("--data-root", metavar="DIR", default=argparse.SUPPRESS,
                        help=t("cli_data_root_text", lang))
    common.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS,
                        help=t("cli_quiet_help", lang))

    parser = parser_class(prog="okmo", description=t("cli_description", lang), parents=[common])
    parser.add_argument("--version", action="version", version=f"okmo-models {__version__}",
                        help=t("cli_version_help", lang))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _computing_command(sub, common, lang, "tariff")

    p = sub.add_parser("report", parents=[common], help=t("cli_report_help", lang),
                       description=t("cli_report_help", lang))
    p.add_argument("scenario", metavar="SCENARIO", help=t("cli_scenario_arg", lang))
    p.add_argument("--output", "-o", metavar="DIR", default="reports", help=t("cli_output_dir_help", lang))
    p.add_argument("--force", action="store_true", help=t("cli_force_help", lang))
    p.add_argument("--workers", metavar="NUMBER", type=_positive_int, default=None,
                   help=t("cli_workers_help", lang))
    p.add_argument("--overview", action="store_true", help=t("mor_cli_overview_help", lang))
    _cluster_option(p, lang)
    p.add_argument("--peers", metavar="FOLDER", nargs="+", default=None, help=t("cli_peers_help", lang))
    p.set_defaults(handler=_report)

    p = sub.add_parser("compare", parents=[common], help=t("cli_compare_help", lang),
                       description=t("cli_compare_help", lang))
    p.add_argument("paths", metavar="FOLDER", nargs="+", help=t("cli_compare_paths_arg", lang))
    p.add_argument("--format", choices=(*FORMATS, "pdf"), default="table", help=t("cli_compare_format_help", lang))
    p.add_argument("--output", "-o", metavar="FILE", help=t("cli_compare_output_help", lang))
    p.add_argument("--force", action="store_true", help=t("cli_force_help", lang))
    p.add_argument("--workers", metavar="NUMBER", type=_positive_int, default=None,
                   help=t("cli_compare_workers_help", lang))
    _cluster_option(p, lang)
    p.set_defaults(handler=_compare)

    p = sub.add_parser("package", parents=[common], help=t("cli_package_help", lang),
                       description=t("cli_package_help", lang))
    p.add_argument("scenario", metavar="SCENARIO", help=t("cli_scenario_arg", lang))
    p.add_argument("--output", "-o", metavar="DIR", default="reports", help=t("cli_package_output_help", lang))
    p.add_argument("--hearing-date", metavar="DATE", type=_date(lang), default=None,
                   help=t("cli_hearing_date_help", lang))
    p.add_argument("--hearing-time", metavar="TIME", type=_time(lang), default=None,
                   help=t("cli_hearing_time_help", lang))
    p.add_argument("--hearing-place", metavar="PLACE", default=None, help=t("cli_hearing_place_help", lang))
    p.add_argument("--reading-place", metavar="PLACE", default=None, help=t("cli_reading_place_help", lang))
    p.add_argument("--no-justification", action="store_true", help=t("cli_no_justification_help", lang))
    p.add_argument("--peers", metavar="FOLDER", nargs="+", default=None, help=t("cli_peers_help", lang))
    p.add_argument("--force", action="store_true", help=t("cli_force_help", lang))
    p.set_defaults(handler=_package)

    p = _computing_command(sub, common, lang, "budget")
    p.add_argument("--scenario", metavar="ID", dest="scenario_id", default=None,
                   help=t("cli_budget_scenario_help", lang))

    p = _computing_command(sub, common, lang, "programme", metavar="PROGRAMME")
    p.add_argument("--budget", metavar="BUDGET_SCENARIO", default=None, help=t("cli_budget_file_help", lang))
    p.add_argument("--time-limit", metavar="SECONDS", type=_positive_seconds, default=None,
                   help=t("cli_time_limit_help", lang))

    _computing_command(sub, common, lang, "passport", metavar="PASSPORT")
    _computing_command(sub, common, lang, "economic_base", metavar="ECONOMIC_BASE")
    p = _computing_command(sub, common, lang, "monitoring", metavar="MONITORING")
    p.add_argument("--month", metavar="YYYY-MM", default=None, help=t("cli_month_help", lang))

    p = sub.add_parser("measures", parents=[common], help=t("cli_measures_help", lang),
                       description=t("cli_measures_help", lang))
    p.add_argument("file", metavar="PASSPORT", help=t("cli_scenario_arg", lang))
    p.add_argument("--unit", choices=("som", "thousand_som", "million_som"), default="thousand_som",
                   help=t("cli_measures_unit_help", lang))
    p.add_argument("--output", "-o", metavar="FILE", help=t("cli_output_help", lang))
    p.add_argument("--force", action="store_true", help=t("cli_force_help", lang))
    p.set_defaults(handler=_measures)

    p = sub.add_parser("overview", parents=[common], help=t("cli_overview_help", lang),
                       description=t("cli_overview_help", lang))
    p.add_argument("folder", metavar="FOLDER", help=t("cli_folder_arg", lang))
    p.add_argument("--format", choices=("table", "json"), default="table", help=t("cli_format_help", lang))
    p.add_argument("--output", "-o", metavar="FILE", help=t("cli_output_help", lang))
    p.add_argument("--force", action="store_true", help=t("cli_force_help", lang))
    p.set_defaults(handler=_overview)

    p = sub.add_parser("hearing", parents=[common], help=t("cli_hearing_help", lang),
                       description=t("cli_hearing_help", lang))
    p.add_argument("scenario", metavar="SCENARIO", help=t("cli_scenario_arg", lang))
    p.add_argument("--port", metavar="PORT", type=_positive_int, default=None)
    p.add_argument("--no-browser", action="store_true", help=t("cli_no_browser_help", lang))
    p.set_defaults(handler=_hearing)

    p = sub.add_parser("template", parents=[common], help=t("cli_template_text", lang),
                       description=t("cli_template_text", lang))
    p.add_argument("kind", metavar="KIND", nargs="?", choices=tuple(KINDS),
                   help=t("cli_template_kind_text", lang))
    p.add_argument("--from", dest="source", metavar="SCENARIO", default=None,
                   help=t("cli_template_from_help", lang))
    p.add_argument("--output", "-o", metavar="FILE.xlsx", help=t("cli_template_output_help", lang))
    p.add_argument("--force", action="store_true", help=t("cli_force_help", lang))
    p.set_defaults(handler=_template)

    p = sub.add_parser("import", parents=[common], help=t("cli_import_help", lang),
                       description=t("cli_import_help", lang))
    p.add_argument("workbook", metavar="FILE.xlsx", help=t("cli_import_file_arg", lang))
    p.add_argument("--output", "-o", metavar="SCENARIO", help=t("cli_import_output_help", lang))
    p.add_argument("--force", action="store_true", help=t("cli_force_help", lang))
    p.set_defaults(handler=_import)

    p = sub.add_parser("check", parents=[common], help=t("cli_check_help", lang),
                       description=t("cli_check_help", lang))
    p.add_argument("scenarios", metavar="SCENARIO", nargs="+", help=t("cli_scenario_arg", lang))
    p.set_defaults(handler=_check)

    p = sub.add_parser("rebase", parents=[common], help=t("cli_rebase_help", lang),
                       description=t("cli_rebase_help", lang))
    p.add_argument("variant", metavar="VARIANT", help=t("cli_rebase_arg", lang))
    p.add_argument("--force", action="store_true", help=t("cli_rebase_force_help", lang))
    p.set_defaults(handler=_rebase)

    p = sub.add_parser("schema", parents=[common], help=t("cli_schema_help", lang),
                       description=t("cli_schema_help", lang))
    p.add_argument("kind", metavar="KIND", nargs="?", choices=tuple(KINDS), default="tariff",
                   help=t("cli_schema_kind_arg", lang))
    p.set_defaults(handler=_schema)

    p = sub.add_parser("parameters", parents=[common], help=t("cli_parameters_help", lang),
                       description=t("cli_parameters_help", lang))
    p.set_defaults(handler=_parameters)
    from okmo_models.registers.cli import add_register_parser

    add_register_parser(sub, common, lang)
    return parser


def _cluster_option(p, lang: str) -> None:
    """``--scheduler ADDRESS|local``: the files of a batch computed on a Dask cluster
    (okmo_models.executors); without it, by the process pool of this computer."""
    p.add_argument("--scheduler", metavar="ADDRESS", default=None, help=t("cli_compare_scheduler_help", lang))


def _executor(args) -> dict:
    """The executor options of a batch command: Dask when a scheduler is named, one by one
    with ``--workers 1``, else the process pool (serial for a few files)."""
    if args.scheduler:
        return {"executor": "dask", "scheduler": args.scheduler, "workers": args.workers}
    if args.workers == 1:
        return {"executor": "serial"}
    return {"executor": "auto", "workers": args.workers}


def _computing_command(sub, common, lang: str, kind: str, metavar: str = "SCENARIO"):
    """``okmo <kind> FILE [--format ...] [-o FILE] [--force]``, the same for every kind."""
    p = sub.add_parser(kind, parents=[common], help=t(f"cli_{kind}_help", lang),
                       description=t(f"cli_{kind}_help", lang))
    p.add_argument("file", metavar=metavar, help=t("cli_scenario_arg", lang))
    p.add_argument("--format", choices=FORMATS, default="table", help=t("cli_format_help", lang))
    p.add_argument("--output", "-o", metavar="FILE", help=t("cli_output_help", lang))
    p.add_argument("--force", action="store_true", help=t("cli_force_help", lang))
    p.set_defaults(handler=_compute, kind=kind)
    return p


def _compute(args) -> int:
    """``okmo tariff|budget|programme FILE``: compute the file as its kind does and export
    the result in ``--format`` (a workbook only to a file)."""
    kind, path = KINDS[args.kind], args.file
    _xlsx_needs_a_file(args, path)
    options = {"scenario": getattr(args, "scenario_id", None), "budget": getattr(args, "budget", None),
               "time_limit": getattr(args, "time_limit", None), "month": getattr(args, "month", None)}
    with progress("progress_" + kind.name, args.lang):
        result = kind.compute(path, **options)
    return _deliver(args, kind.export(result, args.format, args.lang))


def _xlsx_needs_a_file(args, source: str) -> None:
    """A workbook goes to a file, never to the terminal: refused before any computing."""
    if args.format == "xlsx" and not args.output:
        from okmo_models.excel.results import OutputFileRequired

        raise OutputFileRequired(os.path.splitext(os.path.basename(source))[0] + ".xlsx")


def _deliver(args, content: str | bytes) -> int:
    """The command's output to ``--output`` (a new file unless --force) or the terminal."""
    from okmo_models.safe_write import write_new_file

    if args.output:
        path = write_new_file(args.output, content, overwrite=args.force)
        print(t("cli_saved", args.lang, path=path), file=sys.stderr)
    else:
        sys.stdout.write(content)
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} < 1")
    return value


def _positive_seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} <= 0")
    return value


def _date(lang: str):
    """A date as a municipality writes it (20.12.2026) or in ISO form (2026-12-20)."""
    def parse(text: str):
        import datetime as dt

        for form in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text.strip(), form).date()
            except ValueError:
                pass
        raise argparse.ArgumentTypeError(t("cli_bad_date", lang, value=text))
    return parse


def _time(lang: str):
    def parse(text: str) -> str:
        m = re.fullmatch(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*", text)
        if not m:
            raise argparse.ArgumentTypeError(t("cli_bad_time", lang, value=text))
        return f"{int(m.group(1)):02d}:{m.group(2)}"
    return parse


def _package(args) -> int:
    from okmo_models.papers import Hearing, make_package

    hearing = Hearing(args.hearing_date, args.hearing_time, args.hearing_place, args.reading_place)

    def make(overwrite: bool):
        with progress("progress_package", args.lang):
            return make_package(args.scenario, args.lang, args.output, hearing, overwrite=overwrite,
                                with_justification=not args.no_justification, peers=args.peers)

    written = _overwrite_asked(make, args)
    print(t("pp_written", args.lang, folder=written[0].pdf.parent), file=sys.stderr)
    for paper in written:
        files = ", ".join(p.name for p in (paper.pdf, paper.docx) if p)
        print(f"  {paper.title}: {files}", file=sys.stderr)
    return 0


def _compare(args) -> int:
    """``okmo compare FOLDER...``: every plan file in the folders read against its peers."""
    from pathlib import Path

    from okmo_models.compare import compare

    for path in args.paths:  # a mistyped folder is said at once, not as a failed "file"
        if not Path(path).exists():
            print(t("cli_path_missing", args.lang, path=path), file=sys.stderr)
            return EXIT_USER_ERROR
    if args.format == "pdf":  # the report's notebook computes the comparison itself
        from okmo_models.compare import find_files
        from okmo_models.report.compare_sections import render_comparison

        if not find_files(args.paths):
            print(t("no_scenarios_found", args.lang, path=", ".join(args.paths)), file=sys.stderr)
            return EXIT_USER_ERROR

        def render(overwrite):
            with progress("progress_report", args.lang):
                return render_comparison(args.paths, args.lang, args.output or "reports", overwrite=overwrite)
        _said_saved(_overwrite_asked(render, args), args.lang)
        return 0
    _xlsx_needs_a_file(args, "comparison")
    with progress("progress_compare", args.lang):
        comparison = compare(args.paths, **_executor(args))
    if not comparison.found:
        print(t("no_scenarios_found", args.lang, path=", ".join(args.paths)), file=sys.stderr)
        return EXIT_USER_ERROR
    from okmo_models.compare.export import export

    _deliver(args, export(comparison, args.format, args.lang))
    # the output lists each file that could not be computed; the exit status tells a script
    return EXIT_USER_ERROR if comparison.failures else 0


def _report(args) -> int:
    from pathlib import Path

    source = Path(args.scenario)
    if args.peers and source.is_dir():  # a folder's reports are of many files: peers are a tariff's
        print(t("cli_peers_one_tariff", args.lang), file=sys.stderr)
        return EXIT_USER_ERROR
    if args.overview:
        if not source.is_dir():
            print(t("mor_cli_not_a_folder", args.lang, path=source), file=sys.stderr)
            return EXIT_USER_ERROR
        from okmo_models.references import wider_root

        with wider_root(source):  # the folder's files may name one another anywhere in it
            return _report_one(source, args)
    if source.is_dir():  # every plan file in the folder, by the process pool or a Dask cluster
        from okmo_models.batch import report_tree, summary

        outcomes = report_tree([source], args.lang, args.output, overwrite=args.force, **_executor(args))
        print(summary(outcomes, args.lang), file=sys.stderr)
        return EXIT_USER_ERROR if any(not o.ok for o in outcomes) else 0
    return _report_one(source, args)


def _report_one(source, args) -> int:
    """One PDF: a file's report (with ``--peers``, placed among comparable municipalities),
    or a folder's overview (``--overview``)."""
    def render(overwrite):
        with progress("progress_report", args.lang):
            if args.peers:
                from okmo_models.report.compare_sections import render_with_peers

                return render_with_peers(source, args.peers, args.lang, args.output, overwrite=overwrite)
            from okmo_models.report.build import render_report

            return render_report(source, args.lang, args.output, overwrite=overwrite)
    _said_saved(_overwrite_asked(render, args), args.lang)
    return 0


def _said_saved(pdf, lang: str) -> None:
    """Where the PDF went, and the executed notebook the build keeps beside it."""
    print(t("report_saved", lang, path=pdf), file=sys.stderr)
    notebook = pdf.with_suffix(".ipynb")
    if notebook.exists():
        print(t("report_saved_notebook", lang, path=notebook), file=sys.stderr)


def _hearing(args) -> int:
    from pathlib import Path

    from okmo_models.hearing.serve import serve

    def check():
        # a broken file is explained here, not in the browser: checked as ``okmo check`` does
        # (a programme is evaluated: its rules must be satisfiable against its budget); while
        # Voilà starts, which takes as long
        if os.path.isdir(args.scenario):  # a municipality folder: its overview
            from okmo_models.municipality.overview import overview

            overview(args.scenario)  # refuses a folder with no plan or two budgets
        else:
            kind = kind_of(args.scenario)
            if kind.dashboard is None:  # a passport or an economic base is shown in its folder's overview
                raise Refusal("hearing_kind_in_overview", kind=t("mu_kind_" + kind.name, args.lang),
                              folder=os.path.dirname(args.scenario) or ".")
            kind.check(args.scenario)
        print(t("hearing_started", args.lang), file=sys.stderr)

    return serve(Path(args.scenario), args.lang, args.port, open_browser=not args.no_browser, check=check)


def _template(args) -> int:
    from pathlib import Path

    from okmo_models.excel.template import scenario_data, scenario_workbook, template_workbook

    monitoring = args.kind == "monitoring" and not args.source
    if args.source and kind_of(args.source).name == "monitoring" or monitoring:
        # the monthly tables to fill in, a row per indicator of the file's plans (the bundled
        # example's without --from)
        from okmo_models.examples import example_path
        from okmo_models.excel.monitoring_template import monitoring_template

        source = Path(args.source) if args.source else example_path(KINDS["monitoring"].examples[0])
        with progress("progress_monitoring", args.lang):
            content = monitoring_template(source, args.lang)
        default = source.with_suffix(".xlsx") if args.source else Path(f"okmo_monitoring_{args.lang}.xlsx")
    elif args.source:
        kind, data = scenario_data(args.source)
        content = scenario_workbook(kind, data, args.lang, Path(args.source).name)
        default = Path(args.source).with_suffix(".xlsx")
    elif args.kind:
        content = template_workbook(args.kind, args.lang)
        default = Path(f"okmo_{args.kind}_{args.lang}.xlsx")
    else:
        print(t("xl_template_kind_missing", args.lang), file=sys.stderr)
        return EXIT_USER_ERROR
    path = _save(Path(args.output or default), content, args)
    print(t("cli_saved", args.lang, path=path), file=sys.stderr)
    return 0


def _import(args) -> int:
    from pathlib import Path

    from okmo_models.excel.workbook_import import placement_warnings, read_workbook, scenario_yaml

    source = Path(args.workbook)
    kind, data, warnings = read_workbook(source, args.lang)  # nothing is written on error
    target = Path(args.output) if args.output else source.with_suffix(".yaml")
    for key, context in warnings + placement_warnings(kind, data, target):
        print(t("xl_warning", args.lang, detail=t(key, args.lang, **context)), file=sys.stderr)
    path = _save(target, scenario_yaml(kind, data, source.name), args)
    print(t("xl_imported", args.lang, path=path, kind=word(kind, args.lang)), file=sys.stderr)
    return 0


def _save(target, content, args):
    """Write a new file; an existing one only with --force or the user's yes."""
    from okmo_models.safe_write import write_new_file

    return _overwrite_asked(lambda overwrite: write_new_file(target, content, overwrite=overwrite), args)


def _overwrite_asked(make, args):
    """``make(overwrite)`` with ``--force``; a file that exists is replaced only when the user
    says so on a terminal, and refused elsewhere (a script, CI)."""
    from okmo_models.safe_write import FileExistsRefused

    try:
        return make(args.force)
    except FileExistsRefused as exc:
        if not (sys.stdin.isatty() and _ask(t("ask_overwrite", args.lang, path=exc.path))):
            raise
        return make(True)


def _ask(question: str) -> bool:
    try:
        return input(question + " [y/N] ").strip().lower() in ("y", "yes", "д", "да", "о", "ооба")
    except EOFError:
        return False


def _measures(args) -> int:
    """``okmo measures PASSPORT``: the needs as draft programme measures (YAML to edit)."""
    from okmo_models.passport import evaluate_passport
    from okmo_models.passport.measures import measures_yaml

    return _deliver(args, measures_yaml(evaluate_passport(args.file), args.unit, args.lang))


def _overview(args) -> int:
    """``okmo overview FOLDER``: the municipality's plans together, as text or JSON."""
    from okmo_models.municipality.overview import overview, to_json, to_text

    with progress("progress_overview", args.lang):
        result = overview(args.folder)
    return _deliver(args, (to_json if args.format == "json" else to_text)(result, args.lang))


def _check_folder(folder: str, lang: str) -> int:
    """A municipality folder: each plan file, then whether the files agree with each other
    (each inconsistency in words, then the files and fields that disagree)."""
    from pathlib import Path

    from okmo_models.municipality.overview import overview

    status = _check_files([str(p) for p in plan_files(folder) if p.parent == Path(folder)], lang)
    with progress("progress_overview", lang):
        result = overview(folder)
    if not result.inconsistencies:
        print(t("cli_check_folder_ok", lang, folder=folder))
        return status
    print(t("cli_check_folder_problems", lang, folder=folder, count=len(result.inconsistencies)), file=sys.stderr)
    for found in result.inconsistencies:
        print("- " + found.render(lang), file=sys.stderr)
    return max(status, EXIT_USER_ERROR)


def _check(args) -> int:
    """Check every file (a folder: every plan file in it, and whether they agree), going on
    after one fails; 2 when a file has problems, 70 when one raised an unexpected error
    (reported with its file, as in :func:`main`)."""
    status = 0
    for path in args.scenarios:
        if os.path.isdir(path):
            try:
                status = max(status, _check_folder(path, args.lang))
            except OkmoError as exc:
                print(f"{path}: {exc.render(args.lang)}", file=sys.stderr)
                status = max(status, EXIT_USER_ERROR)
        else:
            status = max(status, _check_files([path], args.lang))
    return status


def _check_files(paths: list[str], lang: str) -> int:
    status = 0
    for path in paths:
        try:
            check_file(path)
            print(t("cli_check_ok", lang, file=path))
            note = language_note(kind_of(path).load(path).model, lang)
            if note:  # a Kyrgyz-only file checked in Russian is valid, its texts shown as written
                print("  " + note)
        except OkmoError as exc:
            text = exc.render(lang)
            # a ScenarioError names its file; other problems (found while computing) do not
            print(text if isinstance(exc, ScenarioError) else f"{path}: {text}", file=sys.stderr)
            status = max(status, EXIT_USER_ERROR)
        except Exception as exc:  # noqa: BLE001 - one file's failure must not hide the others
            if os.environ.get("OKMO_DEBUG"):
                traceback.print_exc()
            print(f"{path}: " + t("cli_internal_error", lang, kind=type(exc).__name__, detail=exc),
                  file=sys.stderr)
            status = EXIT_INTERNAL
    return status


def _rebase(args) -> int:
    """Accept a variant's changed baseline: show what the variant sets against the baseline
    as it is now, then record the baseline's hash (asked for, or with --force)."""
    from okmo_models.errors import as_written
    from okmo_models.safe_write import write_new_file
    from okmo_models.scenario.rebase import plan_rebase

    plan = plan_rebase(args.variant, check_file)
    if plan.up_to_date:
        print(t("rebase_up_to_date", args.lang, file=plan.variant, baseline=plan.baseline), file=sys.stderr)
        return 0
    print(t("rebase_header", args.lang, file=plan.variant, baseline=plan.baseline))
    absent = t("rebase_absent", args.lang)
    for field, before, after in plan.changes:
        before = absent if before is None else as_written(before)
        print(f"  {'.'.join(map(str, field))}: {before} → {as_written(after)}")
    if not plan.changes:
        print("  " + t("rebase_no_changes", args.lang))
    if not (args.force or (sys.stdin.isatty() and _ask(t("rebase_ask", args.lang, file=plan.variant)))):
        raise Refusal("rebase_refused", file=plan.variant)
    write_new_file(plan.variant, plan.text, overwrite=True)
    print(t("rebase_done", args.lang, file=plan.variant, baseline=plan.baseline), file=sys.stderr)
    return 0


def _schema(args) -> int:
    kind = KINDS[args.kind]
    print(json.dumps(kind.output(kind.schema).model_json_schema(), ensure_ascii=False, indent=2))
    return 0


def _parameters(args) -> int:
    """Every parameter in the reader's words: its name, then each value with its unit, the
    date it takes effect and its source (a list, such as the legal basis, an item a line)."""
    from okmo_models.parameters import known_parameters, value_lines
    from okmo_models.provenance import source_text

    lang = args.lang
    for spec in known_parameters().values():
        print(source_text(spec.description, lang))
        for v in spec.values:
            lines = value_lines(spec.name, v["value"], spec.unit, lang)
            since = f"    {t('c_effective', lang)} {v['effective'].strftime('%d.%m.%Y')}:"
            print(f"{since} {lines[0]}" if len(lines) == 1 else "\n".join([since, *(f"      – {x}" for x in lines)]))
            print(f"      {t('c_source', lang)}: {source_text(spec.references[v['source']], lang)}")
        print()
    return 0


@contextlib.contextmanager
def _settings(args):
    """The options every command shares, as environment variables while the command runs,
    so that report kernels and the hearing's server see them too."""
    with contextlib.ExitStack() as stack:
        data_root = getattr(args, "data_root", None)
        if data_root is not None:
            from okmo_models.references import wider_root

            if not os.path.isdir(data_root):
                raise Refusal("data_root_not_folder", path=data_root)
            stack.enter_context(wider_root(data_root))
        if getattr(args, "quiet", False):
            stack.enter_context(_environment(OKMO_QUIET="1"))
        yield


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _language_from_argv(argv)
    with argparse_in(lang):
        args = build_parser(lang).parse_args(argv)
    try:
        with _settings(args):
            return args.handler(args)
    except OkmoError as exc:
        print(exc.render(args.lang), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(t("cli_interrupted", args.lang), file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `okmo tariff ... | head`
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        if os.environ.get("OKMO_DEBUG"):
            traceback.print_exc()
        print(t("cli_internal_error", args.lang, kind=type(exc).__name__, detail=exc),
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
