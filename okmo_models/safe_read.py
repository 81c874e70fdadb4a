"""Reading an input file without hanging or running out of memory.

Every file okmo reads (scenarios, budget and register tables, workbooks) comes through
:func:`read_bounded`: a device such as ``/dev/zero`` would never end and a named pipe would
wait for ever, so anything but a regular file is refused before it is opened, and no more
than ``limit`` bytes are read even from a file that reports a size of 0 (``/proc``). The
callers turn these exceptions into messages of their own kind of file.
"""

from __future__ import annotations

import stat
from pathlib import Path


class NotAFile(OSError):
    """A device, a pipe or a socket where a file was expected."""


class TooLarge(OSError):
    """A file larger than any input of its kind can be."""

    def __init__(self, path: Path, limit: int):
        super().__init__(f"{path}: more than {limit} bytes")
        self.limit = limit


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises ``FileNotFoundError``, ``IsADirectoryError``, :class:`NotAFile`,
    :class:`TooLarge` or another ``OSError`` (unreadable).
    """
    path = Path(path)
    mode = path.stat().st_mode  # stat, not open: opening a pipe blocks until someone writes
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if not stat.S_ISREG(mode):
        raise NotAFile(str(path))
    with open(path, "rb") as f:
        raw = f.read(limit + 1)  # a file growing while read is still bounded
    if len(raw) > limit:
        raise TooLarge(path, limit)
    return raw
