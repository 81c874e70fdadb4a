"""Whole folder trees at once: every plan file computed, or reported, by one executor.

A consultant or a ministry holds folders of dozens to hundreds of municipalities.
:func:`compute_tree` computes every plan file under them and returns a small picklable
summary per file (its JSON export as a dict); :func:`report_tree` renders each file's PDF.
Both run through :mod:`okmo_models.executors`: serially, in the local process pool, or on a
Dask cluster (a scheduler's address, or ``"local"``). A broken file is reported with its
path and does not stop the rest; the results are the same whichever executor ran them.

Remote Dask workers open the files by the same absolute paths as this machine: the folders
(and the reports' folder) must be shared (NFS, SMB...) at the same place on every worker;
:func:`open_batch` checks that first and refuses clearly otherwise.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from okmo_models.errors import OkmoError, Refusal, printable
from okmo_models.executors import AUTO, Outcome, open_executor, resolve
from okmo_models.i18n import t
from okmo_models.kinds import kind_of
from okmo_models.kinds import plan_files_in
from okmo_models.references import wider_root



@dataclass(frozen=True)
class Summary:
    """What a computed file comes back as (picklable, unlike the results themselves):
    its absolute path, its kind's name and its JSON export (``okmo <kind> --format json``)."""

    path: str
    kind: str
    export: dict


def plan_files(folders: Iterable[str | Path]) -> list[Path]:
    """Every plan file under the folder trees (a file named directly is taken as it is),
    in order and each once (:func:`okmo_models.kinds.plan_files_in`); a folder that does
    not exist or holds no plan is refused before any work."""
    return [f for f, _ in _found(folders)]


def _found(folders) -> list[tuple[Path, Path]]:
    """:func:`plan_files` with the folder each was found in (its files may name one another
    anywhere in it)."""
    folders = [Path(f) for f in folders]
    for folder in folders:
        if not folder.exists():
            raise Refusal("batch_no_such_folder", path=printable(str(folder)))
    found = plan_files_in(folders)
    for folder in folders:
        if folder.is_dir() and not any(f.resolve().is_relative_to(folder.resolve()) for f, _ in found):
            raise Refusal("no_scenarios_found", path=printable(str(folder)))
    return found


def compute_file(path: str, root: str, lang: str = "en") -> Summary:
    """One file computed as ``okmo <kind> --format json`` does (in a worker)."""
    with wider_root(root):
        kind = kind_of(path)
        result = kind.compute(path)
        return Summary(str(path), kind.name, json.loads(kind.export(result, "json", lang)))


def report_file(path: str, root: str, lang: str, output_dir: str, overwrite: bool, name: str | None) -> str:
    """One file's PDF (in a worker); returns its path."""
    from okmo_models.report.build import render_report

    with wider_root(root):
        try:
            return str(render_report(path, lang, output_dir, overwrite, name=name))
        except OkmoError:
            raise
        except Exception as exc:  # the kernel, nbconvert or Chromium: said as `okmo report` says it
            raise Refusal("report_engine_failed", detail=f"{type(exc).__name__}: {exc}") from exc


def missing_folders(folders: list[str]) -> list[str]:
    """Those of ``folders`` this machine cannot see (run on each Dask worker)."""
    return [f for f in folders if not os.path.isdir(f)]


@contextmanager
def open_batch(folders: list[Path], *, executor: str = AUTO, scheduler: str | None = None,
               workers: int | None = None, files: int = 0):
    """An open executor (see :func:`okmo_models.executors.open_executor`) whose workers
    have been checked to see ``folders``: remote workers read the files by their paths."""
    executor = resolve(executor, scheduler, files)
    with open_executor(executor, scheduler=scheduler, workers=workers) as ex:
        wanted = sorted({str(f.resolve()) for f in folders})
        for worker, missing in ex.everywhere(missing_folders, wanted).items():
            if missing:
                raise Refusal("batch_folder_not_shared", folder=printable(missing[0]),
                              worker=printable(str(worker)))
        yield ex


