"""Saving without losing anything: new files are written atomically, never over old ones.

The text goes to a temporary file in the target folder first, then is linked into
place in one step, which fails if the target appeared in the meantime; so a reader
never sees half a file and an existing file is replaced only when the caller says so.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from okmo_models.errors import OkmoError
from okmo_models.i18n import t


class FileExistsRefused(OkmoError):
    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path

    def render(self, lang=None) -> str:
        return t("file_exists", lang, path=self.path)


def write_new_file(path: str | Path, data: str | bytes, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically; refuse to replace an existing file unless told."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a saved file gets the usual mode
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # atomic, and fails if the target exists
            except FileExistsError:
                raise FileExistsRefused(path) from None
            os.unlink(tmp)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
