"""Files named inside other files: a variant's ``variant_of``, a programme's ``budget``, a
budget's ``history``.

Such a name is resolved from the folder of the file that holds it and must stay inside the
folder tree the user opened: the folder of the file named on the command line (or in the
API call), and its subfolders. A wider folder may be named with ``--data-root DIR`` or the
``OKMO_DATA_ROOT`` variable (several folders separated by ``os.pathsep``); report kernels
and the hearing's Voilà process inherit the variable. Anything else is refused before a byte
of it is read, so no error can echo a foreign file (``/etc/shadow``, ``/proc/self/environ``).
Links are followed before the check: a link in the folder pointing outside is outside.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

from okmo_models.errors import Problem, ScenarioError
from okmo_models.safe_read import NotAFile, TooLarge, read_bounded

SCENARIO_SUFFIXES = (".yaml", ".yml", ".toml")
TABLE_SUFFIXES = (".csv",)
# A scenario, budget or programme file is a few kilobytes; 300 measures make ~300 KB.
MAX_INPUT_BYTES = 5 * 1024 * 1024
DATA_ROOT_VARIABLE = "OKMO_DATA_ROOT"


def data_roots() -> list[Path]:
    """The folders the user allowed beyond the opened file's own (``OKMO_DATA_ROOT``)."""
    value = os.environ.get(DATA_ROOT_VARIABLE, "")
    return [Path(p).resolve() for p in value.split(os.pathsep) if p.strip()]


# held while a thread's wider folders are in the environment (re-entrant: blocks nest)
_ENVIRONMENT = threading.RLock()


@contextlib.contextmanager
def wider_root(folder: str | Path):
    """Allow files under ``folder`` while the block runs (and in processes started in it).

    The allowed folders live in the process's environment (so that a report's kernel and
    worker processes inherit them); threads of one process (a Dask worker with several)
    therefore take turns inside the block, or one would read with another's folders."""
    folder = Path(folder).resolve()
    with _ENVIRONMENT:
        old = os.environ.get(DATA_ROOT_VARIABLE)
        os.environ[DATA_ROOT_VARIABLE] = os.pathsep.join([str(folder), *([old] if old else [])])
        try:
            yield folder
        finally:  # the environment as it was (unittest.mock did this, at 0.3 s of every start)
            if old is None:
                os.environ.pop(DATA_ROOT_VARIABLE, None)
            else:
                os.environ[DATA_ROOT_VARIABLE] = old


def inside(path: Path, roots) -> bool:
    """Whether the (resolved) ``path`` lies in one of the folder trees ``roots``."""
    return any(path == root or path.is_relative_to(root) for root in roots)


def read_input(path: str | Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the input file ``path``: a regular file of at most ``limit`` bytes.

    A device (``/dev/zero``) or a pipe is refused before it is opened: reading it would
    never end or would block; the read itself is bounded too, since files like those in
    ``/proc`` report a size of 0.
    """
    path = Path(path)

    def refuse(key, **context):
        value = str(path) if key in ("file_not_found", "file_is_directory") else None
        raise ScenarioError(path, [Problem(key=key, value=value, context=context)])

    try:
        return read_bounded(path, limit)
    except FileNotFoundError:
        refuse("file_not_found")
    except IsADirectoryError:
        refuse("file_is_directory")
    except NotAFile:
        refuse("file_not_regular")
    except TooLarge:
        refuse("file_too_large", limit=limit // (1024 * 1024))
    except OSError as exc:
        refuse("file_unreadable", detail=exc.strerror or exc)


def resolve_reference(referrer: str | Path, name, field: tuple, suffixes: tuple,
                      root: str | Path | None = None, line: int | None = None,
                      missing_key: str = "reference_missing") -> Path:
    """The file ``name`` given in ``referrer``'s ``field``, checked before it is read.

    ``root`` is the folder of the file the user opened (default: ``referrer``'s folder).
    Raises :class:`ScenarioError` naming ``referrer``, the field and the name when the file
    lies outside the allowed folders, is of the wrong kind, is missing, is not a regular
    file (a device or a pipe) or is larger than any input file can be.
    """
    referrer = Path(referrer)

    def refuse(key, **context):
        raise ScenarioError(referrer, [Problem(path=field, key=key, value=name, line=line, context=context)])

    if not isinstance(name, str) or not name.strip():
        refuse("text_expected")
    root = Path(root).resolve() if root is not None else referrer.parent.resolve()
    try:
        target = (referrer.parent / name.strip()).resolve()
    except (OSError, RuntimeError, ValueError):  # a loop of links, a NUL byte in the name
        refuse(missing_key)
    if not inside(target, [root, *data_roots()]):
        refuse("reference_outside", root=root)
    if target.suffix.lower() not in suffixes:
        refuse("reference_wrong_kind", kinds=", ".join(suffixes))
    try:
        info = target.stat()
    except OSError:
        refuse(missing_key)
    if not stat.S_ISREG(info.st_mode):
        refuse("file_not_regular")
    if info.st_size > MAX_INPUT_BYTES:
        refuse("file_too_large", limit=MAX_INPUT_BYTES // (1024 * 1024))
    return target
