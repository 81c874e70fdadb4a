"""Many municipalities compared (benchmarking in the manner of IBNET): tariffs, budgets and
programmes of every plan file in some folders, the peers' medians and quartiles, each
municipality's position, and outliers with the rule that flags them (docs/compare.md)."""

from okmo_models.compare.model import JSON_SCHEMA, Comparison, FailedFile, Skipped, build, compare, find_files

__all__ = ["JSON_SCHEMA", "Comparison", "FailedFile", "Skipped", "build", "compare", "find_files"]
