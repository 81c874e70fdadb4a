"""``okmo register households|livestock FILE``: import a register, show its volumes and the rows
that could not be used, and (with ``--scenario`` and ``--output``) write a scenario variant.

Rows that cannot be used never stop the import: the volumes and the list of rows are shown,
with a warning, and the command succeeds. A variant is refused (exit 2) when more than
``--max-unusable`` per cent of the rows (default 5) could not be used: with that many, a wrong
column or export format is more likely than a few typos, and the volumes would understate
the municipality. ``--max-unusable 100`` accepts any register.

``--settlement NAME`` (repeatable) counts only the rows of those settlements (a service that
covers some villages of the aiyl okmotu): the rows of other settlements are left out of the
volumes, of the rows not used and of their share, and the report and the variant's source
name the settlements counted.

``--decimal-mark ,`` (or ``.``) says how the file separates decimals, so that "1.500" and
"1,500" read one way; without it such a count is not used and both readings are shown.
Reading a large register draws its progress on the terminal after two seconds (never with
``--quiet``, an option common to every command).
"""

from __future__ import annotations

import argparse
import sys

from okmo_models.formatting import format_percent
from okmo_models.i18n import t
from okmo_models.units import DECIMAL_MARKS

DEFAULT_MAX_UNUSABLE_PERCENT = 5.0


def add_register_parser(sub, common: argparse.ArgumentParser, lang: str) -> None:
    """Add ``register households|livestock`` to the ``okmo`` command's subparsers."""
    p = sub.add_parser("register", parents=[common], help=t("rg_cli_help", lang),
                       description=t("rg_cli_help", lang))
    kinds = p.add_subparsers(dest="register_kind", required=True, metavar="KIND")
    for kind in ("households", "livestock"):
        q = kinds.add_parser(kind, parents=[common], help=t(f"rg_cli_{kind}_help", lang),
                             description=t(f"rg_cli_{kind}_help", lang))
        q.add_argument("file", metavar="FILE", help=t("rg_cli_file_arg", lang))
        q.add_argument("--sheet", metavar="NAME", default=None, help=t("rg_cli_sheet_help", lang))
        q.add_argument("--format", choices=("table", "json", "csv"), default="table",
                       help=t("rg_cli_format_help", lang))
        q.add_argument("--scenario", metavar="SCENARIO", default=None, help=t("rg_cli_scenario_help", lang))
        q.add_argument("--output", "-o", metavar="VARIANT.yaml", default=None,
                       help=t("rg_cli_output_help", lang))
        q.add_argument("--category", metavar="ID", default=None, help=t(f"rg_cli_category_{kind}_help", lang))
        q.add_argument("--settlement", metavar="NAME", action="append", default=[],
                       help=t("rg_cli_settlement_help", lang))
        if kind == "households":
            q.add_argument("--map", metavar="GROUP=CATEGORY", action="append", default=[],
                           help=t("rg_cli_map_help", lang))
        q.add_argument("--max-unusable", metavar="PERCENT", type=_percent, default=DEFAULT_MAX_UNUSABLE_PERCENT,
                       help=t("rg_cli_max_unusable_help", lang, default=f"{DEFAULT_MAX_UNUSABLE_PERCENT:g}"))
        q.add_argument("--decimal-mark", choices=DECIMAL_MARKS, default=None, metavar='{",","."}',
                       help=t("rg_cli_decimal_mark_help", lang))
        q.add_argument("--force", action="store_true", help=t("cli_force_help", lang))
        q.set_defaults(handler=run_register)


def _percent(text: str) -> float:
    value = float(text.replace(",", ".").rstrip("%").strip())
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text}: 0…100")
    return value


def run_register(args) -> int:
    from okmo_models.registers.apply import (
        households_variant,
        livestock_variant,
        save_variant,
        tariff_effect,
    )
    from okmo_models.registers.households import read_households
    from okmo_models.registers.livestock import read_livestock
    from okmo_models.registers.report import (
        to_csv,
        to_json,
        to_text,
        variant_summary,
        variant_text,
    )
    from okmo_models.registers.table import OutputError, RegisterError

    lang = args.lang
    households = args.register_kind == "households"
    if args.output and not args.scenario:
        raise OutputError(args.output, "rg_output_needs_scenario")
    register = (read_households if households else read_livestock)(
        args.file, args.sheet, args.settlement, decimal_mark=args.decimal_mark,
        progress=not getattr(args, "quiet", False), lang=lang)
    if args.format == "table":
        # shown before the scenario is looked at, so a mapping error still leaves the report
        sys.stdout.write(to_text(register, lang))
        sys.stdout.flush()
    info = register.file
    if info.rows_unusable:
        print(t("rg_warning_unusable", lang, count=info.rows_unusable, read=info.rows_in_scope,
                share=format_percent(info.unusable_share, 1, lang)), file=sys.stderr)
    summary = plan = None
    if args.scenario:
        if households:
            plan = households_variant(register, args.scenario, category=args.category, mapping=args.map,
                                      target=args.output, lang=lang)
        else:
            plan = livestock_variant(register, args.scenario, category=args.category, target=args.output,
                                     lang=lang)
        summary = variant_summary(plan, tariff_effect(plan), lang)
    if args.format == "table":
        if summary:
            sys.stdout.write(variant_text(summary, lang))
    else:
        sys.stdout.write((to_json if args.format == "json" else to_csv)(register, lang, summary))
    if plan is None:
        return 0
    if args.output is None:
        print(t("rg_variant_preview", lang), file=sys.stderr)
        return 0
    if info.unusable_share * 100 > args.max_unusable:
        raise RegisterError(info.path, "rg_too_many_unusable", share=format_percent(info.unusable_share, 1, lang),
                            limit=f"{args.max_unusable:g} %")
    path = save_variant(plan, overwrite=args.force)
    print(t("rg_variant_saved", lang, path=path, scenario=path), file=sys.stderr)
    return 0