def _tree_run(func, found: list[tuple[Path, Path]], *, executor, scheduler, workers, progress,
              lang, extra_folders=(), chunk_size=None) -> list[Outcome]:
    paths = [p for p, _ in found]
    shared = [*{root.resolve() for _, root in found}, *extra_folders]
    tasks = [(str(p.resolve()), str(root.resolve())) for p, root in found]
    report = _Bar(lang) if progress == AUTO else progress
    try:
        with open_batch(shared, executor=executor, scheduler=scheduler, workers=workers, files=len(paths)) as ex:
            outcomes = ex.map(partial(_call, func), tasks, chunk_size=chunk_size, progress=report, lang=lang)
    finally:
        if isinstance(report, _Bar):
            report.close()
    # the user's own spelling of each path, as they named the folder
    return [Outcome(p, o.value, o.error) for p, o in zip(paths, outcomes)]


def _call(func, task):
    path, root = task
    return func(path, root)


def compute_tree(folders: Iterable[str | Path], *, lang: str = "en", executor: str = AUTO,
                 scheduler: str | None = None, workers: int | None = None, progress=AUTO) -> list[Outcome]:
    """Every plan file under ``folders`` computed: one :class:`Outcome` per file (``item``
    its path, ``value`` its :class:`Summary`, or ``error``), in :func:`plan_files` order."""
    folders = [Path(f) for f in folders]
    return _tree_run(partial(compute_file, lang=lang), _found(folders), executor=executor, scheduler=scheduler,
                     workers=workers, progress=progress, lang=lang)


def report_names(found: list[tuple[Path, Path]]) -> dict[Path, str]:
    """Unique report names from the files' places under their folders (``ak-bulak_water``);
    a name already given gets the first free number (``ak-bulak_water-2``), so that no
    report is written over another."""
    names, taken = {}, set()
    for p, root in found:
        rel = p.resolve().relative_to(root.resolve()).with_suffix("")
        parts = rel.parts if len(rel.parts) > 1 else (p.resolve().parent.name, rel.name)
        base = name = "_".join(re.sub(r"[^\w-]+", "-", part).strip("-") for part in parts)
        number = 1
        while name in taken:  # a file may itself be named like a numbered one (x-2.yaml)
            number += 1
            name = f"{base}-{number}"
        taken.add(name)
        names[p] = name
    return names


def report_tree(folders: Iterable[str | Path], lang: str = "ru", output_dir: str | Path = "reports", *,
                overwrite: bool = False, executor: str = AUTO, scheduler: str | None = None,
                workers: int | None = None, progress=AUTO) -> list[Outcome]:
    """Every plan file under ``folders`` reported: one :class:`Outcome` per file whose
    ``value`` is the PDF's path (``str``), or ``error``."""
    found = _found(folders)
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise Refusal("batch_output_not_folder", path=printable(str(output_dir)))
    output_dir.mkdir(parents=True, exist_ok=True)
    output_dir = output_dir.resolve()  # workers write by the absolute path
    names = report_names(found)
    func = partial(_report, lang=lang, output_dir=str(output_dir), overwrite=overwrite,
                   names={str(p.resolve()): n for p, n in names.items()})
    # a report takes seconds: one per task costs nothing to schedule, and balances the workers
    return _tree_run(func, found, executor=executor, scheduler=scheduler, workers=workers,
                     progress=progress, lang=lang, extra_folders=[output_dir], chunk_size=1)


def _report(path, root, lang, output_dir, overwrite, names):
    return report_file(path, root, lang, output_dir, overwrite, names.get(path))


class _Bar:
    """The terminal progress line (:mod:`okmo_models.progress`), opened at the first item."""

    def __init__(self, lang):
        self.lang, self.context, self.bar = lang, None, None

    def __call__(self, done, total, outcome):
        if self.bar is None:
            from okmo_models.progress import progress

            self.context = progress("batch_progress_label", self.lang, total=total)
            self.bar = self.context.__enter__()
        self.bar.update(1)

    def close(self):
        if self.context is not None:
            self.context.__exit__(None, None, None)
            self.context = self.bar = None


def summary(outcomes: list[Outcome], lang: str | None = None) -> str:
    """The batch in a few lines: files, done, failed, and each failure with its file."""
    failed = [o for o in outcomes if not o.ok]
    lines = [t("batch_summary", lang, total=len(outcomes), ok=len(outcomes) - len(failed), failed=len(failed))]
    for o in failed:
        lines.append(t("batch_failed_file", lang, file=printable(str(o.item))))
        lines.extend("   " + line for line in o.error.render(lang).splitlines())
    return "\n".join(lines)


__all__ = ["Summary", "compute_file", "compute_tree", "missing_folders", "open_batch", "plan_files",
           "report_file", "report_names", "report_tree", "summary"]
