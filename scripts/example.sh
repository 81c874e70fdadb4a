#!/usr/bin/env bash
# Main job on the bundled example: set up (system packages, .venv) if needed, then print
# the tariff calculation of the Teploklyuchenka waste scenario. Extra arguments are passed
# to `okmo tariff`, e.g. `bash scripts/example.sh --lang ky` or `--format json`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh" ""
cd "$ROOT"
exec okmo tariff scenarios/teploklyuchenka/waste.yaml "$@"
