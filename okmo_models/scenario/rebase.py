"""Accepting a changed baseline for a variant (``okmo rebase VARIANT``).

A variant records the SHA-256 of the baseline it was saved against; when the baseline
changes, the variant is refused until someone looks at what the variant sets against the
baseline as it is now and accepts it. :func:`plan_rebase` prepares that: the values to show,
the variant checked against the new baseline, and the file's new text, in which only the
hash line differs. Writing it (atomically, only when asked) is the caller's part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from okmo_models.errors import OkmoError, Refusal
from okmo_models.references import read_input
from okmo_models.scenario.loader import accepting_new_baseline, parse_text, read_file, variant_baseline
from okmo_models.scenario.variants import describe_changes, with_baseline_hash


@dataclass(frozen=True)
class RebasePlan:
    variant: Path
    baseline: Path
    sha256: str                          # the baseline's hash as it is now
    up_to_date: bool                     # the variant already records it
    changes: tuple                       # (field path, baseline value now or None, variant's value)
    text: bytes                          # the variant file with the new hash


def plan_rebase(variant: str | Path, check) -> RebasePlan:
    """What re-basing ``variant`` would do. ``check(path)`` validates and computes a file of
    its kind (as ``okmo check`` does); it runs against the baseline as it is now."""
    path = Path(variant)
    data, _, lines = read_file(path)
    if not isinstance(data, dict) or "variant_of" not in data:
        raise Refusal("rebase_not_variant", file=path)
    with accepting_new_baseline(path):
        baseline_path, baseline = variant_baseline(path, data, chain=(path.resolve(),), lines=lines)
    _, sha256, _ = read_file(baseline_path)
    recorded = data.get("baseline_sha256")
    if isinstance(recorded, str) and recorded.lower() == sha256:
        return RebasePlan(path, baseline_path, sha256, True, (), b"")
    changes = data.get("changes") if isinstance(data.get("changes"), dict) else {}
    with accepting_new_baseline(path):
        check(path)  # the variant must still fit the baseline as it is now
    raw = read_input(path)
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    try:
        rebased = with_baseline_hash(raw.decode("utf-8-sig"), sha256, toml=path.suffix.lower() == ".toml")
        same = parse_text(path, rebased)[0] == {**data, "baseline_sha256": sha256}
    except (ValueError, OkmoError):
        same = False
    if not same:  # a layout the line edit cannot handle: the file is left as it is
        raise Refusal("rebase_layout", file=path, sha256=sha256)
    return RebasePlan(path, baseline_path, sha256, False, tuple(describe_changes(baseline, changes)),
                      (bom + rebased).encode("utf-8"))
