"""The ``okmo`` command.

``okmo tariff SCENARIO`` prints the калькуляция and the tariffs; ``okmo check`` validates
scenario files; ``okmo schema`` prints the scenario schema; ``okmo parameters`` lists the
rates in force.  Problems in the user's files are explained in the user's language and
exit with status 2; no traceback reaches the user unless OKMO_DEBUG=1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from unittest import mock

from okmo_models.version import __version__
from okmo_models.errors import OkmoError, Refusal, ScenarioError
from okmo_models.i18n import LANGUAGES, default_language, t
from okmo_models.kinds import FORMATS, KINDS, check_file, kind_of, plan_files
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


def build_parser(lang: str) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGUAGES, default=lang, help=t("cli_lang_help", lang))
    # SUPPRESS: a value given before the command is not reset by the command's own default
    common.add_argument("--data-root", metavar="DIR", default=argparse.SUPPRESS,
                        help=t("cli_data_root_help", lang))
    common.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS,
                        help=t("cli_quiet_help", lang))

    parser = argparse.ArgumentParser(prog="okmo", description=t("cli_description", lang),
                                     parents=[common])
    parser.add_argument("--version", action="version", version=f"okmo-models {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _computing_command(sub, common, lang, "tariff")

    p = sub.add_parser("report", parents=[common], help=t("cli_report_help", lang),
                       description=t("cli_report_help", lang))
    p.add_argument("scenario", metavar="SCENARIO", help=t("cli_scenario_arg", lang))
    p.add_argument("--output", "-o", metavar="DIR", default="reports", help=t("cli_output_dir_help", lang))
    p.add_argument("--force", action="store_true", help=t("cli_force_help", lang))
    p.add_argument("--workers", type=_positive_int, default=None, help=t("cli_workers_help", lang))
    p.set_defaults(handler=_report)

    p = _computing_command(sub, common, lang, "budget")
    p.add_argument("--scenario", metavar="ID", dest="scenario_id", default=None,
                   help=t("cli_budget_scenario_help", lang))

    p = _computing_command(sub, common, lang, "programme", metavar="PROGRAMME")
    p.add_argument("--budget", metavar="BUDGET_SCENARIO", default=None, help=t("cli_budget_file_help", lang))
    p.add_argument("--time-limit", metavar="SECONDS", type=_positive_seconds, default=None,
                   help=t("cli_time_limit_help", lang))

    p = sub.add_parser("hearing", parents=[common], help=t("cli_hearing_help", lang),
                       description=t("cli_hearing_help", lang))
    p.add_argument("scenario", metavar="SCENARIO", help=t("cli_scenario_arg", lang))
    p.add_argument("--port", type=_positive_int, default=None)
    p.add_argument("--no-browser", action="store_true", help=t("cli_no_browser_help", lang))
    p.set_defaults(handler=_hearing)

    p = sub.add_parser("template", parents=[common], help=t("cli_template_help", lang),
                       description=t("cli_template_help", lang))
    p.add_argument("kind", metavar="KIND", nargs="?", choices=tuple(KINDS),
                   help=t("cli_template_kind_arg", lang))
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
               "time_limit": getattr(args, "time_limit", None)}
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


def _report(args) -> int:
    from pathlib import Path

    from okmo_models.report.build import render_many, render_report
    from okmo_models.safe_write import FileExistsRefused

    source = Path(args.scenario)
    if source.is_dir():
        from okmo_models.references import wider_root

        # the user named the folder: its files may name one another anywhere in it
        with wider_root(source):
            paths = plan_files(source)
            if not paths:
                print(t("no_scenarios_found", args.lang, path=source), file=sys.stderr)
                return EXIT_USER_ERROR
            from okmo_models.report.build import batch_names

            with progress("progress_report", args.lang):
                results = render_many(paths, args.lang, args.output, args.force, args.workers,
                                      names=batch_names(paths, source))
        failed = [(p, err) for p, pdf, err in results if err]
        for p, err in failed:
            print(t("report_failed", args.lang, file=p) + "\n" + err, file=sys.stderr)
        print(t("report_batch_done", args.lang, ok=len(results) - len(failed), total=len(results),
                failed=len(failed)), file=sys.stderr)
        return EXIT_USER_ERROR if failed else 0
    try:
        with progress("progress_report", args.lang):
            pdf = render_report(source, args.lang, args.output, overwrite=args.force)
    except FileExistsRefused as exc:
        if not (sys.stdin.isatty() and _ask(t("ask_overwrite", args.lang, path=exc.path))):
            raise
        with progress("progress_report", args.lang):
            pdf = render_report(source, args.lang, args.output, overwrite=True)
    print(t("report_saved", args.lang, path=pdf), file=sys.stderr)
    return 0


def _hearing(args) -> int:
    from pathlib import Path

    from okmo_models.hearing.serve import serve

    # a broken file is explained here, not in the browser: checked as ``okmo check`` does (a
    # programme is evaluated: its rules must be satisfiable against its budget)
    kind_of(args.scenario).check(args.scenario)
    print(t("hearing_started", args.lang), file=sys.stderr)
    return serve(Path(args.scenario), args.lang, args.port, open_browser=not args.no_browser)


def _template(args) -> int:
    from pathlib import Path

    from okmo_models.excel.template import scenario_data, scenario_workbook, template_workbook

    if args.source:
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
    print(t("xl_imported", args.lang, path=path, kind=kind), file=sys.stderr)
    return 0


def _save(target, content, args):
    """Write a new file; an existing one only with --force or the user's yes."""
    from okmo_models.safe_write import FileExistsRefused, write_new_file

    try:
        return write_new_file(target, content, overwrite=args.force)
    except FileExistsRefused as exc:
        if not (sys.stdin.isatty() and _ask(t("ask_overwrite", args.lang, path=exc.path))):
            raise
        return write_new_file(target, content, overwrite=True)


def _ask(question: str) -> bool:
    try:
        return input(question + " [y/N] ").strip().lower() in ("y", "yes", "д", "да", "о", "ооба")
    except EOFError:
        return False


def _check(args) -> int:
    """Check every file, going on after one fails; 2 when a file has problems, 70 when one
    raised an unexpected error (reported with its file, as in :func:`main`)."""
    status = 0
    for path in args.scenarios:
        try:
            check_file(path)
            print(t("cli_check_ok", args.lang, file=path))
        except OkmoError as exc:
            text = exc.render(args.lang)
            # a ScenarioError names its file; other problems (found while computing) do not
            print(text if isinstance(exc, ScenarioError) else f"{path}: {text}", file=sys.stderr)
            status = max(status, EXIT_USER_ERROR)
        except Exception as exc:  # noqa: BLE001 - one file's failure must not hide the others
            if os.environ.get("OKMO_DEBUG"):
                traceback.print_exc()
            print(f"{path}: " + t("cli_internal_error", args.lang, kind=type(exc).__name__, detail=exc),
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
    from okmo_models.parameters import known_parameters

    for spec in known_parameters().values():
        print(f"{spec.name} [{spec.unit}] — {spec.description.get(args.lang) or spec.description['ru']}")
        for v in spec.values:
            value = v["value"] if not isinstance(v["value"], list) else ", ".join(map(str, v["value"]))
            print(f"    {t('c_effective', args.lang)} {v['effective']}: {value}")
            print(f"    {t('c_source', args.lang)}: {spec.references.get(v['source'], v['source'])}")
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
            stack.enter_context(mock.patch.dict(os.environ, {"OKMO_QUIET": "1"}))
        yield


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _language_from_argv(argv)
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
