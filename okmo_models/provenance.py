"""Where a result came from: the same metadata block on every kind of result.

Every result (tariff, budget forecast, development programme) carries a :class:`Provenance`:
the schema of its JSON, the package version, the day it was computed, every input file read
with the SHA-256 of the bytes that were read (a scenario, its history table, the budget file a
programme draws on) and the parameters in force. The JSON exports, the PDF stamp and the
workbook's notes all print this one block, so a reader can check that the figures came from
the file on the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from okmo_models.version import __version__


def source_text(source, lang: str) -> str:
    """A source (or any text written in several languages) for a reader of ``lang``: a plain
    string is the same for every reader; a text in languages (a scenario's ``LocalText``, a
    parameter file's ``{ru, ky, en}``) is taken in ``lang``, else in Russian, Kyrgyz, English."""
    if source is None or isinstance(source, str):
        return source
    own = source.get(lang)
    return own or next((source.get(other) for other in ("ru", "ky", "en") if source.get(other)), "")


def sha256_of(raw: bytes) -> str:
    """The SHA-256 of bytes as read (never of the file read again later, which may differ)."""
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class InputFile:
    """One file a result was computed from."""

    role: str  # "scenario", "baseline", "history" or "budget"
    path: Path
    sha256: str

    def to_dict(self) -> dict:
        return {"role": self.role, "file": shown(self.path), "sha256": self.sha256}


def shown(path: Path) -> str:
    """A file as the user would name it from the current folder: relative when it lies
    below it (a baseline of a baseline is found by its resolved path), else as it is."""
    path = Path(path)
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            pass
    return str(path)


@dataclass(frozen=True)
class Provenance:
    """The metadata block of a result; ``parameters`` are the parameter values in force
    (:class:`okmo_models.parameters.ParameterValue`), empty for a kind that uses none."""

    schema: str
    inputs: tuple[InputFile, ...]
    parameters: tuple = ()
    package_version: str = __version__
    computed_on: dt.date = field(default_factory=dt.date.today)

    def to_dict(self, lang: str) -> dict:
        """The block as it opens every JSON result (see docs/json-contract.md); a parameter's
        value in the reader's words."""
        return {"schema": self.schema, "package_version": self.package_version,
                "computed_on": self.computed_on.isoformat(),
                "inputs": [f.to_dict() for f in self.inputs],
                "parameters": [{"name": p.name, "value": p.text(lang), "unit": p.unit,
                                "effective": p.effective.isoformat() if p.effective else None,
                                "overridden": p.overridden, "source": source_text(p.source, lang)}
                               for p in self.parameters]}
